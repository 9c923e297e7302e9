"""Data-feed jobs (queue ``feeds``): decide a received batch, replay corrected records."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.feeds import FeedBatch
from tenant_app.services.errors import ServiceError
from tenant_app.services.feeds import processing, sources


def process_batch(tenant_id: int, batch_id: str) -> dict:
    """Decide every record of the batch and apply the accepted ones.

    One transaction, committed by the runner with the run's success mark: a worker killed
    mid-batch leaves nothing applied and the retry starts afresh; a batch already processed is
    not applied again.
    """
    batch = db.session.get(FeedBatch, (tenant_id, uuid.UUID(batch_id)))
    if batch is None:
        raise ServiceError("not_found", _("Không tìm thấy lô dữ liệu."))
    return processing.process_batch(batch)


def replay(tenant_id: int, source_id: str, record_ids=None) -> dict:
    """Decide again the source's rejected and held records (or ``record_ids``)."""
    return processing.replay(sources.get_source(source_id), record_ids)


def replay_held(tenant_id: int) -> dict:
    """Decide again every source's held records (a period was opened: they may fit now)."""
    outcome: dict = {}
    for source in sources.list_sources():
        outcome[source.code] = processing.replay(source, held_only=True)
    return outcome
