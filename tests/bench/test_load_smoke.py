"""bench/load.py in its smoke mode: the production server under the page mix, with zero errors.

Not a timing test (figures are the benchmark's, docs/performance.md): it proves the benchmark
still runs end to end (gunicorn with the shipped configuration, logins, the mix, the report saves,
the per-page CPU read back from the access log) and that no page of the mix fails under
concurrent users. PostgreSQL (as the RLS-bound role) and rq with a real worker in the postgres
pass; SQLite with jobs in the request elsewhere.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND, PG_OWNER_URL
from tests.helpers import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_load_benchmark_smoke_mode_has_no_errors(tmp_path):
    if BACKEND == "postgres":
        name = f"kpi_test_load_{os.getpid()}"
        url = make_url(PG_OWNER_URL).set(database=name).render_as_string(hide_password=False)
    else:
        name, url = None, f"sqlite:///{tmp_path / 'load.sqlite3'}"
    command = [
        sys.executable,
        str(ROOT / "bench/load.py"),
        "--smoke",
        "--database-url",
        url,
        "--instance",
        str(tmp_path / "instance"),
        "--port",
        str(_free_port()),
        "--web-workers",
        "2",
        "--web-threads",
        "4",
    ]
    command += ["--redis-url", REDIS_URL] if REDIS_URL else ["--no-redis"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
    finally:
        if name:
            admin = sa.create_engine(
                make_url(PG_OWNER_URL).set(drivername="postgresql+psycopg", database="postgres"),
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    report = result.stdout + result.stderr[-3000:]
    assert result.returncode == 0, report
    rows = [line.split() for line in result.stdout.splitlines() if line.strip().startswith("5 ")]
    assert rows, report  # the 5-user line: users, req/s, p50, p95, p99, errors, refused, ratio
    assert rows[0][5] == "0", report  # zero errors
    assert float(rows[0][1]) > 0, report  # requests were served
    for kind in ("score", "work", "dashboard", "live"):
        assert any(line.split()[:1] == [kind] for line in result.stdout.splitlines()), report
