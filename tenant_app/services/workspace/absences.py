"""Absences: record a person's leave with its document, list them, and read a period's service.

A leave is recorded by the unit administrator, or by a manager for the people of the units they
manage; two leaves of one person never overlap, and a leave lies within the person's service.
``services_of`` turns join/leave dates and leaves into ``scoring.PeriodService`` for the annual
classification (days worked / days in the period, exact).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring.service_time import Absence as AbsenceSpan
from scoring.service_time import PeriodService, YearService, period_service, year_service
from tenant_app.extensions import db
from tenant_app.models.staff import Absence, StaffAssignment, StaffMember
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.workspace import dated_records, staff
from tenant_app.services.workspace.lookup import get_scoped

# What the audit records of a leave when it is added or removed.
AUDITED = ("staff_id", "kind", "starts_on", "ends_on", "reference")


def may_record(user, person: StaffMember | None = None) -> bool:
    """Unit administrators for anyone; a manager for the people of the units they manage."""
    if user is None or getattr(user, "is_province", False):
        return False
    if user.has_role("unit_admin"):
        return True
    if not user.has_role("manager"):
        return False
    if person is None:
        return True
    post = staff.current_assignment(person.id)
    return post is not None and post.org_unit_id in staff.managed_unit_ids(user)


def recordable_people(user) -> list[StaffMember]:
    """The people ``user`` may record a leave for, by name (current staff only)."""
    stmt = sa.select(StaffMember).where(StaffMember.end_date.is_(None))
    if not user.has_role("unit_admin"):
        units = staff.managed_unit_ids(user)
        if not units:
            return []
        posts = sa.select(StaffAssignment.staff_id).where(
            StaffAssignment.effective_to.is_(None),
            StaffAssignment.org_unit_id.in_(list(units)),
        )
        stmt = stmt.where(StaffMember.id.in_(posts))
    return list(db.session.execute(stmt.order_by(StaffMember.full_name)).scalars())


def names_of(staff_ids) -> dict[uuid.UUID, str]:
    """{staff id: full name} of ``staff_ids``."""
    if not staff_ids:
        return {}
    rows = db.session.execute(
        sa.select(StaffMember.id, StaffMember.full_name).where(StaffMember.id.in_(list(staff_ids)))
    ).all()
    return dict(rows)


def get_absence(absence_id) -> Absence:
    return get_scoped(Absence, absence_id, _("Không tìm thấy thông tin vắng mặt."))


def list_absences(staff_ids: Iterable[uuid.UUID] | None = None, year: int | None = None):
    """Leaves, latest first; of ``staff_ids`` only, and/or those touching ``year``."""
    stmt = sa.select(Absence).order_by(Absence.starts_on.desc(), Absence.created_at.desc())
    if staff_ids is not None:
        stmt = stmt.where(Absence.staff_id.in_(list(staff_ids)))
    if year is not None:
        stmt = stmt.where(
            Absence.starts_on <= date(year, 12, 31), Absence.ends_on >= date(year, 1, 1)
        )
    return list(db.session.execute(stmt).scalars())


def record(person: StaffMember, data: dict, *, actor) -> Absence:
    """Record a leave of ``person`` from data loaded by ``schemas.absences.AbsenceSchema``.

    Raises ServiceError (403) when ``actor`` may not record for ``person``; ServiceError naming
    the field when the leave falls outside the person's service; Conflict when it overlaps
    another leave of the same person. Audited.
    """
    if not may_record(actor, person):
        raise ServiceError(
            "forbidden",
            _("Chỉ quản trị đơn vị hoặc lãnh đạo quản lý trực tiếp mới ghi thông tin vắng mặt."),
            status=403,
        )
    starts_on, ends_on = data["starts_on"], data["ends_on"]
    if starts_on < person.start_date:
        raise ServiceError(
            "before_service",
            _("Ngày bắt đầu vắng mặt không được trước ngày bắt đầu công tác (%(d)s).",
              d=person.start_date.strftime("%d/%m/%Y")),
            field="starts_on",
        )  # fmt: skip
    if person.end_date is not None and ends_on > person.end_date:
        raise ServiceError(
            "after_service",
            _("Ngày kết thúc vắng mặt không được sau ngày thôi công tác (%(d)s).",
              d=person.end_date.strftime("%d/%m/%Y")),
            field="ends_on",
        )  # fmt: skip
    clash = dated_records.first_overlap(Absence, person.id, starts_on, ends_on)
    if clash is not None:
        raise Conflict(
            "absence_overlap",
            _("Trùng thời gian với lần vắng mặt đã ghi từ %(a)s đến %(b)s (%(ref)s).",
              a=dated_records.day(clash.starts_on), b=dated_records.day(clash.ends_on),
              ref=clash.reference),
            field="starts_on",
        )  # fmt: skip
    row = Absence(
        staff_id=person.id,
        kind=data["kind"],
        starts_on=starts_on,
        ends_on=ends_on,
        reference=data["reference"].strip(),
        note=(data.get("note") or "").strip() or None,
        recorded_by=dated_records.recorder(actor),
    )
    return dated_records.added(row, "absence.recorded", "absence", AUDITED, actor=actor)


def remove(row: Absence, *, actor) -> None:
    """Remove a leave recorded in error; the same people may as may record it. Audited with
    what was removed. Raises ServiceError (403) otherwise."""
    person = db.session.get(StaffMember, (row.tenant_id, row.staff_id))
    if person is None or not may_record(actor, person):
        raise ServiceError(
            "forbidden",
            _("Chỉ quản trị đơn vị hoặc lãnh đạo quản lý trực tiếp mới ghi thông tin vắng mặt."),
            status=403,
        )
    dated_records.removed(row, "absence.removed", "absence", AUDITED, actor=actor)


def spans_by_staff(staff_ids: Iterable[uuid.UUID], first: date, last: date):
    """{staff id: [scoring Absence]} of the leaves touching ``first``–``last``, in one query."""
    rows = db.session.execute(
        sa.select(Absence).where(
            Absence.staff_id.in_(list(staff_ids)),
            Absence.starts_on <= last,
            Absence.ends_on >= first,
        )
    ).scalars()
    spans: dict[uuid.UUID, list[AbsenceSpan]] = defaultdict(list)
    for row in rows:
        spans[row.staff_id].append(AbsenceSpan(row.kind, row.starts_on, row.ends_on, row.reference))
    return spans


def service_in(person: StaffMember, starts_on: date, ends_on: date, spans=()) -> PeriodService:
    """The person's service in ``starts_on``–``ends_on``: their join/leave dates and ``spans``."""
    return period_service(
        starts_on, ends_on, joined=person.start_date, left=person.end_date, absences=spans
    )


def year_figures(person: StaffMember, year: int) -> YearService:
    """The year's months in post, absent (and whether maternity) and worked: what the Decree
    90/2020 thresholds read (``scoring.service_time.year_service``)."""
    spans = spans_by_staff([person.id], date(year, 1, 1), date(year, 12, 31)).get(person.id, [])
    return year_service(year, joined=person.start_date, left=person.end_date, absences=spans)
