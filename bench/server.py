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
    *,
    app_url: str,
    owner_url: str,
    app_role: str | None,
    instance: Path,
    port: int,
    redis_url: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of a production-mode server on ``127.0.0.1:port`` (``extra``: more
    ``KPI_…`` settings). ``app_role`` None: no role is named (SQLite). Jobs go to rq on
    ``redis_url``; without it Redis is not used and they run in-process. ``workers`` and
    ``threads`` (``KPI_WEB_WORKERS``/``KPI_WEB_THREADS``): None leaves gunicorn.conf.py's own."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # the rq workers started with this environment import wsgi
        "KPI_ENV": "production",
        "KPI_SECRET_KEY": "b" * 48,
        "KPI_RLS_KEY": RLS_KEY,
        "KPI_DATABASE_URL": app_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_SESSION_COOKIE_SECURE": "false",
        "KPI_LOGIN_RATE_LIMIT": "1000000 per minute",
        "KPI_ACCESS_LOG": "off",
        "KPI_INSTANCE_DIR": str(instance),
        "KPI_BIND": f"127.0.0.1:{port}",
        "KPI_LOG_FORMAT": "json",
        **extra,
    }
    if app_role:
        env["KPI_DATABASE_APP_ROLE"] = app_role
    if workers:
        env["KPI_WEB_WORKERS"] = str(workers)
    if threads:
        env["KPI_WEB_THREADS"] = str(threads)
    if redis_url:
        env["KPI_REDIS_URL"] = redis_url
    else:
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


class NotReady(RuntimeError):
    """The server exited or did not answer ``/readyz`` in time."""


@contextmanager
def gunicorn(env: dict[str, str], port: int, wait: float = 60, log: Path | None = None):
    """Run gunicorn with ``env`` until the block ends; raise NotReady (a RuntimeError) if it is
    not ready within ``wait`` seconds. The server's own output is appended to ``log`` (default:
    nowhere); it is killed if it has not stopped 30 s after the block."""
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
                raise NotReady("server did not become ready")
            time.sleep(0.5)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        if log:
            out.close()
