"""A worker killed mid-batch (real Redis, real ``kpi worker`` processes, PostgreSQL): nothing of
the batch is applied, the retry applies it once, and sending it again changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import FeedBatch, FeedRecord
from tenant_app.tenancy import tenant_context
from tests.feeds.conftest import post, record
from tests.feeds.test_feed_ingestion import _fed
from tests.helpers import REDIS_URL, requires_postgres
from tests.jobs.test_redis_worker import KPI, ROOT, _burst, _worker_env

pytestmark = [
    requires_postgres,
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set KPI_TEST_REDIS_URL (CI does)"),
]


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _owner_scalar(app, sql: str):
    engine = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def _batch_in_progress(app) -> bool:
    """Whether a worker holds a source's advisory lock in this test's database (taken as a batch
    starts, released when its one transaction ends; other databases' tests may hold theirs)."""
    return bool(
        _owner_scalar(
            app,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 4343 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_applies_nothing_twice(
    redis_app,
    client,
    tenant_a,
    fed_ward,
):
    records = []
    for i in range(2500):
        records.append(record(f"k{i}", "received", at="2026-11-02T08:00:00", due="2026-11-25"))
        records.append(record(f"k{i}", "settled", at="2026-11-20T08:00:00", due="2026-11-25"))
    response = post(client, fed_ward["token"], records)
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    assert response.get_json()["status"] == "received"  # stored; decided by a worker

    worker = subprocess.Popen(
        [KPI, "worker", "feeds"], env=_worker_env(redis_app), cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not _batch_in_progress(redis_app):
        if time.monotonic() > deadline:
            os.killpg(worker.pid, signal.SIGKILL)
            pytest.fail("the worker never started the batch")
        time.sleep(0.01)
    horses = _children(worker.pid)
    os.killpg(worker.pid, signal.SIGKILL)
    for horse in horses:
        os.kill(horse, signal.SIGKILL)
    worker.wait(timeout=10)
    deadline = time.monotonic() + 30
    while _batch_in_progress(redis_app):  # PostgreSQL rolls the dead backend's work back
        assert time.monotonic() < deadline
        time.sleep(0.1)

    db.session.expire_all()
    with tenant_context(tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedRecord)) == 0
        assert db.session.get(FeedBatch, (tenant_a.id, uuid.UUID(batch_id))).status == "received"
    assert _fed(tenant_a, fed_ward) is None

    from redis import Redis
    from rq.registry import StartedJobRegistry

    connection = Redis.from_url(REDIS_URL)
    StartedJobRegistry("feeds", connection=connection).cleanup(timestamp=time.time() + 3600)
    connection.close()
    _burst(redis_app, "feeds")

    db.session.expire_all()
    with tenant_context(tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedRecord)) == 5000
    assert _fed(tenant_a, fed_ward) == (Decimal(2500), Decimal(2500), 0, 0, "submitted")

    again = post(client, fed_ward["token"], records)
    assert again.status_code == 202
    _burst(redis_app, "feeds")
    db.session.expire_all()
    with tenant_context(tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedRecord)) == 5000
        second = db.session.get(FeedBatch, (tenant_a.id, uuid.UUID(again.get_json()["id"])))
        assert (second.status, second.accepted, second.duplicates) == ("processed", 0, 5000)
    assert _fed(tenant_a, fed_ward) == (Decimal(2500), Decimal(2500), 0, 0, "submitted")
