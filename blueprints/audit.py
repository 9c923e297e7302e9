"""The unit's audit log (``/t/<slug>/audit``): unit administrators read their own tenant's trail.

Also the pieces the province console's audit pages share: filter parsing, export responses.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template
from flask_babel import gettext as _

from tenant_app.auth import tenant_user_required
from tenant_app.services.audit import audit_chain, audit_export, audit_labels, audit_log
from tenant_app.tenancy.resolve import make_tenant_blueprint
from tenant_app.web import (
    EXPORT_FORMATS,
    audit_filter_values,
    export_response,
    page_number,
    read_audit_filters,
)

bp = make_tenant_blueprint(Blueprint("tenant_audit", __name__, url_prefix="/t/<tenant_slug>/audit"))


def _render(chain_status=None):
    filters = read_audit_filters(province=False)
    number = page_number()
    events, total = audit_log.page(filters, number)
    return render_template(
        "audit/log.html",
        base_template="tenant_base.html",
        province=False,
        events=events,
        total=total,
        page=number,
        pages=max((total + audit_log.PAGE_SIZE - 1) // audit_log.PAGE_SIZE, 1),
        values=audit_filter_values(),
        chain_status=chain_status,
        endpoint="tenant_audit.index",
        verify_endpoint="tenant_audit.verify",
        export_endpoint="tenant_audit.export",
        alert_endpoint=None,
        action_labels=audit_labels.ACTION_LABELS,
        tenants=[],
        title=_("Nhật ký hệ thống của %(name)s", name=g.tenant.name),
    )


@bp.get("")
@tenant_user_required("unit_admin")
def index():
    return _render()


@bp.get("/verify")
@tenant_user_required("unit_admin")
def verify():
    """Walk this unit's chain now (on demand only: it reads every event of the unit)."""
    checked, broken = audit_chain.verify_chain(g.tenant.id)
    return _render(audit_log.chain_report(checked, [broken] if broken else []))


@bp.get("/export.<fmt>")
@tenant_user_required("unit_admin")
def export(fmt: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    header, rows = audit_export.rows(read_audit_filters(province=False), province=False)
    return export_response(fmt, header, rows, f"nhat-ky-{g.tenant.slug}")
