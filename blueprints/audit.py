"""The unit's audit log (``/t/<slug>/audit``): unit administrators read their own tenant's trail.

Also the pieces the province console's audit pages share: filter parsing, export responses.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, render_template, request
from flask_babel import gettext as _

from tenant_app.auth import tenant_user_required
from tenant_app.models.base import utcnow
from tenant_app.services.audit import audit_chain, audit_export, audit_labels, audit_log
from tenant_app.services.errors import ServiceError
from tenant_app.tenancy.resolve import make_tenant_blueprint

bp = make_tenant_blueprint(Blueprint("tenant_audit", __name__, url_prefix="/t/<tenant_slug>/audit"))

FILTER_NAMES = ("tenant", "source", "actor", "action", "object_type", "object_id", "since", "until")
EXPORT_FORMATS = ("csv", "xlsx")


def filter_values() -> dict[str, str]:
    """Return the filters of the query string as given (to refill the form and build links)."""
    return {
        name: request.args.get(name, "").strip() for name in FILTER_NAMES if request.args.get(name)
    }


def read_filters(*, province: bool) -> audit_log.Filters:
    """Parse the query string: a bad value is flashed and dropped; an unknown unit is 404."""
    args = request.args.to_dict()
    for _attempt in range(len(FILTER_NAMES)):
        try:
            return audit_log.filters_from_args(args, province=province)
        except ServiceError as exc:
            if exc.status == 404:
                abort(404)
            flash(exc.message, "error")
            args.pop(exc.field, None)
    abort(400)


def export_response(fmt: str, header: list[str], rows: list[list], stem: str) -> Response:
    """Return the download of ``rows`` as ``fmt`` (csv or xlsx); 404 for another format."""
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, mimetype = audit_export.to_csv(header, rows), audit_export.CSV_MIMETYPE
    elif fmt == "xlsx":
        from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE

        body, mimetype = audit_export.to_xlsx(header, rows), XLSX_MIMETYPE
    else:
        abort(404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _render(chain_status=None):
    filters = read_filters(province=False)
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
        values=filter_values(),
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
    header, rows = audit_export.rows(read_filters(province=False), province=False)
    return export_response(fmt, header, rows, f"nhat-ky-{g.tenant.slug}")
