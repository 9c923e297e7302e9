"""Drill-down from the province comparison into one unit, one person, and their PDF forms.

Each page reads inside ``tenancy.door.read_one_tenant``: the unit's own services run as if for
that unit (so nothing of another unit can appear), writes are refused, and the read is audited.
Periods the reader may not see (not published nor locked, for an auditor not granted more) are
refused with a message, never shown.
"""

from __future__ import annotations

import uuid

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from admin.comparison_common import (
    as_image,
    bp,
    message_page,
    requested_scope,
    scope_label,
)
from tenant_app import charts
from tenant_app.auth import province_user_required
from tenant_app.services.comparison import comparison, comparison_drill
from tenant_app.services.errors import NotFound
from tenant_app.services.evaluation.score_display import explain, summary
from tenant_app.services.files import pdf_forms
from tenant_app.services.province import tenants
from tenant_app.services.workspace import org, staff
from tenant_app.tenancy.door import read_one_tenant


def _tenant_or_404(slug: str):
    try:
        return tenants.get_by_slug(slug)
    except NotFound:
        abort(404)


def _scope() -> str:
    scope = requested_scope()
    if scope is None:
        abort(message_page(_("Chưa chọn kỳ"), _("Hãy chọn kỳ trên trang so sánh."), 400))
    return scope


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        abort(404)


def _refusal(tenant, scope: str, periods: comparison_drill.ScopePeriods) -> Response:
    if periods.hidden:
        message = _(
            "Kết quả %(s)s của %(u)s chưa được công khai hoặc khóa sổ; tài khoản của bạn chỉ "
            "được xem kết quả đã công khai hoặc đã khóa.",
            s=scope_label(scope),
            u=tenant.name,
        )
        return message_page(_("Chưa được xem kết quả này"), message, 403)
    message = _("%(u)s không có kỳ đánh giá nào trong %(s)s.", u=tenant.name, s=scope_label(scope))
    return message_page(_("Không có số liệu"), message, 404)


@bp.get("/units/<slug>")
@province_user_required()
def unit(slug: str):
    tenant = _tenant_or_404(slug)
    scope = _scope()
    visibility = comparison.visibility_for(current_user)
    org_unit_id = request.args.get("org_unit") or None
    with read_one_tenant(tenant, f"comparison drill-down: {tenant.slug} {scope}"):
        periods = comparison_drill.periods_for(scope, visibility)
        if not periods.visible:
            return _refusal(tenant, scope, periods)
        figures = comparison.compare(scope, [tenant.id], visibility).units[0]
        everyone = comparison_drill.people(scope, periods.visible, visibility)
        units = comparison_drill.org_units(everyone)
        chosen = None
        rows = everyone
        if org_unit_id:
            try:
                chosen = org.get_org_unit(_uuid_or_404(org_unit_id))
            except NotFound:
                abort(404)
            rows = comparison_drill.people(scope, periods.visible, visibility, chosen.id)
    histogram = charts.histogram(
        [r.total for r in rows],
        title=_("Phân bố tổng điểm – %(u)s, %(s)s", u=tenant.name, s=scope_label(scope)),
    )
    return render_template(
        "admin/comparison/unit.html",
        ward=tenant,  # not "tenant": the page header would show it as the unit acting
        scope=scope,
        visibility=visibility,
        periods=periods.visible,
        hidden_periods=[p for p in periods.all if p not in periods.visible],
        figures=figures,
        org_units=units,
        chosen=chosen,
        rows=rows,
        histogram=as_image(histogram),
    )


def _visible_period(code: str | None, visibility: str):
    """The unit's period ``code`` if the reader may see it; else the request ends (403/404)."""
    found = [p for p in comparison_drill.periods_for(code or "", visibility).visible]
    exact = [p for p in found if p.code == code]
    if not exact:
        abort(404)
    return exact[0]


def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = pdf_forms.content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _period_code() -> str:
    code = (request.args.get("period") or "").strip()
    try:
        return comparison.parse_scope(code)[0]
    except comparison.ScopeInvalid:
        abort(404)


@bp.get("/units/<slug>/report.pdf")
@province_user_required()
def unit_report(slug: str):
    """The unit's period report (``?period=`` one month or quarter; ``?org_unit=`` optional)."""
    tenant = _tenant_or_404(slug)
    code = _period_code()
    visibility = comparison.visibility_for(current_user)
    org_unit_id = request.args.get("org_unit") or None
    with read_one_tenant(tenant, f"comparison: period report {tenant.slug} {code}"):
        period = _visible_period(code, visibility)
        unit = None
        if org_unit_id:
            try:
                unit = org.get_org_unit(_uuid_or_404(org_unit_id))
            except NotFound:
                abort(404)
        data = pdf_forms.unit_report_pdf(period, unit.id if unit else None)
        name = pdf_forms.unit_report_filename(period, unit)
    return _pdf(data, f"{tenant.name} – {name}")


def _person_or_404(staff_id: str):
    try:
        return staff.get_staff(_uuid_or_404(staff_id))
    except NotFound:
        abort(404)


@bp.get("/units/<slug>/people/<staff_id>")
@province_user_required()
def person(slug: str, staff_id: str):
    tenant = _tenant_or_404(slug)
    scope = _scope()
    visibility = comparison.visibility_for(current_user)
    with read_one_tenant(tenant, f"comparison drill-down: person {staff_id} in {tenant.slug}"):
        someone = _person_or_404(staff_id)
        periods = comparison_drill.periods_for(scope, visibility)
        if not periods.visible:
            return _refusal(tenant, scope, periods)
        history = comparison_drill.history(someone, visibility)
        scores = {p.id: s for p, s in history}
        explained = [
            {
                "period": p,
                "score": scores.get(p.id),
                "figures": summary(scores.get(p.id), p),
                "lines": explain(scores[p.id], p) if p.id in scores else [],
            }
            for p in periods.visible
        ]
        rows = [(p, summary(s, p)) for p, s in history]
        events = comparison_drill.score_events(someone, [p for p, _s in history])
        post = staff.assignment_at(someone.id, periods.visible[-1].ends_on)
        position = (post.position.name, post.org_unit.name) if post else ("", "")
    chart = charts.trend(
        [p.code for p, _s in history],
        {someone.full_name: [s.total for _p, s in history]},
        title=_("Tổng điểm qua các kỳ – %(n)s", n=someone.full_name),
        y_label=_("Tổng điểm"),
    )
    return render_template(
        "admin/comparison/person.html",
        ward=tenant,  # not "tenant": the page header would show it as the unit acting
        scope=scope,
        person=someone,
        position=position,
        explained=explained,
        history=rows,
        events=events,
        chart=as_image(chart) if history else None,
    )


@bp.get("/units/<slug>/people/<staff_id>/form.pdf")
@province_user_required()
def person_form(slug: str, staff_id: str):
    """The person's evaluation form of ``?period=`` (one month or quarter the reader may see)."""
    tenant = _tenant_or_404(slug)
    code = _period_code()
    visibility = comparison.visibility_for(current_user)
    with read_one_tenant(tenant, f"comparison: form of {staff_id} in {tenant.slug} {code}"):
        someone = _person_or_404(staff_id)
        period = _visible_period(code, visibility)
        data = pdf_forms.person_form_pdf(period, someone.id)
        name = pdf_forms.person_form_filename(period, someone)
    return _pdf(data, name)
