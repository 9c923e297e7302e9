"""Staff records: create, change (a new unit or position is dated history), end, look up.

Functions take plain dicts and leave the commit to the caller (see ``services.workspace.org``).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.org import OrgUnit
from tenant_app.models.staff import STAFF_TYPES, StaffAssignment, StaffMember
from tenant_app.models.users import User
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.workspace import fields, org, positions, salaries
from tenant_app.services.workspace.lookup import by_code, check_unique_code, get_scoped
from tenant_app.tenancy.context import current_tenant_id

STAFF_FIELDS = (
    "code",
    "full_name",
    "user_id",
    "staff_type",
    "manager_id",
    "quota_group",
    "rank_code",
    "monthly_salary",
    "start_date",
    "end_date",
    "org_unit_id",
    "position_id",
    "effective_from",
    "decision_ref",
)
MAX_SALARY = 10**12


def get_staff(staff_id) -> StaffMember:
    """Return the staff record of the tenant in context, or raise NotFound."""
    return get_scoped(StaffMember, staff_id, _("Không tìm thấy nhân sự."))


def find_staff(code: str) -> StaffMember | None:
    return by_code(StaffMember, code)


def staff_for_user(user) -> StaffMember | None:
    """Return the staff record linked to an account, or None."""
    return db.session.execute(
        sa.select(StaffMember).where(StaffMember.user_id == user.id)
    ).scalar_one_or_none()


def _snapshot(staff: StaffMember, assignment: StaffAssignment | None) -> dict:
    return {
        "code": staff.code,
        "full_name": staff.full_name,
        "user_id": staff.user_id,
        "staff_type": staff.staff_type,
        "manager_id": staff.manager_id,
        "quota_group": staff.quota_group,
        "rank_code": staff.rank_code,
        "monthly_salary": staff.monthly_salary,
        "start_date": staff.start_date,
        "end_date": staff.end_date,
        "org_unit_id": assignment.org_unit_id if assignment else None,
        "position_id": assignment.position_id if assignment else None,
    }


def current_assignment(staff_id) -> StaffAssignment | None:
    """Return the open assignment (unit and position now) of a person, or None."""
    return db.session.execute(
        sa.select(StaffAssignment).where(
            StaffAssignment.staff_id == staff_id, StaffAssignment.effective_to.is_(None)
        )
    ).scalar_one_or_none()


def assignment_at(staff_id, on: date) -> StaffAssignment | None:
    """Return the assignment (unit and position) of a person on ``on``, or None."""
    return db.session.execute(
        sa.select(StaffAssignment).where(
            StaffAssignment.staff_id == staff_id,
            StaffAssignment.effective_from <= on,
            sa.or_(StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > on),
        )
    ).scalar_one_or_none()


def assignments_at(staff_ids, on: date) -> dict[uuid.UUID, StaffAssignment]:
    """Return {staff id: assignment in force on ``on``} for ``staff_ids`` (one query)."""
    rows = db.session.execute(
        sa.select(StaffAssignment).where(
            StaffAssignment.staff_id.in_(list(staff_ids)),
            StaffAssignment.effective_from <= on,
            sa.or_(StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > on),
        )
    ).scalars()
    return {a.staff_id: a for a in rows}


def current_assignments(staff_ids=None) -> dict[uuid.UUID, StaffAssignment]:
    """Return {staff id: open assignment} (for every person, or for ``staff_ids``)."""
    stmt = sa.select(StaffAssignment).where(StaffAssignment.effective_to.is_(None))
    if staff_ids is not None:
        stmt = stmt.where(StaffAssignment.staff_id.in_(list(staff_ids)))
    return {a.staff_id: a for a in db.session.execute(stmt).scalars()}


def _check_user(staff: StaffMember | None, value):
    user_id = fields.ident(value, "user_id", _("Tài khoản"))
    if user_id is None:
        return None
    if db.session.get(User, (current_tenant_id(), user_id)) is None:
        raise ServiceError("unknown_user", _("Tài khoản không tồn tại trong đơn vị."), "user_id")
    other = db.session.execute(
        sa.select(StaffMember).where(StaffMember.user_id == user_id)
    ).scalar_one_or_none()
    if other is not None and (staff is None or other.id != staff.id):
        raise Conflict("user_taken", _("Tài khoản đã gắn với một nhân sự khác."), "user_id")
    return user_id


def _check_manager(staff: StaffMember | None, value):
    manager_id = fields.ident(value, "manager_id", _("Người quản lý trực tiếp"))
    if manager_id is None:
        return None
    if db.session.get(StaffMember, (current_tenant_id(), manager_id)) is None:
        raise ServiceError(
            "unknown_manager",
            _("Người quản lý trực tiếp không có trong danh sách nhân sự của đơn vị."),
            "manager_id",
        )
    if staff is not None:
        links = dict(db.session.execute(sa.select(StaffMember.id, StaffMember.manager_id)).all())
        cursor, seen = manager_id, set()
        while cursor is not None and cursor not in seen:
            if cursor == staff.id:
                raise ServiceError(
                    "manager_cycle",
                    _("Người quản lý trực tiếp không được là chính người này hoặc cấp dưới."),
                    "manager_id",
                )
            seen.add(cursor)
            cursor = links.get(cursor)
    return manager_id


def _check_post(data: dict, current: StaffAssignment | None) -> tuple:
    unit_id = fields.ident(
        data.get("org_unit_id", current.org_unit_id if current else None),
        "org_unit_id",
        _("Đơn vị công tác"),
    )
    position_id = fields.ident(
        data.get("position_id", current.position_id if current else None),
        "position_id",
        _("Vị trí việc làm"),
    )
    if unit_id is None:
        raise ServiceError("required", _("Đơn vị công tác là bắt buộc."), "org_unit_id")
    if position_id is None:
        raise ServiceError("required", _("Vị trí việc làm là bắt buộc."), "position_id")
    try:
        unit = org.get_org_unit(unit_id)
    except NotFound:
        raise ServiceError(
            "unknown_unit", _("Đơn vị công tác không tồn tại trong đơn vị."), "org_unit_id"
        ) from None
    if not unit.active and (current is None or current.org_unit_id != unit_id):
        raise ServiceError("inactive_unit", _("Đơn vị công tác đã ngừng hoạt động."), "org_unit_id")
    try:
        positions.get_position(position_id)
    except NotFound:
        raise ServiceError(
            "unknown_position", _("Vị trí việc làm không tồn tại trong đơn vị."), "position_id"
        ) from None
    return unit_id, position_id


def _apply_details(staff: StaffMember, data: dict) -> None:
    if "code" in data or staff.code is None:
        code = fields.code(data, "code", _("Mã nhân sự"))
        check_unique_code(
            StaffMember, code, staff.id, _("Mã nhân sự đã được sử dụng trong đơn vị.")
        )
        staff.code = code
    if "full_name" in data or staff.full_name is None:
        staff.full_name = fields.text(data, "full_name", _("Họ và tên"), max_len=120, required=True)
    if "staff_type" in data or staff.staff_type is None:
        staff.staff_type = fields.choice(
            data.get("staff_type"), "staff_type", _("Loại cán bộ"), STAFF_TYPES
        )
    if "quota_group" in data:
        staff.quota_group = fields.text(
            data, "quota_group", _("Nhóm nhiệm vụ tương đồng"), max_len=64
        )
    if "rank_code" in data:
        staff.rank_code = fields.code(data, "rank_code", _("Mã ngạch"), required=False)
        if staff.rank_code and len(staff.rank_code) > 16:
            raise ServiceError("too_long", _("Mã ngạch dài quá 16 ký tự."), "rank_code")
    if "monthly_salary" in data:
        staff.monthly_salary = fields.number(
            data["monthly_salary"],
            "monthly_salary",
            _("Lương tháng"),
            minimum=0,
            maximum=MAX_SALARY,
        )
    if "start_date" in data or staff.start_date is None:
        staff.start_date = fields.day(
            data.get("start_date"), "start_date", _("Ngày bắt đầu"), required=True
        )
    if "end_date" in data:
        staff.end_date = fields.day(data["end_date"], "end_date", _("Ngày kết thúc"))
    if staff.end_date is not None and staff.end_date < staff.start_date:
        raise ServiceError(
            "dates_order", _("Ngày kết thúc không được trước ngày bắt đầu."), "end_date"
        )


def create_staff(data: dict) -> StaffMember:
    """Create a person from ``data`` and post them (org_unit_id, position_id) from start_date.

    Keys: code, full_name, staff_type, start_date, org_unit_id, position_id; optional user_id,
    manager_id, quota_group, rank_code, monthly_salary, end_date. Raises ServiceError/Conflict
    naming the field.
    """
    fields.unknown_keys(data, STAFF_FIELDS)
    staff = StaffMember(code=None, full_name=None, staff_type=None, start_date=None)
    _apply_details(staff, data)
    staff.user_id = _check_user(None, data.get("user_id"))
    staff.manager_id = _check_manager(None, data.get("manager_id"))
    unit_id, position_id = _check_post(data, None)
    db.session.add(staff)
    db.session.flush()
    assignment = StaffAssignment(
        staff_id=staff.id,
        org_unit_id=unit_id,
        position_id=position_id,
        effective_from=staff.start_date,
        decision_ref=_decision(data),
    )
    db.session.add(assignment)
    audit.record(
        "staff.created", object_type="staff", object_id=staff.id, after=_snapshot(staff, assignment)
    )
    return staff


def _decision(data: dict) -> str | None:
    return fields.text(data, "decision_ref", _("Quyết định"), max_len=100)


def _move(staff, current, unit_id, position_id, on: date, decision_ref: str | None):
    if current is not None and on < current.effective_from:
        raise ServiceError(
            "before_history",
            _(
                "Ngày hiệu lực không được trước ngày nhận vị trí hiện tại (%(d)s).",
                d=current.effective_from.strftime("%d/%m/%Y"),
            ),
            "effective_from",
        )
    if current is not None and on == current.effective_from:
        # History is kept by the day: a correction on the same day replaces that day's post.
        current.org_unit_id, current.position_id = unit_id, position_id
        current.decision_ref = decision_ref or current.decision_ref
        return current
    if current is not None:
        current.effective_to = on
    moved = StaffAssignment(
        staff_id=staff.id,
        org_unit_id=unit_id,
        position_id=position_id,
        effective_from=on,
        decision_ref=decision_ref,
    )
    db.session.add(moved)
    return moved


def update_staff(staff: StaffMember, data: dict) -> StaffMember:
    """Change a person; a new unit or position starts at ``effective_from`` (default today).

    The previous assignment is closed, not overwritten, so ``assignment_at`` recovers it.
    """
    fields.unknown_keys(data, STAFF_FIELDS)
    current = current_assignment(staff.id)
    before = _snapshot(staff, current)
    _apply_details(staff, data)
    if before["end_date"] is None and staff.end_date is not None and current is not None:
        current.effective_to = _day_after(staff.end_date, current)
    if "user_id" in data:
        staff.user_id = _check_user(staff, data["user_id"])
    if "manager_id" in data:
        staff.manager_id = _check_manager(staff, data["manager_id"])
    if "org_unit_id" in data or "position_id" in data:
        unit_id, position_id = _check_post(data, current)
        if current is None or (unit_id, position_id) != (current.org_unit_id, current.position_id):
            on = fields.day(data.get("effective_from"), "effective_from", _("Ngày hiệu lực"))
            current = _move(
                staff, current, unit_id, position_id, on or date.today(), _decision(data)
            )
    after = _snapshot(staff, current)
    if after != before:
        audit.record(
            "staff.updated", object_type="staff", object_id=staff.id, before=before, after=after
        )
    old_salary = before["monthly_salary"]
    # A new salary on the record is a change from today once there is one to change: the months
    # already past keep the salary that was in force then (the old one opens the history).
    if old_salary is not None and staff.monthly_salary not in (None, old_salary):
        on = max(date.today(), staff.start_date)
        salaries.record_salary_change(
            staff,
            {"effective_from": on, "monthly_salary": staff.monthly_salary},
            actor=None,
            previous=old_salary,
        )
    return staff


def _day_after(end_date: date, current: StaffAssignment) -> date:
    # A post ends the day after the last day worked, and never before it began.
    return max(end_date, current.effective_from) + timedelta(days=1)


def end_staff(staff: StaffMember, end_date: date | None = None) -> StaffMember:
    """Record that a person left on ``end_date`` (default today); their history stays."""
    end_date = end_date or date.today()
    if end_date < staff.start_date:
        raise ServiceError(
            "dates_order", _("Ngày kết thúc không được trước ngày bắt đầu."), "end_date"
        )
    before = staff.end_date
    staff.end_date = end_date
    current = current_assignment(staff.id)
    if current is not None:
        current.effective_to = _day_after(end_date, current)
    audit.record(
        "staff.ended",
        object_type="staff",
        object_id=staff.id,
        before={"end_date": before},
        after={"end_date": end_date},
    )
    return staff


def managed_unit_ids(user) -> set[uuid.UUID]:
    """Return the units a manager sees: the subtree of their own unit and of units they head."""
    me = staff_for_user(user)
    if me is None:
        return set()
    mine = current_assignment(me.id)
    return units_directed(me.id, None if mine is None else mine.org_unit_id)


def units_directed(me_id, own_unit_id) -> set[uuid.UUID]:
    """The units the person ``me_id``, whose current post is in ``own_unit_id`` (or None), sees:
    the subtree of that unit and of the units they head (``managed_unit_ids``), in one query."""
    units = db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.head_staff_id))
    parent_of, roots = {}, set()
    for unit_id, parent_id, head_id in units:
        parent_of[unit_id] = parent_id
        if head_id == me_id:
            roots.add(unit_id)
    if own_unit_id is not None:
        roots.add(own_unit_id)
    return org.subtree_ids(roots, parent_of)
