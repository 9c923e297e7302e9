"""The review queue of Thẩm định: who is waiting, the filtered page of people, and one report's
row as HTML or as the JSON answer of an in-place review (static/js/review-queue.js)."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf as csrf_token

from blueprints.evaluation import queue
from blueprints.evaluation.common import managed_people_and_posts
from blueprints.evaluation.forms import ReviewForm
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, label
from tenant_app.services.evaluation import evidence, reports, worklist
from tenant_app.services.workspace import staff

REVIEW_SHOWS = ("waiting", "all")


def review_queue(period, filters: queue.Filters):
    """(the page of people ``filters`` asks for among those the user manages, with counts;
    their current posts; the people whose self-assessment waits for the manager's)."""
    people, posts = managed_people_and_posts(current_user)
    ids = [p.id for p in people]
    facts = worklist.work_facts(period, ids) if period else []
    stages = worklist.assessment_stages(period, ids) if period else {}
    item_people: dict = {}
    for sid, iid, _status in facts:
        item_people.setdefault(iid, set()).add(sid)
    labels = {i.id: f"{i.code} – {i.name}" for i in catalogue_items(item_people)}
    me = staff.staff_for_user(current_user)
    me_id = None if me is None else me.id
    states = {
        "waiting": worklist.waiting_in_chain(period, people, facts, stages, me_id)
        if period
        else set(),
        "all": None,
    }
    assessing = worklist.waiting_in_chain(period, people, [], stages, me_id) if period else set()
    return queue.build(filters, people, posts, states, item_people, labels), posts, assessing


def catalogue_items(ids) -> list[CatalogueItem]:
    """The catalogue items of ``ids`` (one query; none for no ids)."""
    if not ids:
        return []
    return db.session.query(CatalogueItem).filter(CatalogueItem.id.in_(list(ids))).all()


def review_report_form(report, files=None) -> ReviewForm:
    """The review form of ``report`` filled with its current review.

    Before the first review the delays are those the dates propose; the exemption fields show
    the proposal (counted or not yet approved); its proof is chosen among the report's files
    (``files``: those already loaded for a page of reports, else read here).
    """
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    delays = report.delays if report.reviewed_at else reports.proposed_delays(assignment, report)
    form = ReviewForm(
        formdata=None,
        decision="accept",
        major_errors=str(report.major_errors),
        delays=str(delays),
        exempt_errors=str(report.proposed_exempt_errors or report.exempt_errors),
        exempt_delays=str(report.proposed_exempt_delays or report.exempt_delays),
        exemption_reason=report.exemption_reason or "",
        exemption_evidence_id=str(report.exemption_evidence_id or ""),
        delay_reason=report.delay_correction_reason or "",
        comment=report.review_comment or "",
    )
    if files is None:
        files = evidence.files_of([report.id]).get(report.id, [])
    form.exemption_evidence_id.choices = [("", "—")] + [(str(f.id), f.filename) for f in files]
    return form


def back_to_queue(period_id, staff_id):
    """The filtered page the form was posted from (its query string), at the person's card."""
    filters = queue.Filters.parse(request.args, REVIEW_SHOWS)
    return redirect(
        url_for("evaluation.review", period=period_id, **filters.args()) + f"#p-{staff_id}"
    )


def wants_json() -> bool:
    """Whether the request is the in-place review (it asks for JSON)."""
    return request.accept_mimetypes.best == "application/json"


def report_row(report, form, person, notice=None) -> str:
    """The HTML of one report's row on the review page, as the page itself renders it."""
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    item = db.session.get(CatalogueItem, (report.tenant_id, assignment.item_id))
    period = db.session.get(Period, (report.tenant_id, assignment.period_id))
    filters = queue.Filters.parse(request.args, REVIEW_SHOWS)
    return render_template(
        "evaluation/_review_row.html",
        a=assignment,
        r=report,
        item=item,
        person=person,
        period=period,
        attached=evidence.files_of([report.id]).get(report.id, []),
        form=form,
        csrf=csrf_token(),
        qargs=filters.args(),
        notice=notice,
        editable=filters.person == person.id,
        label=label,
    )


def row_answer(report, form, person, *, ok: bool, message: str):
    """The JSON answer of an in-place review: the row's new HTML, a message and the counts."""
    period = db.session.get(
        Period,
        (
            report.tenant_id,
            db.session.get(Assignment, (report.tenant_id, report.assignment_id)).period_id,
        ),
    )
    work, _posts, _assessing = review_queue(period, queue.Filters.parse(request.args, REVIEW_SHOWS))
    body = {
        "ok": ok,
        "message": message,
        "html": report_row(report, form, person, notice=(message, ok)),
        "counts": work.counts,
        "status": report.status,
    }
    return jsonify(body), 200 if ok else 400
