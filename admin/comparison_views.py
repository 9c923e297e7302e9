"""The province comparison (``/admin/comparison``): units side by side, shared items, exports.

For auditors and province administrators. Every page reads across units through the audited
door (one ``cross_tenant.read`` event per page or download, naming the units); the PDF report
(``/export/report.pdf``) prints what the units page shows. Auditors see
published or locked results unless a province administrator granted them more (``/access``).
The drill-down into one unit lives in ``admin.comparison_drill``.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from admin.comparison_common import (
    EXPORT_FORMATS,
    SPREAD_TOP,
    TREND_SCOPES,
    as_image,
    bp,
    default_scope,
    export_table,
    purpose,
    requested_scope,
    scope_groups,
    scope_label,
    scope_short,
    selected_tenant_ids,
)
from admin.comparison_table import overall_label, trend_lines, units_parts
from tenant_app import charts
from tenant_app.auth import province_user_required
from tenant_app.extensions import db
from tenant_app.services.audit import auditor_access
from tenant_app.services.comparison import (
    comparison,
    comparison_export,
    comparison_pdf,
    read_cache,
)
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import pdf_forms
from tenant_app.services.province import tenants
from tenant_app.tenancy.door import cross_tenant_read

# --- the comparison of units


@bp.get("")
@province_user_required()
def index():
    visibility = comparison.visibility_for(current_user)
    ids = selected_tenant_ids()
    scope = requested_scope()
    sort = request.args.get("sort") or "name"
    if sort.lstrip("-") not in comparison_export.UNIT_SORT_KEYS:
        sort = "name"
    context = {
        "ids": ids,
        "selected": set(ids),
        "visibility": visibility,
        "sort": sort,
        "result": None,
    }
    with cross_tenant_read(purpose("units", scope), tenant_ids=ids or None):
        context["units_all"] = tenants.list_tenants()  # after the door's commit: loaded once
        scopes = comparison.available_scopes(visibility)
        scope = scope or default_scope(scopes)
        if scope is not None:
            # Built once per state of the figures (see read_cache): the trend reads the scopes
            # before this one; the table, charts and notes are in the reader's language.
            seen = comparison.previous_scopes(scope, TREND_SCOPES)
            key = ("units", read_cache.revision(seen, visibility, ids), sort, str(get_locale()))
            context.update(
                read_cache.cached(key, lambda: units_parts(scope, ids, visibility, sort))
            )
    context.update(scope=scope, scope_groups=scope_groups(scopes), overall=overall_label(ids))
    return render_template("admin/comparison/index.html", **context)


@bp.get("/export/<table>.<fmt>")
@province_user_required()
def export(table: str, fmt: str):
    """The unit table (``units``) or the warning signs (``flags``) as CSV or .xlsx."""
    if table not in ("units", "flags") or fmt not in EXPORT_FORMATS:
        abort(404)
    visibility = comparison.visibility_for(current_user)
    ids = selected_tenant_ids()
    scope = requested_scope()
    with cross_tenant_read(purpose(f"{table} export ({fmt})", scope), tenant_ids=ids or None):
        scope = scope or default_scope(comparison.available_scopes(visibility))
        if scope is None:
            abort(404)
        result = comparison.compare(scope, ids, visibility)
    if table == "units":
        data = comparison_export.unit_table(result, request.args.get("sort"), overall_label(ids))
        stem = "so-sanh"
    else:
        data = comparison_export.flag_table(result)
        stem = "so-sanh-canh-bao"
    return export_table(data, fmt, comparison_export.filename(stem, scope, fmt))


@bp.get("/export/report.pdf")
@province_user_required()
def report_pdf():
    """The comparison of ``?period=`` and ``?tenants=`` as a PDF report (A4 landscape): what the
    page shows, read the same way (one audited read), signed by the reader."""
    visibility = comparison.visibility_for(current_user)
    ids = selected_tenant_ids()
    scope = requested_scope()
    sort = request.args.get("sort") or "name"
    if sort.lstrip("-") not in comparison_export.UNIT_SORT_KEYS:
        sort = "name"
    with cross_tenant_read(purpose("report pdf", scope), tenant_ids=ids or None):
        scope = scope or default_scope(comparison.available_scopes(visibility))
        if scope is None:
            abort(404)
        result = comparison.compare(scope, ids, visibility)
        spread = comparison.item_spread(scope, ids, visibility)[:SPREAD_TOP]
        trend = trend_lines(scope, ids, visibility)
        data = comparison_pdf.comparison_pdf(
            result,
            title_scope=scope_label(scope),
            spread=spread,
            trend=trend,
            prepared_by=current_user.full_name,
            units=comparison_export.sort_units(result.units, sort),
            total_label=overall_label(ids),
        )
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = pdf_forms.content_disposition(
        comparison_pdf.comparison_filename(scope)
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- one shared item


@bp.get("/items")
@province_user_required()
def items():
    visibility = comparison.visibility_for(current_user)
    ids = selected_tenant_ids()
    scope = requested_scope()
    code = (request.args.get("code") or "").strip()[:32] or None
    context = {"code": code, "ids": ids, "visibility": visibility, "rows": [], "shared": []}
    what = f"item {code}" if code else "shared items"
    with cross_tenant_read(purpose(what, scope), tenant_ids=ids or None):
        scopes = comparison.available_scopes(visibility)
        scope = scope or default_scope(scopes)
        if scope is not None and code:
            rows = comparison.item_comparison(scope, code, ids, visibility)
            trend_scopes, series = comparison.item_trend(scope, code, ids, visibility)
            context["rows"] = rows
        elif scope is not None:
            context["shared"] = comparison.shared_items(scope, ids, visibility)
    context.update(scope=scope, scope_groups=scope_groups(scopes))
    if context["rows"]:
        rows = context["rows"]
        context["name"] = rows[0].agg.item_name
        context["charts"] = [
            as_image(
                charts.ranking(
                    [(r.tenant.name, r.score) for r in rows],
                    title=_(
                        "Điểm chỉ tiêu %(c)s theo đơn vị – %(s)s", c=code, s=scope_label(scope)
                    ),
                    value_label=_("Điểm (%)"),
                )
            ),
            as_image(
                charts.trend(
                    [scope_short(s) for s in trend_scopes],
                    {
                        name: values
                        for name, values in series.items()
                        if any(v is not None for v in values)
                    },
                    title=_("Điểm chỉ tiêu %(c)s qua %(n)d kỳ", c=code, n=len(trend_scopes)),
                    y_label=_("Điểm (%)"),
                )
            ),
        ]
    return render_template("admin/comparison/items.html", **context)


@bp.get("/items/export.<fmt>")
@province_user_required()
def items_export(fmt: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    visibility = comparison.visibility_for(current_user)
    ids = selected_tenant_ids()
    scope = requested_scope()
    code = (request.args.get("code") or "").strip()[:32]
    if not code:
        abort(404)
    with cross_tenant_read(purpose(f"item {code} export ({fmt})", scope), tenant_ids=ids or None):
        scope = scope or default_scope(comparison.available_scopes(visibility))
        if scope is None:
            abort(404)
        rows = comparison.item_comparison(scope, code, ids, visibility)
    table = comparison_export.item_table(rows)
    return export_table(
        table, fmt, comparison_export.filename("so-sanh-chi-tieu", scope, fmt, code)
    )


# --- who sees unpublished results


class AccessForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])
    sees_unpublished = BooleanField(_l("Được xem kết quả chưa công khai"))


@bp.route("/access", methods=["GET", "POST"])
@province_user_required("province_admin")
def access():
    form = AccessForm()
    if request.method == "POST":
        if not form.validate_on_submit() or not (form.user_id.data or "").isdigit():
            flash(_("Phiên biểu mẫu đã hết hạn, vui lòng thử lại."), "error")
            return redirect(url_for("admin_comparison.access"))
        try:
            user = auditor_access.set_sees_unpublished(
                int(form.user_id.data), bool(form.sees_unpublished.data), actor=current_user
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            if exc.status in (403, 404):
                abort(exc.status)
            flash(exc.message, "error")
        else:
            message = (
                _("%(name)s được xem cả kết quả chưa công khai.", name=user.full_name)
                if user.sees_unpublished
                else _("%(name)s chỉ xem kết quả đã công khai hoặc đã khóa.", name=user.full_name)
            )
            flash(message, "success")
        return redirect(url_for("admin_comparison.access"))
    return render_template("admin/comparison/access.html", auditors=auditor_access.auditors())
