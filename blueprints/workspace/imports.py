"""The unit workspace's spreadsheet pages: upload, follow progress, see problems, commit, export."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField

from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.forms import ActionForm
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.files import import_registry, imports
from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tenant_app.tenancy.resolve import make_tenant_blueprint

bp = make_tenant_blueprint(Blueprint("imports", __name__, url_prefix="/t/<tenant_slug>"))

LIST_SIZE = 30


class ImportUploadForm(FlaskForm):
    kind = SelectField(_l("Loại dữ liệu"))
    file = FileField(_l("Tệp Excel (.xlsx)"), validators=[FileRequired(_l("Hãy chọn tệp."))])
    submit = SubmitField(_l("Tải lên và kiểm tra"))


def _upload_form() -> ImportUploadForm:
    form = ImportUploadForm()
    form.kind.choices = [(k.name, _(k.label)) for k in import_registry.import_kinds().values()]
    return form


def _import_or_404(import_id: str):
    try:
        return imports.get_import(import_id)
    except NotFound:
        abort(404)


def _xlsx(data: bytes, filename: str):
    return send_file(
        io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename
    )


@bp.route("/imports", methods=["GET", "POST"])
@tenant_user_required("unit_admin")
def index():
    form = _upload_form()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            run = imports.start_import(
                form.kind.data, upload.filename, upload.read(), user=current_user
            )
        except ServiceError as exc:  # refused before anything was written
            form.file.errors.append(exc.message)
            status = exc.status
        else:
            return redirect(url_for("imports.detail", import_id=run.id))
    elif form.is_submitted():
        status = 400
    runs = db.session.execute(imports.list_imports().limit(LIST_SIZE)).scalars().all()
    return render_template(
        "workspace/imports.html",
        form=form,
        runs=[imports.as_dict(r) for r in runs],
        import_kinds=import_registry.import_kinds().values(),
        export_kinds=import_registry.export_kinds().values(),
    ), status


@bp.get("/imports/<import_id>")
@tenant_user_required("unit_admin")
def detail(import_id: str):
    run = _import_or_404(import_id)
    kind = import_registry.import_kinds().get(run.params.get("kind"))
    return render_template(
        "workspace/import_detail.html",
        run=imports.as_dict(run),
        kind=kind,
        action_form=ActionForm(),
    )


@bp.get("/imports/<import_id>/status.json")
@tenant_user_required("unit_admin")
def status(import_id: str):
    data = imports.as_dict(_import_or_404(import_id))
    keep = ("id", "status", "state", "progress_done", "progress_total", "percent", "message")
    return jsonify({k: data[k] for k in keep})


@bp.post("/imports/<import_id>/commit")
@tenant_user_required("unit_admin")
def commit(import_id: str):
    run = _import_or_404(import_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        imports.request_commit(run, user=current_user)
    except ServiceError as exc:  # refused before anything was written
        flash(exc.message, "error")
    return redirect(url_for("imports.detail", import_id=run.id))


@bp.get("/imports/templates/<kind>.xlsx")
@tenant_user_required("unit_admin")
def template(kind: str):
    try:
        spec = import_registry.get_import_kind(kind)
    except NotFound:
        abort(404)
    return _xlsx(import_registry.template_file(spec), f"mau-nhap-{spec.name}.xlsx")


@bp.get("/exports/<kind>.xlsx")
@tenant_user_required("unit_admin")
def export(kind: str):
    try:
        spec = import_registry.get_export_kind(kind)
    except NotFound:
        abort(404)
    return _xlsx(import_registry.export_file(spec), f"{spec.name}.xlsx")
