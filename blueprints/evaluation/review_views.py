"""Thẩm định (the manager reviews reports and assesses) and Phê duyệt (the head approves)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.evaluation import queue
from blueprints.evaluation.common import (
    bp,
    or_404,
    require_manages,
    selected_period,
)
from blueprints.evaluation.forms import ActionForm, ApproveForm, ReviewForm, assessment_form
from blueprints.evaluation.review_queue import (
    REVIEW_SHOWS,
    back_to_queue,
    catalogue_items,
    review_queue,
    review_report_form,
    row_answer,
    wants_json,
)
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.evaluation import Assignment, Period, PeriodScore, label
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import DEFAULT_APPROVAL_CHAIN, AssessmentStage, ReportStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    assessments,
    assignments,
    chain,
    deciding,
    evidence,
    periods,
    reports,
    score_display,
    scores,
)
from tenant_app.services.evaluation.scores import LEADER_GROUPS
from tenant_app.services.workspace import staff
from tenant_app.web import saving


def _is_leader(post) -> bool:
    return post is not None and post.position.position_group in LEADER_GROUPS


def _form_stage(period, person) -> str:
    """The stage the review page's assessment form records for ``person``: the manager's under
    the default chain (as always), else the user's stage in the period's chain."""
    if chain.chain_of(period) == DEFAULT_APPROVAL_CHAIN:
        return AssessmentStage.MANAGER
    return assessments.acting_stage(period, person, current_user) or AssessmentStage.MANAGER


def _manager_form(period, person, post, data=None):
    """The assessment form of the stage the user records for ``person`` (``acting_stage``),
    filled with that stage's points, else the latest earlier stage's."""
    params = periods.params_of(period)
    if data is None:
        stage = _form_stage(period, person)
        stages = chain.chain_for(period, person)
        earlier = stages[: stages.index(stage) + 1] if stage in stages else (stage,)
        row = next(
            (
                found
                for s in reversed(earlier)
                if (found := assessments.get_assessment(period, person, s)) is not None
            ),
            None,
        )
        data = {}
        if row is not None:
            data = {f"general_{i}": v for i, v in enumerate(row.general)}
            if row.stage == stage:
                data["comment"] = row.comment or ""
                if row.organising is not None:
                    data["organising"] = f"{row.organising.normalize():f}"
    return assessment_form(params.general_criteria, organising=_is_leader(post), data=data)


def _review_page(period, review_forms=None, assess_forms=None, status=200, focus=None):
    """The review page; ``focus`` (a refused form's person) shows just that person's card."""
    filters = queue.Filters.parse(request.args, REVIEW_SHOWS)
    if focus is not None:
        filters = queue.Filters(show="all", person=focus)
    work, posts, assessing = review_queue(period, filters)
    people = work.people
    ids = [p.id for p in people]
    rows = assignments.work_of(period, ids) if period else []
    if filters.item:
        rows = [(a, r) for a, r in rows if a.item_id == filters.item]
    items = {i.id: i for i in catalogue_items({a.item_id for a, _r in rows})}
    files = evidence.files_of([r.id for _a, r in rows if r is not None])
    by_person: dict = {}
    for assignment, report in rows:
        by_person.setdefault(assignment.staff_id, []).append((assignment, report))
    review_forms = review_forms or {}
    assess_forms = assess_forms or {}
    forms, self_rows, manager_forms = {}, {}, {}
    for _assignment, report in rows:
        # Only rows whose form is on the page (waiting, refused, or the person's own view).
        if (
            report is not None
            and report.counts
            and (
                report.status == ReportStatus.SUBMITTED
                or filters.person
                or report.id in review_forms
            )
        ):
            forms[report.id] = review_forms.get(report.id) or review_report_form(
                report, files.get(report.id, [])
            )
    score_rows = {}
    if period is not None:
        # The assessment form is on the page when a self-assessment waits for it, or on the
        # person's own view ("Chỉ xem người này"); elsewhere a link leads there.
        for person in people:
            if person.id in assessing or filters.person or person.id in assess_forms:
                self_rows[person.id] = assessments.get_assessment(
                    period, person, AssessmentStage.SELF
                )
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
    # The stages of the person's chain with each one's score, on the person's own view.
    stage_rows = {}
    if period is not None and filters.person:
        for person in people:
            if person.id == filters.person:
                stage_rows[person.id] = score_display.stage_history(
                    score_rows.get(person.id), period, person
                )
    return (
        render_template(
            "evaluation/review.html",
            stage_rows=stage_rows,
            period=period,
            queue=work,
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
    """Accept or return a report; answers JSON with the row (in place) or redirects back."""
    report = or_404(reports.get_report, report_id)
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    require_manages(person)
    period_id, staff_id, name = assignment.period_id, person.id, person.full_name
    form = ReviewForm()
    accept = form.decision.data != "return"
    if form.validate_on_submit():
        with saving(form) as saved:
            reports.review_report(
                report,
                actor=current_user,
                accept=accept,
                major_errors=form.major_errors.data,
                delays=form.delays.data,
                exempt_errors=form.exempt_errors.data,
                exempt_delays=form.exempt_delays.data,
                exemption_reason=form.exemption_reason.data,
                exemption_evidence_id=form.exemption_evidence_id.data or None,
                delay_reason=form.delay_reason.data,
                comment=form.comment.data,
            )
        if saved.ok:
            if wants_json():
                report = reports.get_report(report_id)
                person = db.session.get(StaffMember, (report.tenant_id, staff_id))
                done = _("Đã chấp nhận.") if accept else _("Đã trả lại.")
                return row_answer(report, review_report_form(report), person, ok=True, message=done)
            flash(_("Đã lưu thẩm định báo cáo của %(name)s.", name=name), "success")
            return back_to_queue(period_id, staff_id)
    if wants_json():
        report = reports.get_report(report_id)
        person = db.session.get(StaffMember, (report.tenant_id, staff_id))
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        message = errors[0] if errors else _("Chưa lưu được thẩm định.")
        return row_answer(report, form, person, ok=False, message=str(message))
    period = db.session.get(Period, (person.tenant_id, period_id))
    return _review_page(period, review_forms={report.id: form}, status=400, focus=staff_id)


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
    stage = _form_stage(period, person)
    if form.validate_on_submit():
        with saving(form) as saved:
            assessments.save_assessment(
                period,
                person,
                stage=stage,
                general=[(f.data or "").replace(",", ".") for f in form.general_fields],
                organising=(form.organising.data or "").replace(",", ".")
                if hasattr(form, "organising")
                else None,
                actor=current_user,
                comment=form.comment.data,
            )
        if saved.ok:
            flash(_("Đã lưu đánh giá của %(name)s.", name=person.full_name), "success")
            return back_to_queue(period.id, person.id)
    period = db.session.get(Period, (person.tenant_id, period.id))
    return _review_page(period, assess_forms={person.id: form}, status=400, focus=person.id)


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
    # Whose result the competent higher level decides (the head; viên chức under vc_2026 when
    # the period's ``vc_deciding_role`` is ``higher_level``): shown, never selectable here.
    higher = deciding.period_reserved(period, [p.id for p, _s in rows]) if period else {}
    return (
        render_template(
            "evaluation/approval.html",
            higher=higher,
            period=period,
            chain_text=chain.chain_label(chain.chain_of(period)) if period is not None else "",
            rows=rows,
            problems=scores.problems_of(period) if period is not None else [],
            waiting=waiting,
            form=form,
            action_form=ActionForm(formdata=None),
            label=label,
        ),
        status,
    )
