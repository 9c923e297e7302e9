"""The calendar as data: what the scheduler did at each window end, and extended windows.

``CalendarEvent`` is the scheduler's own record, one row per (subject, event, deadline): a
period's window that ended ("report", "self_assessment", "review", "approval"), its automatic
closing ("closed") and locking ("locked"), or a year's annual classification deadline
("annual", subject "year:2026"). The unique key is what makes the daily run idempotent: a run
repeated or restarted finds the row and does nothing twice; an extended window has a new
deadline, so its end is recorded again.

``WindowExtension`` is one extension of one window of a period by an administrator, with the
old and new deadlines and the reason (the period's ``*_until`` column holds the new deadline).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow

# The windows of a period, in the order the workflow runs them.
WINDOWS = ("report", "self_assessment", "review", "approval")
CALENDAR_EVENTS = (*WINDOWS, "closed", "locked", "annual")
MIN_EXTENSION_REASON = 10


class CalendarEvent(TenantScoped, db.Model):
    """A window end (or an automatic close or lock) the scheduler has already handled."""

    __tablename__ = "calendar_events"
    __revision_neutral__ = frozenset({"*"})

    subject: Mapped[str] = mapped_column(sa.String(64), nullable=False)  # period id, "year:2026"
    period_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    event: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    deadline: Mapped[date] = mapped_column(sa.Date, nullable=False)
    happened_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    # What was still pending at that moment, e.g. {"unsubmitted": 3} or {"unapproved": 2}.
    pending: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        sa.UniqueConstraint("tenant_id", "subject", "event", "deadline"),
        sa.CheckConstraint(
            "event IN (" + ", ".join(repr(e) for e in CALENDAR_EVENTS) + ")", name="event_known"
        ),
    )


class WindowExtension(TenantScoped, db.Model):
    """One window of one period extended, with the reason and who did it."""

    __tablename__ = "window_extensions"

    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    window_name: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    old_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    new_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(1000), nullable=False)
    # A unit user's name or a province account's name (province accounts are not unit users).
    extended_by: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        sa.Index("ix_window_extensions_tenant_period", "tenant_id", "period_id"),
        sa.CheckConstraint("new_until > old_until", name="later"),
        sa.CheckConstraint(
            "window_name IN (" + ", ".join(repr(w) for w in WINDOWS) + ")", name="window_known"
        ),
    )
