"""Organisation chart: create units, move and rename them with history, deactivate, look up.

Functions take plain dicts (API schema, form or spreadsheet row), add to the session, audit, and
leave the commit to the caller, so an importer can call them row by row in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.org import ORG_UNIT_KINDS, OrgUnit, OrgUnitRevision
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.workspace import fields
from tenant_app.services.workspace.lookup import by_code, check_unique_code, get_scoped
from tenant_app.tenancy.context import current_tenant_id

UNIT_FIELDS = ("code", "name", "kind", "parent_id", "head_staff_id", "effective_from")


# --- org units


def get_org_unit(unit_id) -> OrgUnit:
    """Return the org unit of the tenant in context, or raise NotFound (other tenants' ids too)."""
    return get_scoped(OrgUnit, unit_id, _("Không tìm thấy đơn vị trong sơ đồ tổ chức."))


def find_org_unit(code: str) -> OrgUnit | None:
    return by_code(OrgUnit, code)


def _unit_snapshot(unit: OrgUnit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "head_staff_id": unit.head_staff_id,
        "active": unit.active,
    }


def parents() -> dict[uuid.UUID, uuid.UUID | None]:
    """Return {unit id: parent id} for every unit of the tenant in context."""
    rows = db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id)).all()
    return {row.id: row.parent_id for row in rows}


def subtree_ids(root_ids, parent_of: dict | None = None) -> set[uuid.UUID]:
    """Return the ids of ``root_ids`` and every unit below them (``parent_of``: ``parents()``,
    read here unless the caller has it)."""
    children: dict = {}
    for child, parent in (parents() if parent_of is None else parent_of).items():
        children.setdefault(parent, []).append(child)
    found, stack = set(), list(root_ids)
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, []))
    return found


def _check_parent(unit: OrgUnit | None, parent_id) -> uuid.UUID | None:
    parent_id = fields.ident(parent_id, "parent_id", _("Đơn vị cấp trên"))
    if parent_id is None:
        return None
    try:
        get_org_unit(parent_id)
    except NotFound:
        raise ServiceError(
            "unknown_parent", _("Đơn vị cấp trên không tồn tại trong đơn vị."), "parent_id"
        ) from None
    if unit is not None:
        links, cursor, seen = parents(), parent_id, set()
        while cursor is not None and cursor not in seen:
            if cursor == unit.id:
                raise ServiceError(
                    "cycle",
                    _("Đơn vị cấp trên không được là chính đơn vị này hoặc đơn vị cấp dưới."),
                    "parent_id",
                )
            seen.add(cursor)
            cursor = links.get(cursor)
    return parent_id


def _check_head(head_id):
    head_id = fields.ident(head_id, "head_staff_id", _("Người đứng đầu"))
    if head_id is not None:
        tid = current_tenant_id()
        if db.session.get(StaffMember, (tid, head_id)) is None:
            raise ServiceError(
                "unknown_staff",
                _("Người đứng đầu không có trong danh sách nhân sự của đơn vị."),
                "head_staff_id",
            )
    return head_id


def _revise(unit: OrgUnit, on: date) -> None:
    latest = db.session.execute(
        sa.select(OrgUnitRevision)
        .where(OrgUnitRevision.org_unit_id == unit.id)
        .order_by(OrgUnitRevision.effective_from.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is not None and on < latest.effective_from:
        raise ServiceError(
            "before_history",
            _(
                "Ngày hiệu lực không được trước ngày thay đổi gần nhất (%(d)s).",
                d=latest.effective_from.strftime("%d/%m/%Y"),
            ),
            "effective_from",
        )
    if latest is not None and on == latest.effective_from:
        # History is kept by the day: a second change on the same day replaces that day's state.
        latest.name, latest.parent_id = unit.name, unit.parent_id
        return
    db.session.add(
        OrgUnitRevision(
            org_unit_id=unit.id, effective_from=on, name=unit.name, parent_id=unit.parent_id
        )
    )


def create_org_unit(data: dict) -> OrgUnit:
    """Create a unit from ``data`` (code, name, kind, parent_id?, head_staff_id?, effective_from?).

    Raises ServiceError naming the field, Conflict for a code already used in the tenant.
    """
    fields.unknown_keys(data, UNIT_FIELDS)
    code = fields.code(data, "code", _("Mã đơn vị"))
    name = fields.text(data, "name", _("Tên đơn vị"), max_len=200, required=True)
    kind = fields.choice(data.get("kind"), "kind", _("Loại đơn vị"), ORG_UNIT_KINDS)
    on = fields.day(data.get("effective_from"), "effective_from", _("Ngày hiệu lực"))
    check_unique_code(OrgUnit, code, None, _("Mã đơn vị đã được sử dụng trong đơn vị."))
    unit = OrgUnit(
        code=code,
        name=name,
        kind=kind,
        parent_id=_check_parent(None, data.get("parent_id")),
        head_staff_id=_check_head(data.get("head_staff_id")),
    )
    db.session.add(unit)
    db.session.flush()
    _revise(unit, on or date.today())
    audit.record(
        "org_unit.created", object_type="org_unit", object_id=unit.id, after=_unit_snapshot(unit)
    )
    return unit


def update_org_unit(unit: OrgUnit, data: dict) -> OrgUnit:
    """Change a unit; a new name or parent is recorded as of ``effective_from`` (default today)."""
    fields.unknown_keys(data, UNIT_FIELDS)
    before = _unit_snapshot(unit)
    if "code" in data:
        code = fields.code(data, "code", _("Mã đơn vị"))
        check_unique_code(OrgUnit, code, unit.id, _("Mã đơn vị đã được sử dụng trong đơn vị."))
        unit.code = code
    if "name" in data:
        unit.name = fields.text(data, "name", _("Tên đơn vị"), max_len=200, required=True)
    if "kind" in data:
        unit.kind = fields.choice(data["kind"], "kind", _("Loại đơn vị"), ORG_UNIT_KINDS)
    if "parent_id" in data:
        unit.parent_id = _check_parent(unit, data["parent_id"])
    if "head_staff_id" in data:
        unit.head_staff_id = _check_head(data["head_staff_id"])
    after = _unit_snapshot(unit)
    if (after["name"], after["parent_id"]) != (before["name"], before["parent_id"]):
        on = fields.day(data.get("effective_from"), "effective_from", _("Ngày hiệu lực"))
        _revise(unit, on or date.today())
    if after != before:
        audit.record(
            "org_unit.updated",
            object_type="org_unit",
            object_id=unit.id,
            before=before,
            after=after,
        )
    return unit


def deactivate_org_unit(unit: OrgUnit) -> OrgUnit:
    """Close a unit; refused while it has active sub-units or people currently posted in it."""
    children = db.session.execute(
        sa.select(sa.func.count())
        .select_from(OrgUnit)
        .where(OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True))
    ).scalar_one()
    posted = db.session.execute(
        sa.select(sa.func.count())
        .select_from(StaffAssignment)
        .where(StaffAssignment.org_unit_id == unit.id, StaffAssignment.effective_to.is_(None))
    ).scalar_one()
    if children or posted:
        raise Conflict(
            "unit_in_use",
            _("Không thể ngừng hoạt động đơn vị còn đơn vị cấp dưới hoặc nhân sự đang công tác."),
            "active",
        )
    if unit.active:
        unit.active = False
        audit.record(
            "org_unit.deactivated",
            object_type="org_unit",
            object_id=unit.id,
            before={"active": True},
            after={"active": False},
        )
    return unit


def unit_at(unit_id, on: date) -> OrgUnitRevision | None:
    """Return the revision (name, parent) of a unit in force on ``on`` (None before it existed)."""
    return db.session.execute(
        sa.select(OrgUnitRevision)
        .where(OrgUnitRevision.org_unit_id == unit_id, OrgUnitRevision.effective_from <= on)
        .order_by(OrgUnitRevision.effective_from.desc())
        .limit(1)
    ).scalar_one_or_none()


def tree(*, include_inactive: bool = False) -> list[tuple[OrgUnit, int]]:
    """Return every unit with its depth, parents before children, siblings by kind and code."""
    stmt = sa.select(OrgUnit)
    if not include_inactive:
        stmt = stmt.where(OrgUnit.active.is_(True))
    units = sorted(
        db.session.execute(stmt).scalars(), key=lambda u: (ORG_UNIT_KINDS.index(u.kind), u.code)
    )
    known = {u.id for u in units}
    children: dict = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in known else None
        children.setdefault(parent, []).append(unit)
    ordered: list[tuple[OrgUnit, int]] = []

    def walk(parent, depth):
        for unit in children.get(parent, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered
