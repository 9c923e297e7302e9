"""A person's salary history and concurrent posts (kiêm nhiệm), entered by the unit administrator
and read by the income run: the salary of a month is the one in force at the month's end.

A person with no recorded change is paid on the staff record's salary (``monthly_salary``), taken
as in force since the start date, as before this history existed. Functions leave the commit to
the caller; every change is audited.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.staff import ConcurrentPost, SalaryChange, StaffMember
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.workspace import fields, org, positions
from tenant_app.services.workspace.lookup import get_scoped

MAX_SALARY = 10**12
SALARY_FIELDS = ("effective_from", "monthly_salary", "decision_ref")
POST_FIELDS = (
    "position_id",
    "org_unit_id",
    "effective_from",
    "effective_to",
    "monthly_salary",
    "decision_ref",
)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def changes_of(staff: StaffMember) -> list[SalaryChange]:
    """The person's salary changes, oldest first."""
    return list(
        db.session.execute(
            sa.select(SalaryChange)
            .where(SalaryChange.staff_id == staff.id)
            .order_by(SalaryChange.effective_from)
        ).scalars()
    )


def posts_of(staff: StaffMember) -> list[ConcurrentPost]:
    """The person's concurrent posts, oldest first."""
    return list(
        db.session.execute(
            sa.select(ConcurrentPost)
            .where(ConcurrentPost.staff_id == staff.id)
            .order_by(ConcurrentPost.effective_from, ConcurrentPost.created_at)
        ).scalars()
    )


def _salary(value, field: str = "monthly_salary", *, required: bool) -> Decimal | None:
    amount = fields.number(value, field, _("Lương tháng"), minimum=0, maximum=MAX_SALARY)
    if amount is None and required:
        raise ServiceError("required", _("Lương tháng là bắt buộc."), field)
    if amount is not None and amount != amount.to_integral_value():
        raise ServiceError("invalid", _("Lương tháng phải là số đồng nguyên."), field)
    return amount


def _not_before_start(staff: StaffMember, on: date, field: str) -> None:
    if on < staff.start_date:
        raise ServiceError(
            "before_start",
            _(
                "Ngày hiệu lực không được trước ngày bắt đầu công tác (%(d)s).",
                d=staff.start_date.strftime("%d/%m/%Y"),
            ),
            field,
        )


def _snapshot(change: SalaryChange) -> dict:
    return {
        "staff_id": change.staff_id,
        "effective_from": change.effective_from,
        "monthly_salary": change.monthly_salary,
        "decision_ref": change.decision_ref,
    }


def _sync_record(staff: StaffMember, today: date) -> None:
    """Keep the staff record's salary equal to the one in force today (if any is)."""
    in_force = [c for c in changes_of(staff) if c.effective_from <= today]
    if in_force:
        staff.monthly_salary = in_force[-1].monthly_salary


def record_salary_change(
    staff: StaffMember, data: dict, *, actor, today: date | None = None, previous=None
) -> SalaryChange:
    """Record the salary in force from ``effective_from`` (the same day replaces that day's).

    The first change of a person who had a salary on the staff record (``previous``, default the
    record's) keeps that salary as in force from the start date, so earlier months are still paid
    on it. Raises ServiceError naming the field.
    """
    fields.unknown_keys(data, SALARY_FIELDS)
    on = fields.day(data.get("effective_from"), "effective_from", _("Ngày hiệu lực"), required=True)
    _not_before_start(staff, on, "effective_from")
    amount = _salary(data.get("monthly_salary"), required=True)
    decision = fields.text(data, "decision_ref", _("Quyết định"), max_len=100)
    history = {c.effective_from: c for c in changes_of(staff)}
    previous = staff.monthly_salary if previous is None else previous
    if not history and previous is not None and on > staff.start_date:
        opening = SalaryChange(
            staff_id=staff.id,
            effective_from=staff.start_date,
            monthly_salary=previous,
            created_by=getattr(actor, "id", None),
        )
        db.session.add(opening)
        audit.record(
            "salary.recorded", object_type="salary_change", after=_snapshot(opening), actor=actor
        )
    change = history.get(on)
    before = _snapshot(change) if change is not None else None
    if change is None:
        change = SalaryChange(staff_id=staff.id, effective_from=on)
        db.session.add(change)
    change.monthly_salary = amount
    change.decision_ref = decision
    change.created_by = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "salary.recorded",
        object_type="salary_change",
        object_id=change.id,
        before=before,
        after=_snapshot(change),
        actor=actor,
    )
    _sync_record(staff, today or date.today())
    return change


def get_change(staff: StaffMember, change_id) -> SalaryChange:
    change = get_scoped(SalaryChange, change_id, _("Không tìm thấy mức lương."))
    if change.staff_id != staff.id:
        raise NotFound("not_found", _("Không tìm thấy mức lương."))
    return change


def delete_salary_change(staff: StaffMember, change: SalaryChange, *, actor) -> None:
    """Remove a recorded change (a correction); audited."""
    audit.record(
        "salary.deleted",
        object_type="salary_change",
        object_id=change.id,
        before=_snapshot(change),
        actor=actor,
    )
    db.session.delete(change)
    db.session.flush()
    _sync_record(staff, date.today())


def _post_snapshot(post: ConcurrentPost) -> dict:
    return {
        "staff_id": post.staff_id,
        "position_id": post.position_id,
        "org_unit_id": post.org_unit_id,
        "effective_from": post.effective_from,
        "effective_to": post.effective_to,
        "monthly_salary": post.monthly_salary,
        "decision_ref": post.decision_ref,
    }


def add_concurrent_post(staff: StaffMember, data: dict, *, actor) -> ConcurrentPost:
    """Record a post held concurrently from ``effective_from`` until ``effective_to``
    (exclusive, optional), with that post's monthly salary (optional). Raises ServiceError."""
    fields.unknown_keys(data, POST_FIELDS)
    position_id = fields.ident(data.get("position_id"), "position_id", _("Vị trí kiêm nhiệm"))
    if position_id is None:
        raise ServiceError("required", _("Vị trí kiêm nhiệm là bắt buộc."), "position_id")
    try:
        positions.get_position(position_id)
    except NotFound:
        raise ServiceError(
            "unknown_position", _("Vị trí việc làm không tồn tại trong đơn vị."), "position_id"
        ) from None
    unit_id = fields.ident(data.get("org_unit_id"), "org_unit_id", _("Đơn vị"))
    if unit_id is not None:
        try:
            org.get_org_unit(unit_id)
        except NotFound:
            raise ServiceError(
                "unknown_unit", _("Đơn vị công tác không tồn tại trong đơn vị."), "org_unit_id"
            ) from None
    start = fields.day(data.get("effective_from"), "effective_from", _("Từ ngày"), required=True)
    _not_before_start(staff, start, "effective_from")
    end = fields.day(data.get("effective_to"), "effective_to", _("Đến trước ngày"))
    if end is not None and end <= start:
        raise ServiceError(
            "dates_order", _("Ngày kết thúc kiêm nhiệm phải sau ngày bắt đầu."), "effective_to"
        )
    post = ConcurrentPost(
        staff_id=staff.id,
        position_id=position_id,
        org_unit_id=unit_id,
        effective_from=start,
        effective_to=end,
        monthly_salary=_salary(data.get("monthly_salary"), required=False),
        decision_ref=fields.text(data, "decision_ref", _("Quyết định"), max_len=100),
        created_by=getattr(actor, "id", None),
    )
    db.session.add(post)
    db.session.flush()
    audit.record(
        "concurrent_post.added",
        object_type="concurrent_post",
        object_id=post.id,
        after=_post_snapshot(post),
        actor=actor,
    )
    return post


def get_post(staff: StaffMember, post_id) -> ConcurrentPost:
    post = get_scoped(ConcurrentPost, post_id, _("Không tìm thấy chức vụ kiêm nhiệm."))
    if post.staff_id != staff.id:
        raise NotFound("not_found", _("Không tìm thấy chức vụ kiêm nhiệm."))
    return post


def delete_concurrent_post(post: ConcurrentPost, *, actor) -> None:
    """Remove a concurrent post recorded in error; audited."""
    audit.record(
        "concurrent_post.deleted",
        object_type="concurrent_post",
        object_id=post.id,
        before=_post_snapshot(post),
        actor=actor,
    )
    db.session.delete(post)
    db.session.flush()


def people_without_salary() -> list[StaffMember]:
    """People still at work with no salary on record (neither on the staff record nor in the
    history): an income scheme on salaries cannot pay them."""
    recorded = sa.select(SalaryChange.staff_id)
    return list(
        db.session.execute(
            sa.select(StaffMember)
            .where(
                StaffMember.end_date.is_(None),
                StaffMember.monthly_salary.is_(None),
                StaffMember.id.not_in(recorded),
            )
            .order_by(StaffMember.full_name, StaffMember.code)
        ).scalars()
    )


def salaries_by_month(
    people: list[StaffMember], months: list[tuple[int, int]]
) -> dict[object, dict[tuple[int, int], tuple[Decimal | None, tuple[Decimal, ...]]]]:
    """{staff id: {(year, month): (main salary in force at the month's end or None,
    salaries of the concurrent posts held during the month)}}, loaded in bulk."""
    ids = [p.id for p in people]
    history: dict = defaultdict(list)
    posts: dict = defaultdict(list)
    if ids:
        for change in db.session.execute(
            sa.select(SalaryChange)
            .where(SalaryChange.staff_id.in_(ids))
            .order_by(SalaryChange.effective_from)
        ).scalars():
            history[change.staff_id].append(change)
        for post in db.session.execute(
            sa.select(ConcurrentPost).where(
                ConcurrentPost.staff_id.in_(ids), ConcurrentPost.monthly_salary.is_not(None)
            )
        ).scalars():
            posts[post.staff_id].append(post)
    result = {}
    for person in people:
        per_month = {}
        for year, month in months:
            first, last = date(year, month, 1), month_end(year, month)
            if history[person.id]:
                in_force = [c for c in history[person.id] if c.effective_from <= last]
                main = in_force[-1].monthly_salary if in_force else None
            else:
                main = person.monthly_salary
            held = tuple(
                p.monthly_salary
                for p in posts[person.id]
                if p.effective_from <= last and (p.effective_to is None or p.effective_to > first)
            )
            per_month[(year, month)] = (main, held)
        result[person.id] = per_month
    return result
