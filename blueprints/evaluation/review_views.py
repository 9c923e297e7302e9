"""Thẩm định (the manager reviews reports and assesses) and Phê duyệt (the head approves)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.evaluation.common import (
    bp,
    managed_people,
    or_404,
    require_manages,
    selected_period,
)
from blueprints.evaluation.forms import ActionForm, ApproveForm, ReviewForm, assessment_form
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, PeriodScore, label
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import AssessmentStage
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    assessments,
    assignments,
    evidence,
    periods,
    reports,
    scores,
)
from tenant_app.services.evaluation.scores import LEADER_GROUPS
from tenant_app.services.workspace import staff
from tenant_app.web import saving


def _is_leader(post) -> bool:
    return post is not None and post.position.position_group in LEADER_GROUPS


def _manager_form(period, person, post, data=None):
    params = periods.params_of(period)
    if data is None:
        row = assessments.get_assessment(
            period, person, AssessmentStage.MANAGER
        ) or assessments.get_assessment(period, person, AssessmentStage.SELF)
        data = {}
        if row is not None:
            data = {f"general_{i}": v for i, v in enumerate(row.general)}
            if row.stage == AssessmentStage.MANAGER:
                data["comment"] = row.comment or ""
                if row.organising is not None:
                    data["organising"] = f"{row.organising.normalize():f}"
    return assessment_form(params.general_criteria, organising=_is_leader(post), data=data)


def _review_page(period, review_forms=None, assess_forms=None, status=200):
    people = managed_people(current_user)
    ids = [p.id for p in people]
    rows = assignments.work_of(period, ids) if period else []
    items = {
        i.id: i
        for i in db.session.query(CatalogueItem)
        .filter(CatalogueItem.id.in_({a.item_id for a, _r in rows}))
        .all()
    }
    files = evidence.files_of([r.id for _a, r in rows if r is not None])
    posts = staff.current_assignments(ids)
    by_person: dict = {}
    for assignment, report in rows:
        by_person.setdefault(assignment.staff_id, []).append((assignment, report))
    review_forms = review_forms or {}
    assess_forms = assess_forms or {}
    forms, self_rows, manager_forms = {}, {}, {}
    for _assignment, report in rows:
        if report is not None and report.counts:
            forms[report.id] = review_forms.get(report.id) or ReviewForm(
                formdata=None,
                decision="accept",
                major_errors=str(report.major_errors),
                delays=str(report.delays),
                exempt_errors=str(report.exempt_errors),
                exempt_delays=str(report.exempt_delays),
                exemption_reason=report.exemption_reason or "",
                comment=report.review_comment or "",
            )
    score_rows = {}
    if period is not None:
        for person in people:
            self_rows[person.id] = assessments.get_assessment(period, person, AssessmentStage.SELF)
            manager_forms[person.id] = assess_forms.get(person.id) or _manager_form(
                period, person, posts.get(person.id)
            )
        score_rows = {
            s.staff_id: s
            for s in db.session.execute(
                sa.select(PeriodScore).where(
                    PeriodScore.period_id == period.id, PeriodScore.staff_id.in_(ids)
                )
            ).scalars()
        }
    return (
        render_template(
            "evaluation/review.html",
            period=period,
            people=people,
            posts=posts,
            by_person=by_person,
            items=items,
            files=files,
            forms=forms,
            self_rows=self_rows,
            manager_forms=manager_forms,
            criteria=periods.params_of(period).general_criteria if period else (),
            scores=score_rows,
            label=label,
        ),
        status,
    )


@bp.get("/review")
@tenant_user_required("manager", "unit_admin")
def review():
    return _review_page(selected_period())


@bp.post("/review/reports/<report_id>")
@tenant_user_required("manager", "unit_admin")
def review_report(report_id: str):
    report = or_404(reports.get_report, report_id)
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    require_manages(person)
    period_id, staff_id = assignment.period_id, person.id
    form = ReviewForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            reports.review_report(
                report,
                actor=current_user,
                accept=form.decision.data != "return",
                major_errors=form.major_errors.data,
                delays=form.delays.data,
                exempt_errors=form.exempt_errors.data,
                exempt_delays=form.exempt_delays.data,
                exemption_reason=form.exemption_reason.data,
                comment=form.comment.data,
            )
        if saved.ok:
            flash(_("Đã lưu thẩm định báo cáo của %(name)s.", name=person.full_name), "success")
            return redirect(url_for("evaluation.review", period=period_id) + f"#p-{staff_id}")
    period = db.session.get(Period, (person.tenant_id, period_id))
    return _review_page(period, review_forms={report.id: form}, status=400)


@bp.post("/review/assess/<staff_id>")
@tenant_user_required("manager", "unit_admin")
def review_assess(staff_id: str):
    period = selected_period()
    if period is None:
        abort(404)
    person = or_404(staff.get_staff, staff_id)
    require_manages(person)
    post = staff.current_assignment(person.id)
    form = _manager_form(period, person, post, data={})
    if form.validate_on_submit():
        with saving(form) as saved:
            assessments.save_assessment(
                period,
                person,
                stage=AssessmentStage.MANAGER,
                general=[(f.data or "").replace(",", ".") for f in form.general_fields],
                organising=(form.organising.data or "").replace(",", ".")
                if hasattr(form, "organising")
                else None,
                actor=current_user,
                comment=form.comment.data,
            )
        if saved.ok:
            flash(_("Đã lưu đánh giá của %(name)s.", name=person.full_name), "success")
            return redirect(url_for("evaluation.review", period=period.id) + f"#p-{person.id}")
    period = db.session.get(Period, (person.tenant_id, period.id))
    return _review_page(period, assess_forms={person.id: form}, status=400)


# --- Phê duyệt (head of the agency) -----------------------------------------------------------


def _approval_rows(period):
    """[(person, score or None)] of everyone with work or a score in ``period``, by name."""
    if period is None:
        return [], {}
    by_staff = {s.staff_id: s for s in scores.scores_of(period)}
    ids = set(by_staff) | assignments.staff_ids_of(period)
    people = db.session.execute(
        sa.select(StaffMember).where(StaffMember.id.in_(ids)).order_by(StaffMember.full_name)
    ).scalars()
    rows = [(person, by_staff.get(person.id)) for person in people]
    return rows, assessments.pending_reviews(period, ids)


@bp.route("/approval", methods=["GET", "POST"])
@tenant_user_required("manager")
def approval():
    if not assessments.is_head_of_agency(current_user):
        abort(403)
    period = selected_period()
    form = ApproveForm()
    status = 200
    if period is not None and form.validate_on_submit():
        rows, _waiting = _approval_rows(period)
        skipped = []
        if form.approve_all.data:
            chosen = [p.id for p, s in rows if s is None or s.approved_at is None]
        else:
            chosen = []
            for value in request.form.getlist("staff_id"):
                try:
                    chosen.append(uuid.UUID(value))
                except ValueError:
                    abort(404)
            known = {p.id for p, _s in rows}
            if any(sid not in known for sid in chosen):
                abort(404)
        with saving(form) as saved:
            if not chosen:
                raise ServiceError("none_selected", _("Chưa chọn người nào để phê duyệt."))
            if form.approve_all.data:
                # Everyone but the approver's own record and the head's (named on screen).
                approved, skipped = assessments.approve_all(period, chosen, actor=current_user)
            else:
                approved = assessments.approve(period, chosen, actor=current_user)
        if saved.ok:
            flash(_("Đã phê duyệt %(n)d người.", n=len(approved)), "success")
            if skipped:
                flash(assessments.skipped_message(skipped), "info")
            return redirect(url_for("evaluation.approval", period=period.id))
        status = 400
        period = db.session.get(Period, (period.tenant_id, period.id))
    elif request.method == "POST":
        abort(400)
    rows, waiting = _approval_rows(period)
    return (
        render_template(
            "evaluation/approval.html",
            period=period,
            rows=rows,
            problems=scores.problems_of(period) if period is not None else [],
            waiting=waiting,
            form=form,
            action_form=ActionForm(formdata=None),
            label=label,
        ),
        status,
    )
