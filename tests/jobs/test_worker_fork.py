"""Which workers fork a work horse per job: only those serving a long-job queue."""

from __future__ import annotations

from rq import SimpleWorker, Worker

from tenant_app.jobs.worker import AppSimpleWorker, AppWorker, forks


def test_short_job_queues_run_in_the_worker_process():
    assert forks(["feeds"]) is False
    assert forks(["scoring"]) is False
    assert forks(["scoring", "feeds"]) is False


def test_rollout_workers_run_each_unit_in_the_worker_process():
    """A rollout's job is one unit (about 90 ms): a forked horse per unit cost six times that."""
    assert forks(["rollout"]) is False
    assert forks(["rollout", "scoring"]) is False


def test_any_long_job_queue_forks():
    assert forks(["io"]) is True
    assert forks(["scoring", "io"]) is True
    assert forks(["scoring", "feeds", "rollout", "io", "default"]) is True


def test_the_operator_decides_when_asked():
    assert forks(["feeds"], fork=True) is True
    assert forks(["io"], fork=False) is False


def test_both_worker_kinds_run_jobs_in_the_app():
    assert issubclass(AppSimpleWorker, SimpleWorker) and not issubclass(AppSimpleWorker, AppWorker)
    assert issubclass(AppWorker, Worker)
    assert AppSimpleWorker.perform_job is AppWorker.perform_job
