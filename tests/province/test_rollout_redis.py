"""A rollout on Redis with real ``kpi worker rollout`` processes: one killed with SIGKILL in the
middle of a tenant, a second one finishing the rollout with nothing applied twice.

Needs ``KPI_TEST_REDIS_URL`` (a database the tests may flush, e.g. redis://127.0.0.1:6379/15).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.catalogue import CatalogueVersion
from tenant_app.models.rollout import TenantConfig
from tenant_app.services.rollout import rollout_apply, rollouts
from tenant_app.tenancy import tenant_context
from tests.helpers import REDIS_URL, worker_env
from tests.province.rollout_helpers import (
    changed,
    config_of,
    fresh,
    make_version,
    payload_v1,
    roll,
    value_of,
)

ROOT = Path(__file__).resolve().parents[2]
KPI = str(Path(sys.executable).parent / "kpi")
HANG = "KPI_TEST_ROLLOUT_HANG"

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis: set KPI_TEST_REDIS_URL (CI does) to run real rq workers"
)


def hang_once_apply(tenant_id: int, rollout_id: int) -> dict:
    """The rollout's apply job; in a worker started with ``KPI_TEST_ROLLOUT_HANG`` (a folder) it
    writes a marker and hangs after the tenant's rows are written, before the commit."""
    from tenant_app.jobs.rollout import apply_tenant

    markers = os.environ.get(HANG)
    if markers:
        real = rollout_apply.record_config

        def hang(**kwargs):
            Path(markers, f"tenant-{tenant_id}").write_text(str(os.getpid()))
            time.sleep(120)
            return real(**kwargs)

        rollout_apply.record_config = hang
    return apply_tenant(tenant_id, rollout_id)


def _worker_env(app, **extra) -> dict:
    return worker_env(app, REDIS_URL, **extra)


@pytest.fixture()
def three_wards(app, factory, province_admin):
    """Three wards running v1 (applied in-process), and v2 published (SP01 1.0 → 1.5)."""
    wards = [factory.tenant(f"phuong-{c}") for c in "xyz"]
    roll(make_version(payload_v1()), wards, actor=province_admin)
    v2 = make_version(changed(payload_v1(), items={"TH.SP01": {"coefficient": "1.5"}}), 2)
    return wards, v2


def _counts(tenant) -> tuple[int, int, int]:
    """(configurations, catalogue versions, "configuration.applied" events) of the tenant."""
    db.session.expire_all()
    with tenant_context(fresh(tenant)):
        result = tuple(
            db.session.execute(stmt).scalar_one()
            for stmt in (
                sa.select(sa.func.count()).select_from(TenantConfig),
                sa.select(sa.func.count()).select_from(CatalogueVersion),
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "configuration.applied"),
            )
        )
        db.session.commit()
    return result


def test_rollout_worker_killed_mid_tenant_then_second_worker_finishes_once(
    app, three_wards, province_admin, tmp_path, monkeypatch
):
    """SIGKILL while a tenant is written but not committed: that tenant is untouched; resume
    and a second worker apply every tenant exactly once (duplicate jobs find them done)."""
    from redis import Redis
    from rq.registry import StartedJobRegistry

    wards, v2 = three_wards
    before = {w.slug: _counts(w) for w in wards}
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.config["KPI_REDIS_URL"] = REDIS_URL
    monkeypatch.setattr(rollouts, "APPLY_JOB", "tests.province.test_rollout_redis.hang_once_apply")
    markers = tmp_path / "markers"
    markers.mkdir()
    rollout_id = roll(v2, wards, actor=province_admin).id

    log = tmp_path / "first-worker.log"
    first = subprocess.Popen(
        [KPI, "worker", "rollout"],
        env=_worker_env(app, **{HANG: str(markers)}),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 90
        while not list(markers.glob("tenant-*")):
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        # rq runs the job in a work horse of its own session: kill it as well as the worker.
        [marker] = list(markers.glob("tenant-*"))
        os.kill(int(marker.read_text()), signal.SIGKILL)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    victim = next(w for w in wards if f"tenant-{fresh(w).id}" == marker.name)

    db.session.expire_all()
    board = rollouts.board(rollouts.get_rollout(rollout_id))
    assert {t["tenant"]: t["status"] for t in board["targets"]}[fresh(victim).slug] == "running"
    assert _counts(victim) == before[fresh(victim).slug]
    assert value_of(victim, "TH.SP01") == Decimal("1.000")

    # The dead worker's job is re-queued by rq's clean-up, and the administrator resumes too:
    # every tenant now has at least two jobs queued.
    StartedJobRegistry("rollout", connection=connection).cleanup(timestamp=time.time() + 3600)
    rollouts.resume(rollouts.get_rollout(rollout_id), actor=province_admin)
    done = subprocess.run(
        [KPI, "worker", "rollout", "--burst"],
        env=_worker_env(app),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    db.session.expire_all()
    board = rollouts.board(rollouts.get_rollout(rollout_id))
    assert board["status"] == "finished"
    assert board["counts"]["applied"] == 3
    for ward in wards:
        configs, versions, events = before[fresh(ward).slug]
        # v2 replaces v1's still-unused value version of SP01 (same effective date): same count.
        assert _counts(ward) == (configs + 1, versions, events + 1)
        assert value_of(ward, "TH.SP01") == Decimal("1.500")
        assert config_of(ward).version_id == v2.id
    applied = db.session.execute(
        sa.select(ProvinceAuditEvent.subject_tenant_id).where(
            ProvinceAuditEvent.action == "rollout.applied",
            ProvinceAuditEvent.object_id == str(rollout_id),
        )
    ).scalars()
    assert sorted(applied) == sorted(fresh(w).id for w in wards)
    connection.flushdb()
    connection.close()
