"""Results received on transfer, as the annual classification counts them beside the unit's own.

A person transferred in on date D brings the published results of their old unit
(``ReceivedResult``, written by ``tenancy.door.transfer_write``). For the year, each period
counts once: where a received result and an own score cover some of the same days, the received
one counts if the own period starts before D (the person worked those days in the old unit), the
own one if it starts on or after D. Each received result is a ``PeriodTotal`` whose
``source_unit`` is the old unit's name, so the explanation says where it came from.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from scoring import PeriodTotal
from scoring.service_time import Absence, PeriodService
from tenant_app.extensions import db
from tenant_app.models.transfers import ReceivedResult, StaffTransfer


@dataclass(frozen=True)
class Dated:
    """A period total with its dates, and whether it was received (for the overlap rule)."""

    starts_on: date
    ends_on: date
    total: PeriodTotal
    received: bool = False


def _service(data: dict | None) -> PeriodService | None:
    if not data:
        return None
    spans = tuple(
        Absence(
            a["kind"],
            date.fromisoformat(a["starts_on"]),
            date.fromisoformat(a["ends_on"]),
            a.get("reference"),
        )
        for a in data.get("absences", ())
    )
    return PeriodService(data["days_in_period"], data["days_in_post"], data["days_absent"], spans)


def received_of(year: int, staff_ids=None) -> dict[uuid.UUID, list[Dated]]:
    """{staff id: [Dated]} of the results received for ``year`` in the unit in context."""
    stmt = sa.select(ReceivedResult).where(ReceivedResult.year == year)
    if staff_ids is not None:
        stmt = stmt.where(ReceivedResult.staff_id.in_(list(staff_ids)))
    found: dict[uuid.UUID, list[Dated]] = {}
    for row in db.session.execute(stmt.order_by(ReceivedResult.starts_on)).scalars():
        total = PeriodTotal(
            row.period_code,
            row.total_exact,
            source_unit=row.source_unit_name,
            forced_fail=row.forced_fail,
            service=_service(row.service),
        )
        found.setdefault(row.staff_id, []).append(Dated(row.starts_on, row.ends_on, total, True))
    return found


def arrival_dates(staff_ids) -> dict[uuid.UUID, date]:
    """{staff id: the date they were transferred in} (the latest arrival of each)."""
    rows = db.session.execute(
        sa.select(StaffTransfer.staff_id, sa.func.max(StaffTransfer.effective_on))
        .where(StaffTransfer.direction == "in", StaffTransfer.staff_id.in_(list(staff_ids)))
        .group_by(StaffTransfer.staff_id)
    ).all()
    return dict(rows)


def _overlap(a: Dated, b: Dated) -> bool:
    return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on


def merge(own: list[Dated], received: list[Dated], arrived: date | None) -> list[PeriodTotal]:
    """The periods of the year in date order, each counted once (see the module's docstring).

    ``arrived`` is the transfer date; without one (no arrival recorded) every received result
    gives way to an own period it overlaps.
    """
    kept_own = []
    dropped_received: set[int] = set()
    for o in own:
        clashing = [i for i, r in enumerate(received) if _overlap(o, r)]
        if not clashing:
            kept_own.append(o)
        elif arrived is not None and o.starts_on < arrived:
            continue  # days worked in the old unit: its result counts
        else:
            kept_own.append(o)
            dropped_received.update(clashing)
    kept = kept_own + [r for i, r in enumerate(received) if i not in dropped_received]
    kept.sort(key=lambda d: (d.starts_on, d.received))
    return [d.total for d in kept]
