"""Row makers of the data-feed tables: sources, mappings, tokens, batches, records, dossiers,
indicator values."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.feeds import (
    FeedBatch,
    FeedDossier,
    FeedItemMap,
    FeedOfficerMap,
    FeedRecord,
    FeedSource,
    FeedToken,
    IndicatorValue,
)
from tenant_app.tenancy import tenant_context
from tests.tenancy.makers.evaluation import _period
from tests.tenancy.makers.workspace import _item, _staff


def _add(tenant, row):
    with tenant_context(tenant):
        db.session.add(row)
        db.session.commit()
    return row


def _source(factory, tenant, tag):
    code = "s-" + hashlib.sha256(tag.encode()).hexdigest()[:12]
    return _add(tenant, FeedSource(code=code, name=f"Nguồn {tag}", kind="one_stop"))


def _officer_map(factory, tenant, tag):
    source = _source(factory, tenant, f"o{tag}")
    person = _staff(factory, tenant, f"fo{tag}")
    return _add(tenant, FeedOfficerMap(source_id=source.id, external_id=tag, staff_id=person.id))


def _item_map(factory, tenant, tag):
    source = _source(factory, tenant, f"i{tag}")
    item = _item(factory, tenant, f"fi{tag}")
    return _add(tenant, FeedItemMap(source_id=source.id, external_code=tag, item_id=item.id))


def _token(factory, tenant, tag):
    source = _source(factory, tenant, f"t{tag}")
    return _add(
        tenant,
        FeedToken(
            source_id=source.id,
            token_hash=hashlib.sha256(tag.encode()).hexdigest(),
            name=tag,
            expires_at=utcnow() + timedelta(days=1),
        ),
    )


def _batch(factory, tenant, tag):
    source = _source(factory, tenant, f"b{tag}")
    return _add(
        tenant,
        FeedBatch(
            source_id=source.id,
            channel="api",
            filename=tag,
            sha256="0" * 64,
            record_count=0,
            records=[],
        ),  # fmt: skip
    )


def _record(factory, tenant, tag):
    batch = _batch(factory, tenant, f"r{tag}")
    return _add(
        tenant,
        FeedRecord(
            source_id=batch.source_id,
            batch_id=batch.id,
            position=0,
            external_id=tag,
            event="received",
            officer="x",
            item_code="y",
            occurred_at=datetime(2026, 11, 2),
            received_at=utcnow(),
            status="rejected",
            reason="unknown_officer",
            detail=tag,
        ),  # fmt: skip
    )


def _dossier(factory, tenant, tag):
    source = _source(factory, tenant, f"d{tag}")
    period = _period(factory, tenant, f"fd{tag}")
    person = _staff(factory, tenant, f"fd{tag}")
    item = _item(factory, tenant, f"fd{tag}")
    return _add(
        tenant,
        FeedDossier(
            source_id=source.id,
            external_id=tag,
            period_id=period.id,
            staff_id=person.id,
            item_id=item.id,
            due_on=date(2026, 11, 20),
        ),  # fmt: skip
    )


def _indicator_value(factory, tenant, tag):
    period = _period(factory, tenant, f"iv{tag}")
    item = _item(factory, tenant, f"iv{tag}")
    return _add(
        tenant,
        IndicatorValue(
            period_id=period.id,
            item_id=item.id,
            value=Decimal("95.5"),
            observed_at=utcnow(),
            origin="entry",
            note=tag,
        ),  # fmt: skip
    )


MAKERS = {
    "feed_sources": (_source, "name"),
    "feed_officer_maps": (_officer_map, "external_id"),
    "feed_item_maps": (_item_map, "external_code"),
    "feed_tokens": (_token, "name"),
    "feed_batches": (_batch, "filename"),
    "feed_records": (_record, "detail"),
    "feed_dossiers": (_dossier, "external_id"),
    "indicator_values": (_indicator_value, "note"),
}
