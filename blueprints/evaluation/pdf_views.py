"""PDF downloads: a person's evaluation form and the unit's period report (phiếu, báo cáo kỳ)."""

from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user

from blueprints.evaluation.common import bp, or_404, own_staff, selected_period
from blueprints.evaluation.score_views import person_or_403
from tenant_app.auth import tenant_user_required
from tenant_app.services.evaluation import assessments
from tenant_app.services.files import pdf_forms
from tenant_app.services.workspace import org, staff


def _download(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = pdf_forms.content_disposition(filename)
    # Personal data: no shared cache may keep a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _period_or_404():
    period = selected_period()
    if period is None:
        abort(404)
    return period


@bp.get("/scores/<staff_id>/form.pdf")
@tenant_user_required()
def person_form_pdf(staff_id: str):
    """The form of ``staff_id`` for ``?period=`` (default: the current period).

    The person themselves, or whoever directs them (the same check as the score page).
    """
    person = person_or_403(staff_id)
    period = _period_or_404()
    data = pdf_forms.person_form_pdf(period, person.id)
    return _download(data, pdf_forms.person_form_filename(period, person))


def _report_unit():
    """The unit the report covers: ``?org_unit=`` or the whole agency for its head and the unit
    administrators; a manager's own unit (or one below it) otherwise."""
    unit_id = request.args.get("org_unit") or None
    whole = current_user.has_role("unit_admin") or assessments.is_head_of_agency(current_user)
    if whole:
        return or_404(org.get_org_unit, unit_id) if unit_id else None
    if unit_id is None:
        me = own_staff()
        post = staff.current_assignment(me.id) if me is not None else None
        if post is None:
            abort(403)
        unit_id = post.org_unit_id
    unit = or_404(org.get_org_unit, unit_id)
    if unit.id not in staff.managed_unit_ids(current_user):
        abort(403)
    return unit


@bp.get("/reports/period.pdf")
@tenant_user_required("manager", "unit_admin")
def unit_report_pdf():
    """The period report of ``?period=`` for the unit, or ``?org_unit=`` and its sub-units."""
    period = _period_or_404()
    unit = _report_unit()
    data = pdf_forms.unit_report_pdf(
        period, unit.id if unit else None, prepared_by=current_user.full_name
    )
    return _download(data, pdf_forms.unit_report_filename(period, unit))
