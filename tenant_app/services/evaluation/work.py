"""Assigned work and its reports: assign (giao việc), report with evidence, review by the manager.

Every change validates the period's state and windows, is audited, notifies the person
concerned, and re-scores the person at once (``tenant_app.jobs`` queue ``scoring``).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import periods
from tenant_app.services.evaluation.score_display import short
from tenant_app.services.workspace import catalogue, notifications, staff
from tenant_app.services.workspace.lookup import get_scoped


def _decimal(value, field: str, label: str, *, positive: bool = False) -> Decimal:
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


def _count(value, field: str, label: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ServiceError(
            "invalid_number", _("%(f)s phải là số nguyên.", f=label), field=field
        ) from None
    if number < 0:
        raise ServiceError("invalid_number", _("%(f)s không được âm.", f=label), field=field)
    return number


def get_assignment(assignment_id) -> Assignment:
    return get_scoped(Assignment, assignment_id, _("Không tìm thấy công việc được giao."))


def get_report(report_id) -> Report:
    return get_scoped(Report, report_id, _("Không tìm thấy báo cáo."))


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
    qty = _decimal(quantity, "quantity", _("Số lượng"), positive=True)
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
        .join(
            StaffAssignment,
            sa.and_(
                StaffAssignment.tenant_id == StaffMember.tenant_id,
                StaffAssignment.staff_id == StaffMember.id,
            ),
        )
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
    if report is not None and report.status != "draft":
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


def _report_snapshot(report: Report) -> dict:
    return {
        name: getattr(report, name)
        for name in (
            "completed",
            "completed_on",
            "status",
            "note",
            "links",
            "major_errors",
            "delays",
            "exempt_errors",
            "exempt_delays",
            "exemption_reason",
            "review_comment",
        )
    }


def save_report(
    assignment: Assignment,
    *,
    actor,
    completed,
    completed_on: date | None = None,
    note: str | None = None,
    links=None,
    submit: bool = False,
    today: date | None = None,
) -> Report:
    """The person's report on one assignment (draft, or submitted for review).

    Raises ServiceError outside the reporting window, for someone else's work, for a report
    already accepted, or for a completed quantity above the assigned one (unless the period's
    rules allow over-completion).
    """
    period = db.session.get(Period, (assignment.tenant_id, assignment.period_id))
    periods.ensure_window(period, "report", today)
    person = db.session.get(StaffMember, (assignment.tenant_id, assignment.staff_id))
    if person.user_id is None or person.user_id != getattr(actor, "id", None):
        raise ServiceError(
            "forbidden", _("Chỉ người được giao mới báo cáo được kết quả."), status=403
        )
    qty = _decimal(completed, "completed", _("Số lượng hoàn thành"))
    if qty > assignment.quantity and not periods.params_of(period).allow_over_completion:
        raise ServiceError(
            "over_completion",
            _(
                "Số lượng hoàn thành (%(done)s) vượt số lượng được giao (%(assigned)s).",
                done=f"{qty.normalize():f}",
                assigned=f"{assignment.quantity.normalize():f}",
            ),
            field="completed",
        )
    if completed_on is not None and completed_on > (today or date.today()):
        raise ServiceError(
            "invalid_date", _("Ngày hoàn thành không được ở tương lai."), field="completed_on"
        )
    clean_links = [str(link).strip() for link in (links or []) if str(link).strip()]
    if any(not link.startswith(("https://", "http://")) or len(link) > 500 for link in clean_links):
        raise ServiceError(
            "invalid_link", _("Liên kết minh chứng phải bắt đầu bằng https://."), field="links"
        )
    report = report_for(assignment)
    if report is not None and report.status == "accepted":
        raise ServiceError(
            "already_accepted", _("Báo cáo đã được chấp nhận: không thể sửa."), status=409
        )
    before = _report_snapshot(report) if report is not None else None
    if report is None:
        report = Report(assignment_id=assignment.id)
        db.session.add(report)
    report.completed = qty
    report.completed_on = completed_on
    report.note = note or None
    report.links = clean_links
    if submit:
        if qty > 0 and completed_on is None:
            raise ServiceError("date_required", _("Cần ghi ngày hoàn thành."), field="completed_on")
        report.status = "submitted"
        report.submitted_at = utcnow()
    elif report.status != "submitted":
        report.status = "draft"
    db.session.flush()
    audit.record(
        "report.submitted" if submit else "report.saved",
        object_type="report",
        object_id=report.id,
        before=before,
        after=_report_snapshot(report),
        actor=actor,
    )
    if submit and person.manager_id:
        manager = db.session.get(StaffMember, (person.tenant_id, person.manager_id))
        notifications.notify_staff(
            manager,
            "review_waiting",
            _("%(name)s đã gửi báo cáo kết quả, chờ thẩm định.", name=person.full_name),
            link="review",
            dedupe=f"review:{assignment.period_id}:{person.id}",
        )
    return report


def review_report(
    report: Report,
    *,
    actor,
    accept: bool,
    major_errors=0,
    delays=0,
    exempt_errors=0,
    exempt_delays=0,
    exemption_reason: str | None = None,
    comment: str | None = None,
    today: date | None = None,
) -> Report:
    """The manager accepts or returns a submitted report, counting major errors and delays.

    Exemptions (objective causes) need a reason and cannot exceed the errors or delays they
    exempt; more deductions per completed product than the period's parameters allow
    (``max_deductions_per_product``) are refused.
    """
    if report.status not in ("submitted", "accepted"):
        raise ServiceError("not_submitted", _("Chỉ thẩm định được báo cáo đã gửi."), status=409)
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    period = db.session.get(Period, (report.tenant_id, assignment.period_id))
    periods.ensure_window(period, "review", today)
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    if not can_manage(actor, person) or person.user_id == actor.id:
        raise ServiceError("forbidden", _("Bạn không có quyền thẩm định báo cáo này."), status=403)
    errors = _count(major_errors, "major_errors", _("Số lỗi nội dung lớn"))
    late = _count(delays, "delays", _("Số lần chậm"))
    ex_errors = _count(exempt_errors, "exempt_errors", _("Số lỗi được miễn trừ"))
    ex_delays = _count(exempt_delays, "exempt_delays", _("Số lần chậm được miễn trừ"))
    if ex_errors > errors:
        raise ServiceError(
            "invalid_exemption",
            _("Số lỗi được miễn trừ không vượt quá số lỗi."),
            field="exempt_errors",
        )
    if ex_delays > late:
        raise ServiceError(
            "invalid_exemption",
            _("Số lần chậm được miễn trừ không vượt quá số lần chậm."),
            field="exempt_delays",
        )
    if (ex_errors or ex_delays) and len((exemption_reason or "").strip()) < 5:
        raise ServiceError(
            "reason_required",
            _("Miễn trừ cần ghi rõ nguyên nhân khách quan và căn cứ."),
            field="exemption_reason",
        )
    _check_deduction_limit(period, report, errors, late)
    if not accept and len((comment or "").strip()) < 5:
        raise ServiceError(
            "comment_required", _("Trả lại báo cáo cần ghi rõ lý do."), field="comment"
        )
    before = _report_snapshot(report)
    report.major_errors, report.delays = errors, late
    report.exempt_errors, report.exempt_delays = ex_errors, ex_delays
    report.exemption_reason = (exemption_reason or "").strip() or None
    report.review_comment = (comment or "").strip() or None
    report.status = "accepted" if accept else "returned"
    if not accept:
        report.returned_count = (report.returned_count or 0) + 1
    report.reviewed_by = actor.id
    report.reviewed_at = utcnow()
    db.session.flush()
    audit.record(
        "report.reviewed",
        object_type="report",
        object_id=report.id,
        before=before,
        after=_report_snapshot(report),
        actor=actor,
    )
    if not accept:
        notifications.notify_staff(
            person,
            "report_returned",
            _("Báo cáo của bạn bị trả lại: %(why)s", why=comment),
            link="work",
        )
    return report


def _check_deduction_limit(period: Period, report: Report, errors: int, late: int) -> None:
    """Raise ServiceError when errors or delays exceed the period's limit per completed product.

    The limit and the rates come from the period's parameters, as in the scoring engine: a review
    the engine would refuse must be refused here, or the person is left without a score.
    """
    params = periods.params_of(period)
    limit = params.max_deductions_per_product * report.completed
    if errors <= limit and late <= limit:
        return
    field, rate = (
        ("major_errors", params.error_deduction)
        if errors > limit
        else ("delays", params.delay_deduction)
    )
    raise ServiceError(
        "too_many_deductions",
        _(
            "Mỗi sản phẩm hoàn thành chỉ bị trừ tối đa %(n)d lần (%(n)d × %(rate)s%%).",
            n=params.max_deductions_per_product,
            rate=short(rate * 100),
        ),
        field=field,
    )


def work_of(period: Period, staff_ids) -> list[tuple[Assignment, Report | None]]:
    """Assignments of ``staff_ids`` in ``period`` with their reports, in one query."""
    stmt = (
        sa.select(Assignment, Report)
        .outerjoin(
            Report,
            sa.and_(
                Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
            ),
        )
        .where(Assignment.period_id == period.id, Assignment.staff_id.in_(list(staff_ids)))
    )
    return [(a, r) for a, r in db.session.execute(stmt.order_by(Assignment.created_at)).all()]


def staff_ids_of(period: Period) -> set[uuid.UUID]:
    return set(
        db.session.execute(
            sa.select(Assignment.staff_id).where(Assignment.period_id == period.id).distinct()
        ).scalars()
    )
