"""Giao việc: work assigned to a person in a period (one item, a quantity, a due date).

Every change validates the period's state, is audited, notifies the person concerned and marks
their score stale (``scores.mark_stale``: re-scored once the change is committed). The reports on
the work and their review are ``reports``.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.formatting import normalise_number
from tenant_app.models.base import tenant_join
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.models.vocabulary import ReportStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import periods, scores
from tenant_app.services.workspace import catalogue, notifications, staff
from tenant_app.services.workspace.lookup import get_scoped


def decimal_value(value, field: str, label: str, *, positive: bool = False) -> Decimal:
    """Return ``value`` as a Decimal, raising ServiceError (on ``field``) unless it is a finite
    number, not negative (above 0 when ``positive``) and at most a million."""
    if isinstance(value, str):
        value = normalise_number(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid_number", _("%(f)s phải là số.", f=label), field=field) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        message = (
            _("%(f)s phải lớn hơn 0.", f=label) if positive else _("%(f)s không được âm.", f=label)
        )
        raise ServiceError("invalid_number", message, field=field)
    if number > Decimal("1000000"):
        raise ServiceError("invalid_number", _("%(f)s quá lớn.", f=label), field=field)
    return number


def get_assignment(assignment_id) -> Assignment:
    return get_scoped(Assignment, assignment_id, _("Không tìm thấy công việc được giao."))


def report_for(assignment: Assignment) -> Report | None:
    return db.session.execute(
        sa.select(Report).where(Report.assignment_id == assignment.id)
    ).scalar_one_or_none()


def can_manage(user, person: StaffMember) -> bool:
    """Whether ``user`` directs ``person``: unit administrator, direct manager, or head of the
    person's unit (or an ancestor unit)."""
    if user is None or getattr(user, "is_province", False):
        return False
    if user.has_role("unit_admin"):
        return True
    if not user.has_role("manager"):
        return False
    own = staff.staff_for_user(user)
    if own is not None and person.manager_id == own.id:
        return True
    post = staff.current_assignment(person.id)
    return post is not None and post.org_unit_id in staff.managed_unit_ids(user)


def _snapshot(assignment: Assignment) -> dict:
    return {
        "staff_id": assignment.staff_id,
        "item_id": assignment.item_id,
        "quantity": assignment.quantity,
        "coefficient": assignment.coefficient,
        "due_on": assignment.due_on,
        "directing": assignment.directing,
    }


def assign(
    period: Period,
    person: StaffMember,
    item: CatalogueItem,
    *,
    quantity,
    due_on: date,
    actor,
    directing: bool = False,
    note: str | None = None,
) -> Assignment:
    """Assign ``quantity`` of work item ``item`` to ``person`` in ``period``, due ``due_on``.

    The coefficient is the version in force on the period's first day. Raises ServiceError when
    the period is not open, the item is inactive or not a work item, the actor does not manage
    the person, or the item does not apply to the person's position (unless ``directing``).
    """
    periods.ensure_open(period)
    if not can_manage(actor, person):
        raise ServiceError("forbidden", _("Bạn không quản lý người này."), status=403)
    if person.user_id is not None and person.user_id == actor.id:
        raise ServiceError(
            "self_assignment",
            _("Không tự giao việc cho chính mình: cấp trên giao việc."),
            status=403,
        )
    if item.kind != "work_item" or not item.active:
        raise ServiceError(
            "invalid_item", _("Chỉ giao được sản phẩm/công việc đang áp dụng."), field="item_id"
        )
    qty = decimal_value(quantity, "quantity", _("Số lượng"), positive=True)
    if not isinstance(due_on, date):
        raise ServiceError("invalid_date", _("Hạn hoàn thành không hợp lệ."), field="due_on")
    if not (period.starts_on <= due_on <= period.report_until):
        raise ServiceError(
            "invalid_date",
            _("Hạn hoàn thành phải nằm trong kỳ %(code)s.", code=period.code),
            field="due_on",
        )
    post = staff.assignment_at(person.id, period.starts_on) or staff.current_assignment(person.id)
    if not directing and (post is None or post.position_id not in catalogue.position_ids(item)):
        raise ServiceError(
            "item_not_applicable",
            _(
                "Sản phẩm “%(item)s” không áp dụng cho vị trí việc làm của %(name)s.",
                item=item.name,
                name=person.full_name,
            ),
            field="item_id",
        )
    version = catalogue.version_at(item, period.starts_on)
    if version is None or version.coefficient is None:
        raise ServiceError(
            "no_version", _("Sản phẩm chưa có hệ số quy đổi áp dụng cho kỳ này."), field="item_id"
        )
    assignment = Assignment(
        period_id=period.id,
        staff_id=person.id,
        item_id=item.id,
        version_id=version.id,
        quantity=qty,
        coefficient=version.coefficient,
        due_on=due_on,
        directing=directing,
        note=(note or None),
        assigned_by=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "assignment.created",
        object_type="assignment",
        object_id=assignment.id,
        after=_snapshot(assignment),
        actor=actor,
    )
    notifications.notify_staff(
        person,
        "work_assigned",
        _(
            "Bạn được giao %(qty)s %(unit)s “%(item)s”, hạn %(due)s.",
            qty=f"{qty.normalize():f}",
            unit=item.unit_of_measure,
            item=item.name,
            due=due_on.strftime("%d/%m/%Y"),
        ),
        link="work",
    )
    scores.mark_stale(period, person.id)
    return assignment


def assign_by_position(
    period: Period, position_id, item: CatalogueItem, *, quantity, due_on: date, actor
) -> list[Assignment]:
    """Assign the same work to everyone holding ``position_id`` on the period's first day."""
    holders = holders_of_position(position_id, period.starts_on)
    if not holders:
        raise ServiceError(
            "no_holders", _("Không có ai giữ vị trí việc làm này trong kỳ."), field="position_id"
        )
    return [
        assign(period, person, item, quantity=quantity, due_on=due_on, actor=actor)
        for person in holders
    ]


def holders_of_position(position_id, on: date) -> list[StaffMember]:
    """People whose post on ``on`` is ``position_id``."""
    stmt = (
        sa.select(StaffMember)
        .join(StaffAssignment, tenant_join(StaffAssignment.staff_id, StaffMember.id))
        .where(
            StaffAssignment.position_id == position_id,
            StaffAssignment.effective_from <= on,
            sa.or_(StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > on),
        )
        .order_by(StaffMember.full_name)
    )
    return list(db.session.execute(stmt).scalars())


def delete_assignment(assignment: Assignment, *, actor) -> None:
    """Withdraw an assignment that has no submitted report yet."""
    period = db.session.get(Period, (assignment.tenant_id, assignment.period_id))
    periods.ensure_open(period)
    person = db.session.get(StaffMember, (assignment.tenant_id, assignment.staff_id))
    if not can_manage(actor, person):
        raise ServiceError("forbidden", _("Bạn không quản lý người này."), status=403)
    report = report_for(assignment)
    if report is not None and report.status != ReportStatus.DRAFT:
        raise ServiceError("has_report", _("Đã có báo cáo kết quả: không thể thu hồi."), status=409)
    if report is not None:
        db.session.delete(report)
    audit.record(
        "assignment.deleted",
        object_type="assignment",
        object_id=assignment.id,
        before=_snapshot(assignment),
        actor=actor,
    )
    db.session.delete(assignment)
    scores.mark_stale(period, person.id)


def work_of(period: Period, staff_ids) -> list[tuple[Assignment, Report | None]]:
    """Assignments of ``staff_ids`` in ``period`` with their reports, in one query."""
    stmt = (
        sa.select(Assignment, Report)
        .outerjoin(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(Assignment.period_id == period.id, Assignment.staff_id.in_(list(staff_ids)))
    )
    return [(a, r) for a, r in db.session.execute(stmt.order_by(Assignment.created_at)).all()]


def is_late(assignment: Assignment, report: Report | None, today: date) -> bool:
    """Whether an assignment is late: its counted report was done after the due date, or it has
    no counted report (none, a draft or a returned one) and the due date has passed."""
    if report is not None and report.counts:
        return report.completed_on is not None and report.completed_on > assignment.due_on
    return assignment.due_on < today


def staff_ids_of(period: Period) -> set[uuid.UUID]:
    return set(
        db.session.execute(
            sa.select(Assignment.staff_id).where(Assignment.period_id == period.id).distinct()
        ).scalars()
    )
