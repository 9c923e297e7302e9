"""Deputies' fields (lĩnh vực phụ trách): which divisions a deputy is in charge of, and when.

The unit administrator assigns a division of the org chart to a person holding a deputy post
(``leader_deputy``), with the decision and dates, and ends or removes it; every change is
audited. Two assignments of one division to one deputy never overlap in time. ``teams_in`` and
``deputies_of_units`` are what the scores and the approval chain read: a division counts with
every unit below it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import DeputyField, StaffAssignment, StaffMember
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.workspace import dated_records, org
from tenant_app.services.workspace.lookup import get_scoped

# What the audit records of an assignment when it is made or removed.
AUDITED = ("staff_id", "org_unit_id", "starts_on", "ends_on", "reference")


def may_manage(user) -> bool:
    """Only the unit administrator assigns deputies' fields."""
    return (
        user is not None and not getattr(user, "is_province", False) and user.has_role("unit_admin")
    )


def _forbidden() -> ServiceError:
    return ServiceError(
        "forbidden",
        _("Chỉ quản trị đơn vị mới phân công lĩnh vực phụ trách cho cấp phó."),
        status=403,
    )


def get_field(field_id) -> DeputyField:
    return get_scoped(DeputyField, field_id, _("Không tìm thấy lĩnh vực phụ trách."))


def is_deputy(staff_id, on: date | None = None) -> bool:
    """Whether the person holds a ``leader_deputy`` post on ``on`` (default: now)."""
    stmt = (
        sa.select(StaffAssignment.id)
        .join(JobPosition, tenant_join(JobPosition.id, StaffAssignment.position_id))
        .where(
            StaffAssignment.staff_id == staff_id,
            JobPosition.position_group == "leader_deputy",
        )
    )
    if on is None:
        stmt = stmt.where(StaffAssignment.effective_to.is_(None))
    else:
        stmt = stmt.where(
            StaffAssignment.effective_from <= on,
            sa.or_(StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > on),
        )
    return db.session.execute(stmt.limit(1)).first() is not None


def list_fields(staff_ids: Iterable[uuid.UUID] | None = None) -> list[DeputyField]:
    """Assignments, latest first; of ``staff_ids`` only when given."""
    stmt = sa.select(DeputyField).order_by(DeputyField.starts_on.desc(), DeputyField.created_at)
    if staff_ids is not None:
        stmt = stmt.where(DeputyField.staff_id.in_(list(staff_ids)))
    return list(db.session.execute(stmt).scalars())


def assign(person: StaffMember, data: dict, *, actor) -> DeputyField:
    """Assign a division to the deputy ``person`` from data loaded by ``DeputyFieldSchema``.

    Raises ServiceError (403) unless ``actor`` is the unit administrator; ServiceError naming the
    field when ``person`` holds no deputy post or the unit is unknown; Conflict when the same
    division is already assigned to them over an overlapping time. Audited.
    """
    if not may_manage(actor):
        raise _forbidden()
    if not is_deputy(person.id):
        raise ServiceError(
            "not_deputy",
            _("Chỉ người đang giữ chức vụ cấp phó mới được phân công lĩnh vực phụ trách."),
            field="org_unit_id",
        )
    unit = db.session.get(OrgUnit, (person.tenant_id, data["org_unit_id"]))
    if unit is None:
        raise ServiceError(
            "unknown_unit", _("Không tìm thấy đơn vị phụ trách."), field="org_unit_id"
        )
    starts_on, ends_on = data["starts_on"], data.get("ends_on")
    clash = dated_records.first_overlap(
        DeputyField, person.id, starts_on, ends_on, DeputyField.org_unit_id == unit.id
    )
    if clash is not None:
        raise Conflict(
            "field_overlap",
            _("%(unit)s đã được phân công cho người này từ %(a)s đến %(b)s (%(ref)s).",
              unit=unit.name, a=dated_records.day(clash.starts_on),
              b=dated_records.day(clash.ends_on), ref=clash.reference),
            field="starts_on",
        )  # fmt: skip
    row = DeputyField(
        staff_id=person.id,
        org_unit_id=unit.id,
        starts_on=starts_on,
        ends_on=ends_on,
        reference=data["reference"].strip(),
        recorded_by=dated_records.recorder(actor),
    )
    return dated_records.added(row, "deputy_field.assigned", "deputy_field", AUDITED, actor=actor)


def remove(row: DeputyField, *, actor) -> None:
    """Remove an assignment made in error (the unit administrator only); audited."""
    if not may_manage(actor):
        raise _forbidden()
    dated_records.removed(row, "deputy_field.removed", "deputy_field", AUDITED, actor=actor)


def _active(first: date, last: date):
    """Assignments in force at some day of ``first``–``last``."""
    return sa.select(DeputyField.staff_id, DeputyField.org_unit_id).where(
        DeputyField.starts_on <= last,
        sa.or_(DeputyField.ends_on.is_(None), DeputyField.ends_on >= first),
    )


def fields_in(first: date, last: date) -> dict[uuid.UUID, set[uuid.UUID]]:
    """{deputy's staff id: the divisions assigned to them} in force during ``first``–``last``."""
    out: dict[uuid.UUID, set[uuid.UUID]] = {}
    for sid, unit in db.session.execute(_active(first, last)).all():
        out.setdefault(sid, set()).add(unit)
    return out


def field_names_in(first: date, last: date) -> dict[uuid.UUID, list[str]]:
    """{deputy's staff id: the names of the divisions assigned to them during ``first``–``last``,
    sorted} (what their unit result covers, as forms print it)."""
    fields = fields_in(first, last)
    if not fields:
        return {}
    wanted = set().union(*fields.values())
    names = dict(
        db.session.execute(sa.select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(wanted))).all()
    )
    return {sid: sorted(names.get(u, str(u)) for u in units) for sid, units in fields.items()}


def teams_in(first: date, last: date) -> dict[uuid.UUID, tuple[set[uuid.UUID], list[str]]]:
    """{deputy: (the people of their divisions, the divisions' names)} for ``first``–``last``.

    A division counts with every unit below it; its people are those posted there on ``last``
    (the deputy excluded). Deputies without an assignment in force are absent.
    """
    fields = fields_in(first, last)
    if not fields:
        return {}
    names = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.name)).all())
    posts = db.session.execute(
        sa.select(StaffAssignment.staff_id, StaffAssignment.org_unit_id).where(
            StaffAssignment.effective_from <= last,
            sa.or_(StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > last),
        )
    ).all()
    out = {}
    for deputy, divisions in fields.items():
        units = org.subtree_ids(divisions)
        members = {sid for sid, unit in posts if unit in units and sid != deputy}
        out[deputy] = (members, sorted(names.get(u, str(u)) for u in divisions))
    return out


def deputies_of_units(on: date) -> dict[uuid.UUID, set[uuid.UUID]]:
    """{org unit: the deputies in charge of it on ``on``} (a division covers its subtree; the
    nearest assigned division above a unit wins)."""
    fields = fields_in(on, on)
    by_division: dict[uuid.UUID, set[uuid.UUID]] = {}
    for deputy, divisions in fields.items():
        for division in divisions:
            by_division.setdefault(division, set()).add(deputy)
    return by_division
