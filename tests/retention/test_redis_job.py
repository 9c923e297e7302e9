"""The nightly purge on Redis with a real ``kpi worker``: the province-level job fans out one job
per unit, each purges its own folder in its own tenant scope (RLS on PostgreSQL), once.

Needs ``KPI_TEST_REDIS_URL`` (a database the tests may flush).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tenant_app.background import DEFAULT, enqueue, paths
from tenant_app.extensions import db
from tests.helpers import REDIS_URL, worker_env
from tests.retention.helpers import import_run, orphan, purge_events

ROOT = Path(__file__).resolve().parents[2]
KPI = str(Path(sys.executable).parent / "kpi")

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis: set KPI_TEST_REDIS_URL (CI does) to run real rq workers"
)


def burst(app) -> None:
    done = subprocess.run(
        [KPI, "worker", DEFAULT, "--burst"],
        env=worker_env(app, REDIS_URL),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_nightly_job_on_a_worker_purges_each_unit_once(redis_app, factory, tenant_a, tenant_b):
    """Scheduled twice the same night (a restarted scheduler): each unit's due files go and
    each unit's chain has one purge event."""
    factory.tenant("luu-tru", status="archived")
    a = import_run(tenant_a, committed=False)
    b = orphan(redis_app, tenant_b, "stray.bin", date(2020, 1, 1))
    for _ in range(2):
        enqueue(DEFAULT, paths.RETENTION_DAILY_ALL, None, "2026-12-06")
        burst(redis_app)
    db.session.expire_all()
    assert not a.exists() and not b.exists()
    assert len(purge_events(tenant_a)) == 1 and len(purge_events(tenant_b)) == 1
