"""The province audit log (``/admin/audit``): every unit's trail and the province chain.

Auditors and province administrators read it; unit events are read through the audited door, so
each page view is itself a ``cross_tenant.read`` event. Only raising a chain alert writes, and
only a province administrator may.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenant_app.auth import province_user_required
from tenant_app.forms import ActionForm
from tenant_app.services.audit import audit_chain, audit_export, audit_labels, audit_log
from tenant_app.services.province import tenants
from tenant_app.tenancy.door import cross_tenant_read
from tenant_app.web import (
    EXPORT_FORMATS,
    audit_filter_values,
    export_response,
    page_number,
    read_audit_filters,
)

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")


def _door(filters: audit_log.Filters, purpose: str):
    """The cross-tenant door when unit events are read; a no-op for the province chain alone."""
    if filters.source == "province":
        return nullcontext()
    ids = [filters.tenant_id] if filters.tenant_id is not None else None
    return cross_tenant_read(purpose, tenant_ids=ids)


def _render(chain_status=None):
    filters = read_audit_filters(province=True)
    number = page_number()
    with _door(filters, "audit log"):
        events, total = audit_log.page(filters, number)
    return render_template(
        "audit/log.html",
        base_template="admin_base.html",
        province=True,
        events=events,
        total=total,
        page=number,
        pages=max((total + audit_log.PAGE_SIZE - 1) // audit_log.PAGE_SIZE, 1),
        values=audit_filter_values(),
        chain_status=chain_status,
        endpoint="admin_audit.index",
        verify_endpoint="admin_audit.verify",
        export_endpoint="admin_audit.export",
        alert_endpoint="admin_audit.alert" if current_user.has_role("province_admin") else None,
        action_labels=audit_labels.ACTION_LABELS,
        tenants=tenants.list_tenants(),
        title=_("Nhật ký hệ thống toàn tỉnh"),
    )


@bp.get("")
@province_user_required()
def index():
    return _render()


@bp.get("/verify")
@province_user_required()
def verify():
    """Walk the province chain and every unit's chain now (on demand: it reads every event)."""
    units = tenants.list_tenants()
    checked, broken = audit_chain.verify_chain(None)
    broken = [broken] if broken else []
    with cross_tenant_read("audit log: verify every chain"):
        for unit in units:
            n, link = audit_chain.verify_chain(unit.id)
            checked += n
            if link:
                broken.append(link)
    return _render(audit_log.chain_report(checked, broken))


@bp.post("/alert")
@province_user_required("province_admin")
def alert():
    """Run the daily chain check now: each broken chain becomes an ``audit.chain_broken`` event."""
    if not ActionForm().validate_on_submit():
        flash(_("Phiên biểu mẫu đã hết hạn, vui lòng thử lại."), "error")
        return redirect(url_for("admin_audit.index"))
    audit_chain.request_check()
    flash(_("Đã chạy kiểm tra chuỗi nhật ký; chuỗi bị đứt được ghi vào nhật ký cấp tỉnh."), "info")
    return redirect(url_for("admin_audit.index", action="audit.chain_broken"))


@bp.get("/export.<fmt>")
@province_user_required()
def export(fmt: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    filters = read_audit_filters(province=True)
    with _door(filters, f"audit log export ({fmt})"):
        header, rows = audit_export.rows(filters, province=True)
    return export_response(fmt, header, rows, "nhat-ky-toan-tinh")
