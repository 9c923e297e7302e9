"""A decided batch carries its people's new scores in its own transaction: with jobs on Redis
and no scoring worker at all, the score is there as soon as the batch is."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tenant_app.background import paths
from tenant_app.background.runner import execute
from tenant_app.extensions import db
from tenant_app.models import FeedBatch, PeriodScore
from tenant_app.tenancy import tenant_context
from tests.feeds.conftest import post, record
from tests.helpers import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set KPI_TEST_REDIS_URL")


@pytest.fixture()
def queued_app(app):
    """Jobs go to Redis; no worker runs them (the test runs the feed job itself)."""
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.config["KPI_REDIS_URL"] = REDIS_URL
    yield app
    connection.flushdb()
    connection.close()


def test_the_batch_commits_the_new_score_with_its_records(queued_app, client, tenant_a, fed_ward):
    records = [record("d1", "received"), record("d1", "settled", at="2026-11-12T08:00")]
    body = post(client, fed_ward["token"], records)
    assert body.status_code == 202 and body.get_json()["status"] == "received"
    with tenant_context(tenant_a):
        batch = db.session.get(FeedBatch, (tenant_a.id, uuid.UUID(body.get_json()["id"])))
        run_id = str(batch.job_run_id)
        db.session.commit()
    execute(paths.FEED_PROCESS_BATCH, tenant_a.id, run_id, (body.get_json()["id"],))
    db.session.expire_all()
    with tenant_context(tenant_a):
        score = db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == fed_ward["clerk"])
        ).scalar_one_or_none()
        assert score is not None and (score.a, score.b, score.c) == (100, 100, 100)


def test_the_batch_takes_back_the_rescore_jobs_it_did(queued_app, client, tenant_a, fed_ward):
    """The people re-scored in the batch's transaction leave no re-score job in the queue."""
    from redis import Redis
    from rq import Queue

    records = [record("d2", "received"), record("d2", "settled", at="2026-11-12T08:00")]
    body = post(client, fed_ward["token"], records)
    with tenant_context(tenant_a):
        batch = db.session.get(FeedBatch, (tenant_a.id, uuid.UUID(body.get_json()["id"])))
        run_id = str(batch.job_run_id)
        db.session.commit()
    execute(paths.FEED_PROCESS_BATCH, tenant_a.id, run_id, (body.get_json()["id"],))
    connection = Redis.from_url(REDIS_URL)
    queued = [job.args[0] for job in Queue("scoring", connection=connection).jobs]
    connection.close()
    assert paths.RESCORE_PERSON not in queued
