"""Data feeds: the external systems that report results (one-stop, documents, disbursement),
their mappings, their own tokens, the batches as received, each record's outcome, the dossiers
projected from the records, and the indicator values of a period (fed, entered or imported).

A batch is stored as received before anything else happens; a job on the ``feeds`` queue then
decides each record (accepted, rejected with a reason, or held for a period not yet open) and
projects the accepted ones onto dossiers, and the dossiers onto the person's fed work
(``Assignment.feed_source_id``). Everything derived can be rebuilt from the records.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow
from tenant_app.models.users import _TokenColumns
from tenant_app.models.vocabulary import (
    FeedBatchStatus,
    FeedEvent,
    FeedKind,
    FeedRecordStatus,
    IndicatorOrigin,
    LatePolicy,
    values,
)


def _known(column: str, vocabulary) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values(vocabulary))})"


class FeedSource(TenantScoped, db.Model):
    """An external system that reports results for the unit, with its data-closing rule.

    The data of a period close on day ``closing_day`` of the month after the period ends, at
    ``closing_time`` local time (Asia/Ho_Chi_Minh); a record for a period whose data have closed
    is held for the next period or refused, as ``late_policy`` says.
    """

    __tablename__ = "feed_sources"

    code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    closing_day: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=3)
    closing_time: Mapped[time] = mapped_column(sa.Time, nullable=False, default=time(17, 0))
    late_policy: Mapped[str] = mapped_column(
        sa.String(8), nullable=False, default=LatePolicy.HOLD.value
    )
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "code"),
        sa.CheckConstraint(_known("kind", FeedKind), name="kind_known"),
        sa.CheckConstraint(_known("late_policy", LatePolicy), name="late_policy_known"),
        sa.CheckConstraint("closing_day BETWEEN 1 AND 28", name="closing_day_range"),
    )


class FeedOfficerMap(TenantScoped, db.Model):
    """The external system's officer id → a person of the unit."""

    __tablename__ = "feed_officer_maps"

    source_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    external_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)

    __table_args__ = (
        tenant_fk(["source_id"], "feed_sources", ondelete="CASCADE"),
        tenant_fk(["staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "source_id", "external_id"),
    )


class FeedItemMap(TenantScoped, db.Model):
    """The external procedure or task type → a work item or indicator of the catalogue."""

    __tablename__ = "feed_item_maps"

    source_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    external_code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    item_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)

    __table_args__ = (
        tenant_fk(["source_id"], "feed_sources", ondelete="CASCADE"),
        tenant_fk(["item_id"], "catalogue_items"),
        sa.UniqueConstraint("tenant_id", "source_id", "external_code"),
    )


class FeedToken(_TokenColumns, TenantScoped, db.Model):
    """The source's service account: a bearer token that may only post this source's records."""

    __tablename__ = "feed_tokens"

    source_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    __table_args__ = (
        tenant_fk(["source_id"], "feed_sources", ondelete="CASCADE"),
        tenant_fk(["created_by"], "users"),
        sa.UniqueConstraint("tenant_id", "token_hash"),
    )


class FeedBatch(TenantScoped, db.Model):
    """A batch of records exactly as received (the body's records and its SHA-256)."""

    __tablename__ = "feed_batches"

    source_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    channel: Mapped[str] = mapped_column(sa.String(8), nullable=False)  # api | csv | xlsx
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    record_count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    records: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=FeedBatchStatus.RECEIVED.value
    )
    accepted: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    held: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    duplicates: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    token_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    job_run_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    processed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        tenant_fk(["source_id"], "feed_sources", ondelete="CASCADE"),
        tenant_fk(["uploaded_by"], "users"),
        sa.CheckConstraint(_known("status", FeedBatchStatus), name="status_known"),
        sa.Index("ix_feed_batches_tenant_source_received", "tenant_id", "source_id", "received_at"),
    )


class FeedRecord(TenantScoped, db.Model):
    """One record of a batch and how it ended; unique per source, external id and event."""

    __tablename__ = "feed_records"

    source_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # index in the batch
    external_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    event: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    officer: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    item_code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)  # UTC
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 6))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    detail: Mapped[str | None] = mapped_column(sa.String(300))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    item_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    period_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # Set when the closing-time rule moved the record to the period after its own.
    moved_from_period_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    replays: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    __table_args__ = (
        tenant_fk(["source_id"], "feed_sources", ondelete="CASCADE"),
        tenant_fk(["batch_id"], "feed_batches", ondelete="CASCADE"),
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["item_id"], "catalogue_items"),
        tenant_fk(["period_id"], "periods"),
        sa.UniqueConstraint("tenant_id", "source_id", "external_id", "event"),
        sa.CheckConstraint(_known("event", FeedEvent), name="event_known"),
        sa.CheckConstraint(_known("status", FeedRecordStatus), name="status_known"),
        sa.Index("ix_feed_records_tenant_source_status", "tenant_id", "source_id", "status"),
    )


class FeedDossier(TenantScoped, db.Model):
    """What the accepted records of one dossier (or task) say within one period.

    Rebuilt from the records whenever one of them changes, so arrival order never matters.
    """

    __tablename__ = "feed_dossiers"

    source_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    external_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    item_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    settled_on: Mapped[date | None] = mapped_column(sa.Date)  # local date
    settled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    late: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    returned: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    carried: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    __table_args__ = (
        tenant_fk(["source_id"], "feed_sources", ondelete="CASCADE"),
        tenant_fk(["period_id"], "periods"),
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["item_id"], "catalogue_items"),
        sa.UniqueConstraint("tenant_id", "source_id", "external_id", "period_id"),
        sa.Index(
            "ix_feed_dossiers_work", "tenant_id", "source_id", "period_id", "staff_id", "item_id"
        ),
    )


class IndicatorValue(TenantScoped, db.Model):
    """One observed value of an indicator in a period: of the unit (no person) or of a person.

    From a feed (``record_id`` names the record), entered by hand or imported.
    """

    __tablename__ = "indicator_values"

    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    item_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 6), nullable=False)
    observed_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    origin: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    source_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    record_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    entered_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        tenant_fk(["item_id"], "catalogue_items"),
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["source_id"], "feed_sources", ondelete="CASCADE"),
        tenant_fk(["record_id"], "feed_records", ondelete="CASCADE"),
        tenant_fk(["entered_by"], "users"),
        sa.UniqueConstraint("tenant_id", "record_id"),
        sa.CheckConstraint(_known("origin", IndicatorOrigin), name="origin_known"),
        sa.Index("ix_indicator_values_period_item", "tenant_id", "period_id", "item_id"),
    )
