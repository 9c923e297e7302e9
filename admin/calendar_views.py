"""The province console's calendar: units late at a stage, and extending one of their windows.

``/admin/calendar`` lists, for every serving unit (read through the door), each stage whose
window ended with work still pending: review, approval, the annual classification; with the
days late and how much is pending, filterable by unit, stage and days late. A province
administrator extends a window of a unit's period with a reason (``window_extension_write``);
auditors read.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenant_app.auth import province_user_required
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import lateness, window_extensions
from tenant_app.services.province import tenants
from tenant_app.tenancy.door import DoorRefused, cross_tenant_read, window_extension_write
from tenant_app.web import or_404

bp = Blueprint("admin_calendar", __name__, url_prefix="/admin")


def _stage_labels() -> dict:
    return {
        "review": _("Thẩm định"),
        "approval": _("Phê duyệt"),
        "annual": _("Xếp loại cuối năm"),
    }


def _filters() -> dict:
    stage = request.args.get("stage") or ""
    try:
        min_days = max(0, int(request.args.get("min_days") or 0))
    except ValueError:
        min_days = 0
    return {
        "unit": (request.args.get("unit") or "").strip(),
        "stage": stage if stage in lateness.LATE_STAGES else "",
        "min_days": min_days,
    }


def _day() -> date:
    """The day the list is for: ``?on=YYYY-MM-DD`` (what the console showed or will show
    that day, e.g. during a simulated year), else today."""
    try:
        return date.fromisoformat(request.args.get("on") or "")
    except ValueError:
        return date.today()


def _page(status: int = 200, errors: dict | None = None):
    today = _day()
    serving = tenants.list_serving()
    chosen = _filters()
    late = []
    if serving:
        with cross_tenant_read(
            "late units", actor=current_user._get_current_object(),
            tenant_ids=[t.id for t in serving],
        ):  # fmt: skip
            late = lateness.late_stages(today, tenants=serving)
    by_id = {t.id: t for t in serving}
    rows = [
        (by_id[x.tenant_id], x)
        for x in late
        if (not chosen["unit"] or by_id[x.tenant_id].slug == chosen["unit"])
        and (not chosen["stage"] or x.stage == chosen["stage"])
        and x.days_late >= chosen["min_days"]
    ]
    return (
        render_template(
            "admin/calendar_late.html",
            rows=rows,
            units=serving,
            chosen=chosen,
            stages=_stage_labels(),
            window_labels=window_extensions.WINDOW_LABELS,
            today=today,
            errors=errors or {},
            may_extend=current_user.has_role("province_admin"),
        ),
        status,
    )


@bp.get("/calendar")
@province_user_required("province_admin", "auditor")
def late_units():
    return _page()


@bp.post("/units/<slug>/periods/<uuid:period_id>/extend")
@province_user_required("province_admin")
def extend(slug: str, period_id):
    tenant = or_404(tenants.get_serving, slug)
    form = request.form
    key = f"{slug}:{period_id}"
    try:
        new_until = date.fromisoformat(form.get("new_until", ""))
    except ValueError:
        message = _("Hạn mới không hợp lệ.")
        flash(message, "error")
        return _page(status=400, errors={key: message})
    try:
        window_extension_write(
            tenant,
            period_id,
            form.get("window", ""),
            new_until,
            form.get("reason", ""),
            actor=current_user._get_current_object(),
        )
    except DoorRefused:
        abort(403)
    except ServiceError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "error")
        return _page(status=exc.status, errors={key: exc.message})
    flash(_("Đã gia hạn cho đơn vị %(unit)s.", unit=tenant.name), "success")
    return redirect(url_for("admin_calendar.late_units"))
