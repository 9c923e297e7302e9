"""Job functions used by the job tests (importable by a worker process)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import sqlalchemy as sa
from flask import g, has_request_context

from tenant_app import audit
from tenant_app.background import current_job_run, report_progress
from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent
from tenant_app.services.errors import ServiceError
from tenant_app.tenancy import current_tenant_id


def count_to(tenant_id: int, n: int) -> dict:
    """Report progress at each step; return what the job saw of its context."""
    for i in range(1, n + 1):
        report_progress(i, n)
    return {
        "n": n,
        "tenant_in_context": current_tenant_id(),
        "g_tenant": g.get("tenant") is not None,
        "request": has_request_context(),
    }


def do_work(tenant_id: int, tag: str) -> dict:
    """The work that must happen once: an audit event, committed with the run's success."""
    audit.record(f"test.work.{tag}", object_type="test")
    done = db.session.execute(
        sa.select(sa.func.count()).where(AuditEvent.action == f"test.work.{tag}")
    ).scalar_one()
    return {"events": done}


def refuse(tenant_id: int) -> None:
    raise ServiceError("nope", "Không được.")


def crash(tenant_id: int) -> None:
    audit.record("test.crash", object_type="test")
    raise RuntimeError("boom")


def slow_first_attempt(
    tenant_id: int, marker_dir: str, tag: str, hang: float = 60, release: str | None = None
) -> dict:
    """First attempt: say so in a file named with this process id and hang ``hang`` seconds, or
    until the file ``release`` exists (the test kills the worker, or only the worker and lets
    this work horse go on once the retry is done); then do the work."""
    run = current_job_run()
    Path(marker_dir, f"attempt-{run.attempts}-{os.getpid()}").write_text("started")
    if run.attempts == 1:
        report_progress(1, 2, "đang chạy")
        deadline = time.monotonic() + hang
        while time.monotonic() < deadline and not (release and Path(release).exists()):
            time.sleep(0.1)
    return do_work(tenant_id, tag)


def taken_over_midway(tenant_id: int, tag: str) -> dict:
    """A retry takes the run over (another worker started its attempt); then this does the work."""
    run = current_job_run()
    db.session.execute(
        sa.update(type(run))
        .where(type(run).tenant_id == run.tenant_id, type(run).id == run.id)
        .values(attempts=run.attempts + 1)
    )
    db.session.commit()
    return do_work(tenant_id, tag)
