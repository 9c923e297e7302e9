"""The production web server for benchmarks (gunicorn with deploy/gunicorn.conf.py on loopback)
and the database it serves.

Shared by ``bench/load.py``, ``bench/login.py``, ``bench/pages.py``, ``bench/feeds.py`` and
``bench/rollout.py``: a fresh PostgreSQL database with its RLS-bound app role and their URLs, the
environment the server runs with (production mode, the RLS-bound app role, no access log, a rate
limit out of the way) and a context manager that starts it, waits for ``/readyz`` and stops it.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# The key of the signed row-level-security scope: the migrations store it (set it in the
# environment before they run) and the server must sign with the same one, or it refuses to start.
RLS_KEY = "bench-server-rls-scope-key-0123456789abcdef"
ROLE_PASSWORD = "bench"


def psycopg_url(raw: str) -> str:
    """The PostgreSQL URL ``raw`` with the psycopg driver, its password written out."""
    return make_url(raw).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def role_url(owner: str, role: str, password: str = ROLE_PASSWORD) -> str:
    """The URL ``owner`` (from ``psycopg_url``) signed in as ``role`` instead."""
    return (
        make_url(owner).set(username=role, password=password).render_as_string(hide_password=False)
    )


def create_database(raw: str, role: str, password: str = ROLE_PASSWORD) -> tuple[str, str]:
    """Drop and recreate the database named in ``raw`` (a superuser URL), create ``role`` (LOGIN,
    NOSUPERUSER, NOBYPASSRLS: row-level security applies to it) unless it exists and let it
    connect; return (owner URL, ``role``'s URL). The migrations grant ``role`` its table rights."""
    owner = psycopg_url(raw)
    name = make_url(owner).database
    admin = sa.create_engine(make_url(owner).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        if not conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first():
            conn.execute(
                sa.text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}'")
            )
        conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{name}" TO {role}'))
    admin.dispose()
    return owner, role_url(owner, role, password)


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
def gunicorn(
    env: dict[str, str],
    port: int,
    wait: float = 60,
    log: Path | None = None,
    app: str = "wsgi:app",
):
    """Run gunicorn with ``env`` serving ``app`` until the block ends; raise NotReady (a
    RuntimeError) if it is not ready within ``wait`` seconds. The server's own output is appended
    to ``log`` (default: nowhere); it is killed if it has not stopped 30 s after the block."""
    out = log.open("ab") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"), app],
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
