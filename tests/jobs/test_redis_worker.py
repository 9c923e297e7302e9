"""Jobs on Redis with real ``kpi worker`` processes: an import, a worker killed mid-job, and the
comparison refresh (a burst of changes to one period waits as one job).

Needs ``KPI_TEST_REDIS_URL`` (a database the tests may flush, e.g. redis://127.0.0.1:6379/15).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tenant_app.background import DEFAULT, enqueue
from tenant_app.extensions import db
from tenant_app.models import JobRun, PeriodAggregate, User
from tenant_app.models.audit import AuditEvent
from tenant_app.services.evaluation import scores
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.evaluation.scores_helpers import open_month
from tests.evaluation.test_aggregates import _work
from tests.helpers import REDIS_URL, bearer, token_for, worker_env
from tests.spreadsheets.xlsx import make_xlsx

ROOT = Path(__file__).resolve().parents[2]
KPI = str(Path(sys.executable).parent / "kpi")

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis: set KPI_TEST_REDIS_URL (CI does) to run real rq workers"
)


def _worker_env(app) -> dict:
    return worker_env(app, REDIS_URL)


def _burst(app, *queues, timeout=90):
    done = subprocess.run(
        [KPI, "worker", *queues, "--burst"],
        env=_worker_env(app),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _run(tenant, run_id) -> SimpleNamespace:
    """What the job run row says now (read in the tenant's context: RLS hides it outside)."""
    db.session.expire_all()
    with tenant_context(tenant):
        run = db.session.get(JobRun, (tenant.id, run_id))
        seen = SimpleNamespace(status=run.status, attempts=run.attempts, result=run.result)
        db.session.commit()
    return seen


def test_redis_worker_process_runs_an_import(redis_app, client, admin_a, tenant_a):
    """An upload is queued on 'io'; `kpi worker io` validates it, then commits it."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    data = make_xlsx([["hang.doi", "Hàng Đợi", None, "staff"]])
    response = client.post(
        "/api/v1/t/phuong-a/imports",
        data={"kind": "users", "file": (io.BytesIO(data), "ds.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 202 and body["state"] == "validating"
    _burst(redis_app, "io")
    url = f"/api/v1/t/phuong-a/imports/{body['id']}"
    assert client.get(url, headers=headers).get_json()["state"] == "ready"
    assert client.post(f"{url}/commit", headers=headers).get_json()["state"] == "committing"
    _burst(redis_app, "io")
    assert client.get(url, headers=headers).get_json()["state"] == "committed"
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(User).where(User.username == "hang.doi")).scalar()


def _start_first_attempt(app, tenant, markers: Path, hang: float, release: Path | None = None):
    """Enqueue the slow job on a run, start a worker and wait until its horse hangs in attempt 1.

    Returns the run's id, the worker process and the work horse's pid (rq puts the horse in a
    process group of its own, so killing the worker's group leaves the horse running).
    """
    with tenant_context(tenant):
        run = JobRun(kind="test.kill", queue=DEFAULT, params={})
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    enqueue(
        DEFAULT,
        "tests.jobs.sample_jobs.slow_first_attempt",
        tenant.id,
        str(markers),
        "kill",
        hang=hang,
        release=None if release is None else str(release),
        job_run_id=run_id,
    )
    worker = subprocess.Popen(
        [KPI, "worker", DEFAULT],
        env=_worker_env(app),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (started := list(markers.glob("attempt-1-*"))):
        if time.monotonic() > deadline:
            os.killpg(worker.pid, signal.SIGKILL)
            pytest.fail("the first worker never started the job")
        time.sleep(0.2)
    return run_id, worker, int(started[0].name.rsplit("-", 1)[1])


def _abandon_and_retry(app):
    """Clean the started registry as if the dead worker's heartbeat had expired (~90 s later),
    which hands the job on (rq's retry), then let a second worker run the queue."""
    from redis import Redis
    from rq.registry import StartedJobRegistry

    connection = Redis.from_url(REDIS_URL)
    StartedJobRegistry(DEFAULT, connection=connection).cleanup(timestamp=time.time() + 3600)
    connection.close()
    _burst(app, DEFAULT)


def _kill_events(tenant) -> int:
    db.session.expire_all()
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(sa.func.count()).where(AuditEvent.action == "test.work.kill")
        ).scalar_one()


def test_redis_killed_worker_job_is_retried_once_by_another_worker(redis_app, tenant_a, tmp_path):
    """SIGKILL of the worker and its horse mid-job (a node lost): after rq's abandoned-job
    clean-up a second worker finishes the run, and the work is done exactly once (and not again
    when the succeeded run is re-enqueued)."""
    markers = tmp_path / "markers"
    markers.mkdir()
    run_id, worker, horse = _start_first_attempt(redis_app, tenant_a, markers, hang=60)
    os.killpg(worker.pid, signal.SIGKILL)
    os.killpg(horse, signal.SIGKILL)
    worker.wait(timeout=10)
    assert _run(tenant_a, run_id).status == "running"

    _abandon_and_retry(redis_app)
    done = _run(tenant_a, run_id)
    assert (done.status, done.attempts) == ("succeeded", 2)
    assert done.result == {"events": 1}
    assert len(list(markers.glob("attempt-2-*"))) == 1

    enqueue(
        DEFAULT,
        "tests.jobs.sample_jobs.slow_first_attempt",
        tenant_a.id,
        str(markers),
        "kill",
        job_run_id=run_id,
    )
    _burst(redis_app, DEFAULT)
    assert _kill_events(tenant_a) == 1
    assert _run(tenant_a, run_id).attempts == 2


def test_redis_orphaned_horse_finishing_after_the_retry_discards_its_work(
    redis_app, tenant_a, tmp_path
):
    """Only the worker dies (OOM killer, a killed pod's main process): its horse lives on and
    finishes its attempt after rq handed the job to another worker. The retry's work stands;
    the orphan's is rolled back and the run keeps the retry's outcome."""
    markers = tmp_path / "markers"
    markers.mkdir()
    release = tmp_path / "release"
    run_id, worker, horse = _start_first_attempt(
        redis_app, tenant_a, markers, hang=120, release=release
    )
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)

    _abandon_and_retry(redis_app)
    done = _run(tenant_a, run_id)
    assert (done.status, done.attempts, done.result) == ("succeeded", 2, {"events": 1})

    release.write_text("go")  # the orphan wakes up and finishes attempt 1
    deadline = time.monotonic() + 60
    while Path(f"/proc/{horse}").exists():
        assert time.monotonic() < deadline, "the orphaned horse never finished"
        time.sleep(0.2)
    assert _kill_events(tenant_a) == 1
    after = _run(tenant_a, run_id)
    assert (after.status, after.attempts, after.result) == ("succeeded", 2, {"events": 1})


def test_changes_to_one_period_wait_as_one_refresh_job(redis_app, factory, tenant_a):
    from redis import Redis
    from rq import Queue

    ward = build_ward(factory, tenant_a)
    with tenant_context(tenant_a):
        period = open_month(11)
        _work(period, ward["clerk"], ward["items"]["T1"], "4", "1.0", status="accepted",
              completed=Decimal(4))  # fmt: skip
        for _ in range(3):  # three commits that each changed the period's scores
            scores.score_people(period)
            db.session.commit()
        queue = Queue("scoring", connection=Redis.from_url(REDIS_URL))
        assert queue.count == 1
        assert db.session.execute(sa.select(PeriodAggregate)).first() is None
    _burst(redis_app, "scoring")
    db.session.expire_all()
    with tenant_context(tenant_a):
        people = db.session.execute(
            sa.select(PeriodAggregate.scope, PeriodAggregate.people).where(
                PeriodAggregate.visibility == "all"
            )
        ).all()
    assert sorted(people) == [("2026", 1), ("2026-11", 1), ("2026-Q4", 1)]


def test_redis_worker_stops_promptly_on_sigterm(redis_app):
    """A worker told to stop (SIGTERM, as at every deployment) closes its command listener at
    once: rq's listener read Redis for 60 s at a time and, with redis-py 8, closing it waited for
    that read, so every stop took a minute, past Kubernetes' 30 s grace period."""
    from redis import Redis
    from rq import Worker

    worker = subprocess.Popen(
        [KPI, "worker", "default"], env=_worker_env(redis_app), cwd=ROOT, start_new_session=True
    )
    try:
        connection = Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + 60
        while not Worker.all(connection=connection):
            assert time.monotonic() < deadline, "the worker never registered"
            time.sleep(0.2)
        time.sleep(1)  # the listener is now inside its read
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
        elapsed = time.monotonic() - started
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert elapsed < 20, f"the worker took {elapsed:.1f} s to stop after SIGTERM"
