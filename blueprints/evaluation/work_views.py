"""Giao việc (assign work) and Công việc của tôi (reports, evidence, self-assessment)."""

from __future__ import annotations

import uuid
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.evaluation import queue
from blueprints.evaluation.common import (
    bp,
    managed_people_and_posts,
    or_404,
    own_staff,
    own_staff_id,
    require_manages,
    selected_period,
)
from blueprints.evaluation.forms import (
    ActionForm,
    AssignForm,
    BulkAssignForm,
    ReportForm,
    assessment_form,
    parse_date,
)
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, Report, label
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import AssessmentStage
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    assessments,
    assignments,
    evidence,
    exemptions,
    periods,
    reports,
    worklist,
)
from tenant_app.services.workspace import catalogue, staff
from tenant_app.web import page_cached, saving


def _date(value, field: str):
    try:
        return parse_date(value)
    except ValueError:
        raise ServiceError("invalid_date", _("Ngày không hợp lệ."), field=field) from None


# --- Giao việc -------------------------------------------------------------------------------


ASSIGN_SHOWS = ("all", "unassigned")


def _assign_page(period, forms=None, bulk_form=None, status=200, focus=None):
    """The assignment page: one filtered page of the people managed; ``focus`` (a refused
    form's person) shows just that person's card."""
    filters = queue.Filters.parse(request.args, ASSIGN_SHOWS)
    if focus is not None:
        filters = queue.Filters(show="all", person=focus)
    everyone, all_posts = managed_people_and_posts(current_user)
    facts = worklist.work_facts(period, [p.id for p in everyone]) if period else []
    item_people: dict = {}
    for sid, iid, _status in facts:
        item_people.setdefault(iid, set()).add(sid)
    all_items = (
        db.session.query(CatalogueItem)
        .filter(CatalogueItem.kind == "work_item", CatalogueItem.active.is_(True))
        .order_by(CatalogueItem.code)
        .all()
    )
    labels = {i.id: f"{i.code} – {i.name}" for i in all_items}
    labels.update({i.id: f"{i.code} – {i.name}" for i in _items(set(item_people) - set(labels))})
    assigned = {sid for sid, _i, _s in facts}
    states = {"all": None, "unassigned": {p.id for p in everyone} - assigned}
    work = queue.build(filters, everyone, all_posts, states, item_people, labels)
    people = work.people
    posts = {p.id: all_posts[p.id] for p in people if p.id in all_posts}
    by_position = catalogue.items_by_position({p.position_id for p in posts.values()})
    work_rows = assignments.work_of(period, [p.id for p in people]) if period else []
    items = {i.id: i for i in _items({a.item_id for a, _r in work_rows})}
    by_person: dict = {}
    for assignment, report in work_rows:
        by_person.setdefault(assignment.staff_id, []).append((assignment, report))
    forms = forms or {}
    default_due = period.ends_on.isoformat() if period else ""
    person_forms = {}
    for person in people:
        form = forms.get(person.id) or AssignForm(formdata=None, due_on=default_due)
        post = posts.get(person.id)
        applicable = by_position.get(post.position_id, []) if post else []
        applicable = [i for i in applicable if i.kind == "work_item"]
        choices = [(str(i.id), f"{i.code} – {i.name} ({i.unit_of_measure})") for i in applicable]
        others = [
            (str(i.id), f"{i.code} – {i.name} · " + _("ngoài vị trí"))
            for i in all_items
            if i not in applicable
        ]
        form.item_id.choices = [("", "—")] + choices + others
        person_forms[person.id] = form
    bulk = bulk_form or BulkAssignForm(formdata=None, due_on=default_due)
    position_ids = sorted({p.position_id for p in all_posts.values()})
    positions = {p.position_id: p.position for p in all_posts.values()}
    bulk.position_id.choices = [("", "—")] + [
        (str(pid), f"{positions[pid].code} – {positions[pid].name}") for pid in position_ids
    ]
    bulk.item_id.choices = [("", "—")] + [(str(i.id), f"{i.code} – {i.name}") for i in all_items]
    return (
        render_template(
            "evaluation/assign.html",
            period=period,
            periods_all=periods.list_periods(),
            queue=work,
            managed=len(everyone),
            people=people,
            posts=posts,
            by_position=by_position,
            by_person=by_person,
            items=items,
            forms=person_forms,
            bulk_form=bulk,
            action_form=ActionForm(formdata=None),
            label=label,
        ),
        status,
    )


def _items(ids) -> list[CatalogueItem]:
    if not ids:
        return []
    return db.session.query(CatalogueItem).filter(CatalogueItem.id.in_(list(ids))).all()


def _back_to_assign(period_id, staff_id=None):
    """The filtered assignment page the form was posted from, at the person's card."""
    args = queue.Filters.parse(request.args, ASSIGN_SHOWS).args()
    anchor = f"#p-{staff_id}" if staff_id else ""
    return redirect(url_for("evaluation.assign", period=period_id, **args) + anchor)


@bp.get("/assign")
@tenant_user_required("manager", "unit_admin")
def assign():
    return _assign_page(selected_period())


def _period_from_form() -> Period:
    period = selected_period()
    if period is None:
        abort(404)
    return period


@bp.post("/assign/<staff_id>")
@tenant_user_required("manager", "unit_admin")
def assign_person(staff_id: str):
    period = _period_from_form()
    person = or_404(staff.get_staff, staff_id)
    require_manages(person)
    form = AssignForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            if not form.item_id.data:
                raise ServiceError(
                    "invalid_item", _("Hãy chọn sản phẩm/công việc."), field="item_id"
                )
            try:
                item = catalogue.get_item(form.item_id.data)
            except ServiceError:
                raise ServiceError(
                    "invalid_item", _("Sản phẩm/công việc không hợp lệ."), field="item_id"
                ) from None
            due = _date(form.due_on.data, "due_on")
            if due is None:
                raise ServiceError("invalid_date", _("Cần ghi hạn hoàn thành."), field="due_on")
            assignments.assign(
                period,
                person,
                item,
                quantity=(form.quantity.data or "").replace(",", "."),
                due_on=due,
                actor=current_user,
                directing=bool(form.directing.data),
                note=form.note.data,
            )
        if saved.ok:
            flash(_("Đã giao việc cho %(name)s.", name=person.full_name), "success")
            return _back_to_assign(period.id, person.id)
    return _assign_page(
        db.session.get(Period, (period.tenant_id, period.id)),
        {person.id: form},
        status=400,
        focus=person.id,
    )


@bp.post("/assign/bulk")
@tenant_user_required("manager", "unit_admin")
def assign_bulk():
    period = _period_from_form()
    form = BulkAssignForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            if not form.position_id.data:
                raise ServiceError(
                    "no_holders", _("Hãy chọn vị trí việc làm."), field="position_id"
                )
            if not form.item_id.data:
                raise ServiceError(
                    "invalid_item", _("Hãy chọn sản phẩm/công việc."), field="item_id"
                )
            item = or_404(catalogue.get_item, form.item_id.data)
            due = _date(form.due_on.data, "due_on")
            if due is None:
                raise ServiceError("invalid_date", _("Cần ghi hạn hoàn thành."), field="due_on")
            try:
                position_id = uuid.UUID(form.position_id.data)
            except ValueError:
                abort(404)
            made = assignments.assign_by_position(
                period,
                position_id,
                item,
                quantity=(form.quantity.data or "").replace(",", "."),
                due_on=due,
                actor=current_user,
            )
        if saved.ok:
            flash(_("Đã giao việc cho %(n)d người.", n=len(made)), "success")
            return _back_to_assign(period.id)
    return _assign_page(
        db.session.get(Period, (period.tenant_id, period.id)), bulk_form=form, status=400
    )


@bp.post("/assignments/<assignment_id>/withdraw")
@tenant_user_required("manager", "unit_admin")
def assignment_withdraw(assignment_id: str):
    assignment = or_404(assignments.get_assignment, assignment_id)
    period = db.session.get(Period, (assignment.tenant_id, assignment.period_id))
    person = db.session.get(StaffMember, (assignment.tenant_id, assignment.staff_id))
    require_manages(person)
    if not ActionForm().validate_on_submit():
        abort(400)
    staff_id, period_id = person.id, period.id
    with saving() as saved:
        assignments.delete_assignment(assignment, actor=current_user)
    if saved.ok:
        flash(_("Đã thu hồi công việc."), "success")
    return _back_to_assign(period_id, staff_id)


# --- Công việc của tôi -----------------------------------------------------------------------


def _self_form(period, person, data=None):
    params = periods.params_of(period)
    if data is None:
        row = assessments.get_assessment(period, person, AssessmentStage.SELF)
        data = {}
        if row is not None:
            data = {f"general_{i}": v for i, v in enumerate(row.general)}
            data["comment"] = row.comment or ""
    return assessment_form(params.general_criteria, data=data)


def _my_work_page(period, forms=None, self_form=None, status=200):
    me = own_staff()
    rows, files, items = [], {}, {}
    if me is not None and period is not None:
        rows = assignments.work_of(period, [me.id])
        ids = {a.item_id for a, _r in rows}
        items = {
            i.id: i for i in db.session.query(CatalogueItem).filter(CatalogueItem.id.in_(ids)).all()
        }
        files = evidence.files_of([r.id for _a, r in rows if r is not None])
    forms = forms or {}
    report_forms = {}
    for assignment, report in rows:
        form = forms.get(assignment.id)
        if form is None:
            form = ReportForm(
                formdata=None,
                completed=f"{report.completed.normalize():f}" if report else "",
                completed_on=report.completed_on.isoformat()
                if report and report.completed_on
                else "",
                note=report.note if report else "",
                links="\n".join(report.links or []) if report else "",
            )
        report_forms[assignment.id] = form
    if me is not None and period is not None and self_form is None:
        self_form = _self_form(period, me)
    return (
        render_template(
            "evaluation/my_work.html",
            period=period,
            me=me,
            rows=rows,
            items=items,
            files=files,
            forms=report_forms,
            self_form=self_form,
            label=label,
            today=date.today(),
        ),
        status,
    )


@bp.get("/my/work")
@tenant_user_required()
@page_cached(person=own_staff_id)
def my_work():
    return _my_work_page(selected_period())


def _own_assignment(assignment_id: str) -> Assignment:
    assignment = or_404(assignments.get_assignment, assignment_id)
    me = own_staff()
    if me is None or assignment.staff_id != me.id:
        abort(403)
    return assignment


@bp.post("/my/work/<assignment_id>")
@tenant_user_required()
def my_report(assignment_id: str):
    assignment = _own_assignment(assignment_id)
    period = db.session.get(Period, (assignment.tenant_id, assignment.period_id))
    form = ReportForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            data = {
                "completed": (form.completed.data or "0").replace(",", "."),
                "completed_on": _date(form.completed_on.data, "completed_on"),
                "note": form.note.data,
                "links": (form.links.data or "").splitlines(),
                "submit": bool(form.send.data),
            }
            reports.report_result(
                assignment, data, [request.files.get(form.file.name)], actor=current_user
            )
        if saved.ok:
            message = _("Đã gửi báo cáo.") if form.send.data else _("Đã lưu nháp báo cáo.")
            flash(message, "success")
            return redirect(url_for("evaluation.my_work", period=period.id))
    period = db.session.get(Period, (assignment.tenant_id, assignment.period_id))
    return _my_work_page(period, {assignment.id: form}, status=400)


@bp.post("/my/assessment")
@tenant_user_required()
def my_assessment():
    period = _period_from_form()
    me = own_staff()
    if me is None:
        abort(403)
    form = _self_form(period, me, data={})
    if form.validate_on_submit():
        with saving(form) as saved:
            assessments.save_assessment(
                period,
                me,
                stage=AssessmentStage.SELF,
                general=[(f.data or "").replace(",", ".") for f in form.general_fields],
                actor=current_user,
                comment=form.comment.data,
            )
        if saved.ok:
            flash(_("Đã lưu phiếu tự đánh giá."), "success")
            return redirect(url_for("evaluation.my_work", period=period.id) + "#tu-danh-gia")
    period = db.session.get(Period, (period.tenant_id, period.id))
    return _my_work_page(period, self_form=form, status=400)


@bp.get("/evidence/<evidence_id>")
@tenant_user_required()
def evidence_download(evidence_id: str):
    """Send an evidence file of this tenant to its reporter, someone who manages them, or the
    approver of the report's proposed exemption."""
    row = or_404(evidence.get_evidence, evidence_id)
    report = db.session.get(Report, (row.tenant_id, row.report_id))
    assignment = db.session.get(Assignment, (row.tenant_id, report.assignment_id))
    person = db.session.get(StaffMember, (row.tenant_id, assignment.staff_id))
    if (
        person.user_id != current_user.id
        and not assignments.can_manage(current_user, person)
        and not (
            report.exemption_status is not None
            and exemptions.may_decide(
                current_user, report, db.session.get(Period, (row.tenant_id, assignment.period_id))
            )
        )
    ):
        abort(403)
    try:
        path = evidence.evidence_path(row)
    except ServiceError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, max_age=0)
    response.headers.update(evidence.download_headers(row))
    return response
