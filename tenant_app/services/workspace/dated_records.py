"""A person's dated records (leaves, deputies' fields): the row overlapping a span, who recorded
it, and the audited add and removal — what ``absences`` and ``deputy_fields`` share."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app import audit
from tenant_app.extensions import db


def day(value: date | None) -> str:
    """dd/mm/yyyy, or "…" for an open end (messages name a clashing record's dates)."""
    return "…" if value is None else value.strftime("%d/%m/%Y")


def first_overlap(model, staff_id, starts_on: date, ends_on: date | None, *where):
    """A row of ``model`` of ``staff_id`` (and ``where``) in force on some day of
    ``starts_on``–``ends_on`` (None: open-ended; a row's own open end runs on), else None."""
    stmt = sa.select(model).where(
        model.staff_id == staff_id,
        sa.or_(model.ends_on.is_(None), model.ends_on >= starts_on),
        *where,
    )
    if ends_on is not None:
        stmt = stmt.where(model.starts_on <= ends_on)
    return db.session.execute(stmt.limit(1)).scalar_one_or_none()


def recorder(actor):
    """The user id a row records as its author (none for the province acting in the unit)."""
    return None if getattr(actor, "is_province", False) else actor.id


def added(row, action: str, object_type: str, fields, *, actor):
    """Add ``row`` and audit ``action`` with its ``fields`` as they now are; returns it."""
    db.session.add(row)
    db.session.flush()
    _audit(row, action, object_type, actor, after={name: getattr(row, name) for name in fields})
    return row


def removed(row, action: str, object_type: str, fields, *, actor) -> None:
    """Audit ``action`` with ``row``'s ``fields`` as they were, then delete it."""
    _audit(row, action, object_type, actor, before={name: getattr(row, name) for name in fields})
    db.session.delete(row)


def _audit(row, action: str, object_type: str, actor, **change) -> None:
    audit.record(action, object_type=object_type, object_id=row.id, actor=actor, **change)
