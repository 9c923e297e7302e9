"""The production web server for benchmarks: gunicorn with deploy/gunicorn.conf.py on loopback.

Shared by ``bench/load.py`` and ``bench/login.py``: the environment the server runs with (production
mode, the RLS-bound app role, no access log, a rate limit out of the way) and a context manager
that starts it, waits for ``/readyz`` and stops it.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The key of the signed row-level-security scope: the migrations store it (set it in the
# environment before they run) and the server must sign with the same one, or it refuses to start.
RLS_KEY = "bench-server-rls-scope-key-0123456789abcdef"


def gunicorn_env(
    *, app_url: str, owner_url: str, app_role: str, instance: Path, port: int, **extra: str
) -> dict[str, str]:
    """The environment of a production-mode server on ``127.0.0.1:port`` (``extra``: more
    ``KPI_…`` settings). Jobs run in-process: Redis is not used."""
    env = {
        **os.environ,
        "KPI_ENV": "production",
        "KPI_SECRET_KEY": "b" * 48,
        "KPI_RLS_KEY": RLS_KEY,
        "KPI_DATABASE_URL": app_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": app_role,
        "KPI_SESSION_COOKIE_SECURE": "false",
        "KPI_LOGIN_RATE_LIMIT": "1000000 per minute",
        "KPI_ACCESS_LOG": "off",
        "KPI_INSTANCE_DIR": str(instance),
        "KPI_BIND": f"127.0.0.1:{port}",
        "KPI_LOG_FORMAT": "json",
        **extra,
    }
    env.pop("KPI_REDIS_URL", None)
    return env


def _ready(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


@contextmanager
def gunicorn(env: dict[str, str], port: int, wait: float = 60, log: Path | None = None):
    """Run gunicorn with ``env`` until the block ends; raise RuntimeError if it is not ready
    within ``wait`` seconds. The server's own output goes to ``log`` (default: nowhere)."""
    out = log.open("ab") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=out,
    )
    try:
        deadline = time.monotonic() + wait
        while not _ready(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not become ready")
            time.sleep(0.5)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            out.close()
