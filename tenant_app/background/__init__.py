"""Running work in the background: queue names, job paths, ``enqueue``, after-commit effects.

Services start jobs through this package, by path (``paths``), and never import
``tenant_app.jobs``; the job functions there import the services they wrap. The contract of a job
function (ARCHITECTURE "Jobs and real time", STYLE rule 8):

- a job is a plain function importable by dotted path, ``func(tenant_id, *args, **kwargs)``;
  ``tenant_id`` comes first — a province-level job receives ``None`` and says so in its docstring;
- the runner calls it inside an app context and, for a tenant job, inside ``tenant_context``; it
  never reads ``g`` or ``request``;
- with a ``job_run_id`` the runner keeps the ``job_runs`` row up to date (status, attempts, times),
  stores the returned dict as ``result`` and commits it *together with the job's own writes*, so
  a job that did its work is marked succeeded in the same transaction; a run already succeeded is
  not run again, and an attempt superseded by a retry commits nothing; the job calls
  ``report_progress(done, total)`` at safe points (it commits);
- raising ``ServiceError`` fails the run for good (no retry; a ``result`` attribute set on the
  error is stored on the run); any other exception rolls the job's writes back and fails the
  attempt, and rq retries it (``Retry(max=3)``), as it does for a worker killed mid-job.

What must follow a commit (re-scoring a person, refreshing the comparison) is not enqueued by the
caller: a service calls ``after_commit(...)`` while it changes the data, and the one hook that
``init_app`` registers enqueues it once the transaction is committed (nothing on a rollback).
"""

from __future__ import annotations

from tenant_app.background import paths
from tenant_app.background.effects import after_commit, init_app, pending, requested, withdraw
from tenant_app.background.queues import ALL_QUEUES, DEFAULT, FEEDS, IO, ROLLOUT, SCORING
from tenant_app.background.runner import current_job_run, enqueue, execute, report_progress

__all__ = [
    "ALL_QUEUES",
    "DEFAULT",
    "FEEDS",
    "IO",
    "ROLLOUT",
    "SCORING",
    "after_commit",
    "current_job_run",
    "enqueue",
    "execute",
    "init_app",
    "paths",
    "pending",
    "report_progress",
    "requested",
    "withdraw",
]
