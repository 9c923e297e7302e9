"""Run a job: in-process (embedded mode) or through rq, always in an app and tenant context.

rq only ever sees one function, ``execute(func_path, tenant_id, job_run_id, args, kwargs)``: it
builds the contexts, keeps the ``job_runs`` row current and calls the job function by path.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from tenant_app.background.queues import ALL_QUEUES, JOB_TIMEOUT, MAX_RETRIES
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.jobs import JobRun
from tenant_app.models.tenants import Tenant
from tenant_app.models.vocabulary import JobStatus
from tenant_app.services.errors import ServiceError
from tenant_app.tenancy.context import tenant_context

log = logging.getLogger(__name__)

# (tenant id, job run id) of the run executing in this context, for report_progress.
_current: ContextVar[tuple[int, uuid.UUID] | None] = ContextVar("kpi_job_run", default=None)
_bound_app: Flask | None = None


def bind_app(app: Flask) -> None:
    """Make ``app`` the app that jobs run in when no app context is active (the worker's)."""
    global _bound_app
    _bound_app = app


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()
    if _bound_app is None:
        raise RuntimeError("no app for the job: run workers with `kpi worker` (it binds one)")
    return _bound_app


def func_path(func) -> str:
    """Return the dotted path of a job function (a path is returned unchanged)."""
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def _resolve(path: str):
    module, _sep, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def enqueue(
    queue: str,
    func,
    tenant_id: int | None,
    *args,
    job_run_id=None,
    rq_job_id=None,
    absorb=False,
    commit=True,
    **kwargs,
):
    """Run ``func(tenant_id, *args, **kwargs)`` as a job on ``queue``; return the rq job id.

    With ``KPI_REDIS_URL`` the job goes to rq (retried up to MAX_RETRIES times); without it, it
    runs here and now, synchronously, in a fresh app context, and None is returned. Commits the
    caller's session first: the job must see the rows it is about to work on. ``job_run_id``
    names a ``job_runs`` row of ``tenant_id`` that the run keeps up to date; ``rq_job_id`` fixes
    the rq job id, a fresh one otherwise; with ``absorb`` nothing is enqueued while a job of
    that id still waits (its run will read everything afresh). ``commit=False`` is for callers
    that run after a commit (a session hook) and have nothing left to commit.
    """
    if queue not in ALL_QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    path = func_path(func)
    run_id = None if job_run_id is None else str(job_run_id)
    app = current_app._get_current_object()
    url = app.config.get("KPI_REDIS_URL")
    rq_job_id = (rq_job_id or str(uuid.uuid4())) if url else None
    if run_id is not None:
        _mark_queued(tenant_id, uuid.UUID(run_id), queue, rq_job_id)
    if commit:
        db.session.commit()
    if not url:
        try:
            execute(path, tenant_id, run_id, tuple(args), kwargs)
        except Exception:
            if run_id is None:
                raise
            # The run row already says it failed; the caller reads the status from there.
            log.exception("in-process job %s failed", path)
        return None

    from redis import Redis
    from rq import Queue, Retry

    connection = Redis.from_url(url)
    if absorb and rq_job_id is not None and _waiting(connection, rq_job_id):
        return rq_job_id
    rq_queue = Queue(queue, connection=connection)
    rq_queue.enqueue(
        execute,
        args=(path, tenant_id, run_id, tuple(args), kwargs),
        job_id=rq_job_id,
        retry=Retry(max=MAX_RETRIES),
        job_timeout=JOB_TIMEOUT[queue],
        result_ttl=86400,
        failure_ttl=7 * 86400,
        description=f"{path} tenant={tenant_id} run={run_id}",
    )
    return rq_job_id


def _waiting(connection, rq_job_id: str) -> bool:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(rq_job_id, connection=connection)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=True) in ("queued", "deferred", "scheduled")


def _mark_queued(tenant_id, run_id: uuid.UUID, queue: str, rq_job_id: str | None) -> None:
    tenant = db.session.get(Tenant, tenant_id)
    with tenant_context(tenant):
        run = db.session.get(JobRun, (tenant_id, run_id))
        if run is None:
            raise LookupError(f"job run {run_id} not found in tenant {tenant_id}")
        if run.status != JobStatus.SUCCEEDED:
            run.status = JobStatus.QUEUED
        run.queue = queue
        run.rq_job_id = rq_job_id
        db.session.commit()


def execute(func_path: str, tenant_id: int | None, job_run_id=None, args=(), kwargs=None):
    """Call the job function inside a fresh app context (and the tenant's context).

    Returns the job's result. Re-raises unexpected errors so that rq retries the job.
    """
    with _app().app_context():
        try:
            return _execute(func_path, tenant_id, job_run_id, tuple(args or ()), kwargs or {})
        finally:
            db.session.remove()


def _execute(path, tenant_id, job_run_id, args, kwargs):
    func = _resolve(path)
    if tenant_id is None:
        if job_run_id is not None:
            raise ValueError("a province-level job (tenant_id None) has no job run")
        return func(None, *args, **kwargs)
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        log.warning("job %s skipped: tenant %s does not exist", path, tenant_id)
        return None
    with tenant_context(tenant):
        run = None
        if job_run_id is not None:
            run = db.session.get(JobRun, (tenant_id, uuid.UUID(str(job_run_id))))
            if run is None:
                raise LookupError(f"job run {job_run_id} not found in tenant {tenant_id}")
            if run.status == JobStatus.SUCCEEDED:
                log.info("job run %s already succeeded: not run again", run.id)
                return run.result
            run.status = JobStatus.RUNNING
            run.attempts = JobRun.attempts + 1  # in SQL: two workers starting count twice
            run.started_at = utcnow()
            run.finished_at = None
            run.message = None
            db.session.commit()
        attempt = run.attempts if run is not None else None
        token = _current.set((tenant_id, run.id) if run else None)
        try:
            result = func(tenant_id, *args, **kwargs)
        except ServiceError as exc:
            db.session.rollback()
            result = getattr(exc, "result", None)
            _finish(run, attempt, JobStatus.FAILED, message=exc.message, result=result)
            return None
        except Exception as exc:
            db.session.rollback()
            retry = _will_retry()
            _finish(
                run,
                attempt,
                JobStatus.QUEUED if retry else JobStatus.FAILED,
                message=f"{type(exc).__name__}: {exc}"[:500],
            )
            raise
        finally:
            _current.reset(token)
        if run is not None and not _claim_success(run, attempt, result):
            # Another worker took the run over (this one's parent died and rq handed the job on):
            # its attempt owns the run now, so this attempt's work is thrown away.
            db.session.rollback()
            log.warning("job run %s: attempt %s superseded, work discarded", run.id, attempt)
            return None
        # One commit: the job's own writes and its success mark, or neither.
        db.session.commit()
        return result


def _claim_success(run: JobRun, attempt: int, result) -> bool:
    """Mark the run succeeded if ``attempt`` still owns it (in the job's own transaction).

    The check and the mark are one conditional UPDATE: a later attempt (a retry started while
    this one was thought dead) bumped ``attempts`` first, or an earlier one already succeeded,
    and then nothing is marked and the caller rolls the work back.
    """
    values = {
        "status": JobStatus.SUCCEEDED,
        "finished_at": utcnow(),
        "message": None,
        "progress_done": sa.func.coalesce(JobRun.progress_total, JobRun.progress_done),
    }
    if result is not None:
        values["result"] = result
    claimed = db.session.execute(
        sa.update(JobRun)
        .where(
            JobRun.tenant_id == run.tenant_id,
            JobRun.id == run.id,
            JobRun.attempts == attempt,
            JobRun.status == JobStatus.RUNNING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _will_retry() -> bool:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # not in an rq worker
        return False
    return job is not None and (job.retries_left or 0) > 0


def _finish(
    run: JobRun | None, attempt: int | None, status: JobStatus, *, message: str | None, result=None
) -> None:
    """Record how ``attempt`` ended, unless a later attempt has taken the run over."""
    if run is None:
        return
    run = db.session.get(JobRun, (run.tenant_id, run.id), populate_existing=True)
    if run.attempts != attempt or run.status != JobStatus.RUNNING:
        log.warning("job run %s: attempt %s ended after it was superseded", run.id, attempt)
        db.session.rollback()
        return
    run.status = status
    run.message = message
    if result is not None:
        run.result = result
    run.finished_at = utcnow() if status.finished else None
    db.session.commit()


def current_job_run() -> JobRun | None:
    """Return the ``job_runs`` row of the job executing in this context, or None."""
    current = _current.get()
    return None if current is None else db.session.get(JobRun, current)


def report_progress(done: int, total: int | None = None, message: str | None = None) -> None:
    """Record progress on the current run and commit the session (no-op outside a run).

    Call it between units of work, never inside the one transaction a job must commit at once.
    """
    run = current_job_run()
    if run is None:
        return
    run.progress_done = done
    if total is not None:
        run.progress_total = total
    if message is not None:
        run.message = message[:500]
    db.session.commit()
