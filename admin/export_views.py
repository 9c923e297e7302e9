"""Province exports (``/admin/exports``): ask for a large export, follow it, download the file.

Province users only, each seeing and downloading only their own exports (another user's is 404,
an expired link 410). The file is built by a background job (``tenant_app.jobs.exports``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenant_app import audit
from tenant_app.auth import province_user_required
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.exports import ProvinceExport
from tenant_app.models.vocabulary import JobStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import province_exports
from tenant_app.services.files.pdf_forms import content_disposition
from tenant_app.services.province import tenants

bp = Blueprint("admin_exports", __name__, url_prefix="/admin/exports")


@bp.get("")
@province_user_required()
def index():
    rows = province_exports.list_for(current_user)
    return render_template(
        "admin/exports/index.html",
        rows=rows,
        running=any(r.status in province_exports.PENDING for r in rows),
        names=province_exports.tenant_names(rows),
        kind_labels=province_exports.KIND_LABELS,
        status_labels=province_exports.STATUS_LABELS,
        tenants=tenants.list_tenants(),
        period=request.args.get("period", ""),
        tenant_ids=request.args.getlist("tenants", type=int),
        now=utcnow(),
    )


@bp.post("")
@province_user_required()
def create():
    form = request.form
    try:
        export = province_exports.request_export(
            current_user,
            form.get("kind", "results"),
            form.get("format", ""),
            {"period": form.get("period"), "tenant_ids": form.getlist("tenants")},
        )
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin_exports.index"))
    if export.status == JobStatus.FAILED:
        flash(_("Không tạo được tệp: %(reason)s", reason=export.message or ""), "error")
    elif export.status == JobStatus.SUCCEEDED:
        flash(_("Tệp đã sẵn sàng để tải về."), "info")
    else:
        flash(_("Đã nhận yêu cầu; tệp đang được tạo, trang này tự cập nhật tiến độ."), "info")
    return redirect(url_for("admin_exports.index"))


@bp.get("/<int:export_id>/download")
@province_user_required()
def download(export_id: int):
    export = db.session.get(ProvinceExport, export_id)
    try:
        found = province_exports.open_download(export, current_user, utcnow())
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        if exc.status == 410:
            page = render_template("admin/exports/gone.html", export=export, message=exc.message)
            return page, 410
        flash(exc.message, "error")
        return redirect(url_for("admin_exports.index"))
    audit.record(
        "export.downloaded",
        object_type="province_export",
        object_id=export.id,
        after={"kind": export.kind, "params": export.params, "filename": found.filename},
        province=True,
    )
    db.session.commit()
    response = send_file(
        found.path,
        mimetype=found.mimetype,
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
    response.headers["Content-Disposition"] = content_disposition(found.filename)
    response.headers["Cache-Control"] = "no-store"
    return response
