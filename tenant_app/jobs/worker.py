"""The rq worker and the periodic scheduler, bound to one Flask app created at start.

Retries rely on two rq mechanisms: ``Retry(max=3)`` on every job (``enqueue``) re-queues a job
whose attempt raised; and when a worker dies (SIGKILL, node lost) its job stays in the queue's
``StartedJobRegistry`` until its heartbeat expires (job monitoring interval + 60 s); the next
registry clean-up by any live worker (``maintenance_interval``) then treats it as abandoned and,
since it has retries left, re-queues it (``StartedJobRegistry.cleanup`` → ``job.retry``). The job
run row makes the retry safe: a run that already succeeded is skipped, and work is committed in
the same transaction as the success mark, which is a conditional UPDATE on the attempt number. rq
puts each work horse in its own process group, so a worker killed alone can leave its horse
running: when that orphan finishes after the retry began, its claim fails and its work is rolled
back (``runner._claim_success``).

The ``feeds``, ``scoring`` and ``rollout`` queues carry many short jobs (a batch of records, one
person's re-score, one unit of a rollout): a worker serving only them runs each job in its own
process (``AppSimpleWorker``, no fork per job, its database connections kept), which took a fork,
a new connection and rq's horse bookkeeping off every record's way to a score. For a rollout a
horse per unit cost more than the unit's work: the first rollout of a 60-item template took
about 600 ms per unit in a forked horse (cold imports, statement caches and a new connection in
every horse) against about 90 ms in the worker's process (docs/performance.md, "Rollout").
Killing such a worker kills its job with it; the retry is the same. The other queues (exports,
imports: long, memory-hungry jobs) keep a forked horse per job, so a job's memory is returned
when it ends.
"""

from __future__ import annotations

from flask import Flask
from rq import SimpleWorker, Worker

from tenant_app.background import runner
from tenant_app.background.queues import FEEDS, ROLLOUT, SCORING

# How often a worker cleans registries, i.e. notices jobs abandoned by a dead worker (seconds).
MAINTENANCE_INTERVAL = 60
# How long the command listener waits on Redis before it looks whether it should stop (seconds).
# rq waits 60 s; with redis-py 8 closing the listener waits for that read to end, so every stop
# of a worker (a burst run, a SIGTERM at deployment) took a minute.
PUBSUB_WAIT = 1
# Queues whose jobs are short and frequent: a worker serving only these does not fork per job.
NO_FORK_QUEUES = frozenset({FEEDS, SCORING, ROLLOUT})


class _InApp:
    """Runs every job inside the app context of the app the worker was started with."""

    app: Flask | None = None

    def perform_job(self, job, queue):
        app = self.app or runner._app()
        with app.app_context():
            return super().perform_job(job, queue)

    def subscribe(self):
        """Listen to this worker's command channel, waking every ``PUBSUB_WAIT`` seconds."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_WAIT, daemon=True, exception_handler=self._pubsub_exception_handler
        )


class AppWorker(_InApp, Worker):
    """A forking rq worker (one work horse per job) bound to the app."""

    def main_work_horse(self, job, queue):
        # A forked horse must not reuse the parent's database connections.
        if self.app is not None:
            from tenant_app.extensions import db

            with self.app.app_context():
                db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


class AppSimpleWorker(_InApp, SimpleWorker):
    """An rq worker that runs each job in its own process (no work horse), bound to the app."""


def forks(queues, fork: bool | None = None) -> bool:
    """Whether a worker on ``queues`` forks per job: as asked, else unless all are short-job."""
    if fork is not None:
        return fork
    return not set(queues) <= NO_FORK_QUEUES


def redis_connection(app: Flask):
    """Return a Redis client for ``KPI_REDIS_URL``; raises RuntimeError when it is not set."""
    url = app.config.get("KPI_REDIS_URL")
    if not url:
        raise RuntimeError("KPI_REDIS_URL is not set: jobs run in-process, no worker is needed")
    from redis import Redis

    return Redis.from_url(url)


def run_worker(
    app: Flask,
    queues,
    *,
    burst: bool = False,
    with_scheduler: bool = True,
    fork: bool | None = None,
) -> bool:
    """Work on ``queues`` until stopped (or until empty with ``burst``); return rq's verdict.

    ``fork`` None: fork per job unless every queue is in ``NO_FORK_QUEUES``.
    """
    runner.bind_app(app)
    connection = redis_connection(app)
    worker_class = AppWorker if forks(queues, fork) else AppSimpleWorker
    worker = worker_class(
        list(queues), connection=connection, maintenance_interval=MAINTENANCE_INTERVAL
    )
    worker.app = app
    return worker.work(burst=burst, with_scheduler=with_scheduler)


def build_scheduler(app: Flask):
    """Return an rq CronScheduler with every entry of ``schedule.PERIODIC`` registered."""
    from rq.cron import CronScheduler

    from tenant_app.jobs.schedule import PERIODIC

    scheduler = CronScheduler(connection=redis_connection(app))
    for entry in PERIODIC:
        scheduler.register(
            runner.execute,
            entry.queue,
            args=(entry.func, None, None, (), {}),
            cron=entry.cron,
            name=entry.name,
        )
    return scheduler
