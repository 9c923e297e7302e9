"""Transfers between units, the records: who came and went, for the units and the province.

Each unit lists its own side (``StaffTransfer``) on its staff pages; the province console lists
the transfers from the province audit chain (``staff.transfer``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.audit import ProvinceAuditEvent
from tenant_app.models.tenants import Tenant
from tenant_app.models.transfers import StaffTransfer


def transfers_of(staff_ids=None) -> dict[uuid.UUID, list[StaffTransfer]]:
    """{staff id: [StaffTransfer]} of the unit in context, newest first (for the staff pages)."""
    stmt = sa.select(StaffTransfer).order_by(StaffTransfer.effective_on.desc())
    if staff_ids is not None:
        stmt = stmt.where(StaffTransfer.staff_id.in_(list(staff_ids)))
    found: dict[uuid.UUID, list[StaffTransfer]] = {}
    for row in db.session.execute(stmt).scalars():
        found.setdefault(row.staff_id, []).append(row)
    return found


@dataclass(frozen=True)
class RecentTransfer:
    """A transfer as the province console lists it (from the province audit chain)."""

    occurred_at: object
    actor_name: str | None
    full_name: str
    staff_code: str
    from_unit: str
    to_unit: str
    effective_on: date
    reference: str
    results_moved: int


def recent(limit: int = 50) -> list[RecentTransfer]:
    """The province's latest transfers (its audit events ``staff.transfer``), newest first,
    units by name."""
    names = dict(db.session.execute(sa.select(Tenant.slug, Tenant.name)).all())
    events = db.session.execute(
        sa.select(ProvinceAuditEvent)
        .where(ProvinceAuditEvent.action == "staff.transfer")
        .order_by(ProvinceAuditEvent.seq.desc())
        .limit(limit)
    ).scalars()
    return [
        RecentTransfer(
            occurred_at=e.occurred_at, actor_name=e.actor_name,
            full_name=e.after.get("full_name", ""), staff_code=e.after.get("staff_code", ""),
            from_unit=names.get(e.after.get("from_unit"), e.after.get("from_unit", "")),
            to_unit=names.get(e.after.get("to_unit"), e.after.get("to_unit", "")),
            effective_on=date.fromisoformat(str(e.after.get("effective_on"))),
            reference=e.after.get("reference", ""),
            results_moved=len(e.after.get("results_moved") or ()),
        )
        for e in events
    ]  # fmt: skip


def note(row: StaffTransfer) -> str:
    """``Chuyển đến từ Phường A ngày 01/10/2026`` or ``Đã chuyển đến Phường B ngày 01/10/2026``
    (the date is the first day in the new unit), with the decision."""
    day = row.effective_on.strftime("%d/%m/%Y")
    if row.direction == "in":
        text = _("Chuyển đến từ %(unit)s ngày %(d)s", unit=row.other_unit_name, d=day)
    else:
        text = _("Đã chuyển đến %(unit)s ngày %(d)s", unit=row.other_unit_name, d=day)
    return text + " " + _("(quyết định %(ref)s)", ref=row.reference)


def notes_of(staff_ids) -> dict[uuid.UUID, list[str]]:
    """{staff id: [note]} of the unit in context, newest first (for the staff pages)."""
    return {sid: [note(r) for r in rows] for sid, rows in transfers_of(staff_ids).items()}
