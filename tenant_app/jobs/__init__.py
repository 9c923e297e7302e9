"""Background jobs: queue names, ``enqueue`` (rq on Redis, or in-process), progress reporting.

Job function contract (ARCHITECTURE "Jobs and real time", STYLE rule 8):

- a job is a plain function importable by dotted path, ``func(tenant_id, *args, **kwargs)``;
  ``tenant_id`` comes first — a province-level job receives ``None`` and says so in its docstring;
- the runner calls it inside an app context and, for a tenant job, inside ``tenant_context``; it
  never reads ``g`` or ``request``;
- with a ``job_run_id`` the runner keeps the ``job_runs`` row up to date (status, attempts, times),
  stores the returned dict as ``result`` and commits it *together with the job's own writes*, so
  a job that did its work is marked succeeded in the same transaction; a run already succeeded is
  not run again; the job calls ``report_progress(done, total)`` at safe points (it commits);
- raising ``ServiceError`` fails the run for good (no retry; a ``result`` attribute set on the
  error is stored on the run); any other exception rolls the job's writes back and fails the
  attempt, and rq retries it (``Retry(max=3)``), as it does for a worker killed mid-job.
"""

from __future__ import annotations

from tenant_app.jobs.queues import ALL_QUEUES, DEFAULT, IO, ROLLOUT, SCORING
from tenant_app.jobs.runner import current_job_run, enqueue, execute, report_progress

__all__ = [
    "ALL_QUEUES",
    "DEFAULT",
    "IO",
    "ROLLOUT",
    "SCORING",
    "current_job_run",
    "enqueue",
    "execute",
    "report_progress",
]
