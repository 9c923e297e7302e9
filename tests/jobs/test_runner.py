"""The job runner in embedded mode: context, progress, idempotence, failures, the audit job."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app import audit
from tenant_app.background import DEFAULT, enqueue
from tenant_app.extensions import db
from tenant_app.models import JobRun
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.tenancy import tenant_context
from tests.audit.helpers import unguarded
from tests.jobs import sample_jobs


def _run(tenant, kind="test"):
    with tenant_context(tenant):
        run = JobRun(kind=kind, queue=DEFAULT, params={})
        db.session.add(run)
        db.session.commit()
    return run


def _fresh(tenant, run):
    db.session.expire_all()
    with tenant_context(tenant):
        return db.session.get(JobRun, (tenant.id, run.id))


def _events(tenant, action):
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(sa.func.count()).where(AuditEvent.action == action)
        ).scalar_one()


def test_jobs_in_process_run_records_progress_and_result(tenant_a):
    """Without Redis a job runs at once; its run row ends succeeded with progress and result."""
    run = _run(tenant_a)
    assert enqueue(DEFAULT, sample_jobs.count_to, tenant_a.id, 5, job_run_id=run.id) is None
    run = _fresh(tenant_a, run)
    assert run.status == "succeeded"
    assert (run.progress_done, run.progress_total) == (5, 5)
    assert run.attempts == 1 and run.started_at and run.finished_at
    assert run.result["n"] == 5


def test_jobs_run_in_tenant_context_without_request_state(tenant_a):
    """The job sees its tenant in context, and nothing of g or a request."""
    run = _run(tenant_a)
    enqueue(DEFAULT, "tests.jobs.sample_jobs.count_to", tenant_a.id, 1, job_run_id=run.id)
    result = _fresh(tenant_a, run).result
    assert result["tenant_in_context"] == tenant_a.id
    assert result["g_tenant"] is False
    assert result["request"] is False


def test_jobs_succeeded_run_is_not_redone(tenant_a):
    """Enqueuing a run that already succeeded does not do its work a second time."""
    run = _run(tenant_a)
    enqueue(DEFAULT, sample_jobs.do_work, tenant_a.id, "once", job_run_id=run.id)
    enqueue(DEFAULT, sample_jobs.do_work, tenant_a.id, "once", job_run_id=run.id)
    assert _events(tenant_a, "test.work.once") == 1
    assert _fresh(tenant_a, run).attempts == 1


def test_jobs_superseded_attempt_discards_its_work(tenant_a):
    """An attempt whose run was taken over by a later attempt meanwhile (its worker was thought
    dead and rq handed the job on) commits nothing and leaves the run to the later attempt."""
    run = _run(tenant_a)
    enqueue(DEFAULT, sample_jobs.taken_over_midway, tenant_a.id, "late", job_run_id=run.id)
    assert _events(tenant_a, "test.work.late") == 0
    run = _fresh(tenant_a, run)
    assert (run.status, run.attempts, run.result) == ("running", 2, None)


def test_jobs_service_error_fails_the_run_with_its_message(tenant_a):
    """A refused job ends failed with the readable message, without raising to the caller."""
    run = _run(tenant_a)
    enqueue(DEFAULT, sample_jobs.refuse, tenant_a.id, job_run_id=run.id)
    run = _fresh(tenant_a, run)
    assert run.status == "failed"
    assert run.message == "Không được."


def test_jobs_crash_rolls_back_the_work_and_fails_the_run(tenant_a):
    """An unexpected error leaves none of the job's writes and marks the run failed."""
    run = _run(tenant_a)
    enqueue(DEFAULT, sample_jobs.crash, tenant_a.id, job_run_id=run.id)
    run = _fresh(tenant_a, run)
    assert run.status == "failed" and "boom" in run.message
    assert _events(tenant_a, "test.crash") == 0


def test_jobs_enqueue_refuses_unknown_queue(tenant_a):
    """Only the named queues exist."""
    with pytest.raises(ValueError):
        enqueue("nowhere", sample_jobs.count_to, tenant_a.id, 1)


def test_jobs_run_of_other_tenant_is_not_found(tenant_a, tenant_b):
    """A job of tenant B cannot be pointed at a run of tenant A."""
    run = _run(tenant_a)
    with pytest.raises(LookupError):
        enqueue(DEFAULT, sample_jobs.count_to, tenant_b.id, 1, job_run_id=run.id)
    assert _fresh(tenant_a, run).status == "queued"


def test_jobs_verify_chains_records_a_broken_chain(tenant_a):
    """The daily audit job records a province event naming a tampered tenant chain."""
    with tenant_context(tenant_a):
        audit.record("test.one", object_type="test")
        audit.record("test.two", object_type="test")
        db.session.commit()
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.seq == 1)).scalar_one()
    table = AuditEvent.__table__
    with unguarded(_owner_url()) as conn:  # a tamperer lifts the append-only guards first
        conn.execute(
            sa.update(table)
            .where(table.c.tenant_id == tenant_a.id, table.c.id == event.id)
            .values(action="test.forged")
        )
    enqueue(DEFAULT, "tenant_app.jobs.audit.verify_chains", None)
    db.session.expire_all()
    broken = (
        db.session.execute(
            sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "audit.chain_broken")
        )
        .scalars()
        .all()
    )
    assert [e.object_id for e in broken] == [f"tenant:{tenant_a.id}"]
    assert broken[0].subject_tenant_id == tenant_a.id


def _owner_url():
    from flask import current_app

    return current_app.config["KPI_DATABASE_OWNER_URL"]


def test_jobs_schedule_lists_the_daily_chain_check():
    """The periodic table holds the daily audit chain verification on a known queue."""
    from tenant_app.background.queues import ALL_QUEUES
    from tenant_app.jobs.schedule import PERIODIC

    entry = {p.name: p for p in PERIODIC}["audit.verify_chains"]
    assert entry.func == "tenant_app.jobs.audit.verify_chains"
    assert entry.queue in ALL_QUEUES
    assert len(entry.cron.split()) == 5
