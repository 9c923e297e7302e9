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
"""

from __future__ import annotations

from flask import Flask
from rq import Worker

from tenant_app.background import runner

# How often a worker cleans registries, i.e. notices jobs abandoned by a dead worker (seconds).
MAINTENANCE_INTERVAL = 60
# How long the command listener waits on Redis before it looks whether it should stop (seconds).
# rq waits 60 s; with redis-py 8 closing the listener waits for that read to end, so every stop
# of a worker (a burst run, a SIGTERM at deployment) took a minute.
PUBSUB_WAIT = 1


class AppWorker(Worker):
    """An rq worker that runs every job inside the app context of the app it was started with."""

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

    def main_work_horse(self, job, queue):
        # A forked horse must not reuse the parent's database connections.
        if self.app is not None:
            from tenant_app.extensions import db

            with self.app.app_context():
                db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def redis_connection(app: Flask):
    """Return a Redis client for ``KPI_REDIS_URL``; raises RuntimeError when it is not set."""
    url = app.config.get("KPI_REDIS_URL")
    if not url:
        raise RuntimeError("KPI_REDIS_URL is not set: jobs run in-process, no worker is needed")
    from redis import Redis

    return Redis.from_url(url)


def run_worker(app: Flask, queues, *, burst: bool = False, with_scheduler: bool = True) -> bool:
    """Work on ``queues`` until stopped (or until empty with ``burst``); return rq's verdict."""
    runner.bind_app(app)
    connection = redis_connection(app)
    worker = AppWorker(
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
