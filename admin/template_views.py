"""The province console's configuration templates: versions, the structured editor, import and
export, promoting a unit's configuration, publishing, and comparing two versions."""

from __future__ import annotations

import io
import json

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin.template_forms import editor_context, payload_from_form
from scoring import rule_set_codes
from tenant_app.extensions import db
from tenant_app.forms import ActionForm
from tenant_app.models import catalogue as catalogue_model
from tenant_app.models.org import POSITION_GROUP_LABELS
from tenant_app.models.rollout import LABELS as STATUS_LABELS
from tenant_app.models.tenants import TenantStatus
from tenant_app.models.vocabulary import AssessmentStage, TemplateVersionStatus
from tenant_app.schemas.templates import APPROVAL_STAGES, PERIOD_KINDS
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tenant_app.services.province import tenants
from tenant_app.services.rollout import template_payload, template_workbook, templates
from tenant_app.web import saving

bp = Blueprint("admin_templates", __name__, url_prefix="/admin/templates")

STAGE_LABELS = {
    AssessmentStage.SELF: _l("Tự đánh giá"),
    AssessmentStage.MANAGER: _l("Quản lý trực tiếp đánh giá"),
    AssessmentStage.DEPUTY: _l("Cấp phó phụ trách đánh giá"),
    AssessmentStage.LEADER: _l("Thủ trưởng phê duyệt"),
}
SCHEMES = {
    "coefficient_salary": _l("Hệ số theo xếp loại × tiền lương (Đà Nẵng)"),
    "fund_split": _l("Chia quỹ: 50% bình quân, 50% cho HTT và HTXS (Hà Nội)"),
}


@bp.before_request
def _province_admin_only():
    # Every page here is for province administrators: auditors get 403, others the login page.
    from tenant_app.auth import province_user_required

    return province_user_required("province_admin")(lambda: None)()


def _template_or_404(template_id):
    try:
        return templates.get_template(template_id)
    except NotFound:
        abort(404)


def _version_or_404(template, version_id):
    try:
        return templates.get_version(version_id, template)
    except NotFound:
        abort(404)


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _labels() -> dict:
    return {
        "status": STATUS_LABELS,
        "groups": POSITION_GROUP_LABELS,
        "catalogue": catalogue_model.LABELS,
        "stages": STAGE_LABELS,
        "schemes": SCHEMES,
        "field": template_payload.field_label,
        "rule_sets_by_kind": template_payload.rule_sets_by_kind,
    }


@bp.route("/", methods=["GET", "POST"])
def index():
    errors = {}
    if request.method == "POST":
        _check_csrf()
        data = {k: request.form.get(k, "") for k in ("code", "name", "description")}
        try:
            template = templates.create_template(data, actor=current_user)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            errors[exc.field or "code"] = exc.message
        else:
            flash(_("Đã tạo mẫu cấu hình %(name)s.", name=template.name), "success")
            return redirect(url_for(".detail", template_id=template.id))
    rows = [templates.summary(t) for t in templates.list_templates()]
    return render_template(
        "admin/templates.html",
        rows=rows,
        errors=errors,
        form=request.form,
        action_form=ActionForm(),
    ), (400 if errors else 200)


@bp.get("/<int:template_id>")
def detail(template_id: int):
    template = _template_or_404(template_id)
    return render_template(
        "admin/template_detail.html",
        template=template,
        versions=templates.versions(template),
        tenants=[t for t in tenants.list_tenants() if t.status != TenantStatus.ARCHIVED],
        labels=_labels(),
        action_form=ActionForm(),
    )


@bp.post("/<int:template_id>/versions")
def new_draft(template_id: int):
    template = _template_or_404(template_id)
    _check_csrf()
    with saving() as saved:
        version = templates.create_draft(template, actor=current_user)
    if not saved.ok:
        return redirect(url_for(".detail", template_id=template.id))
    return redirect(url_for(".edit", template_id=template.id, version_id=version.id))


@bp.post("/<int:template_id>/promote")
def promote(template_id: int):
    template = _template_or_404(template_id)
    _check_csrf()
    try:
        tenant = tenants.get_by_slug(request.form.get("tenant", ""))
        version = templates.promote(tenant, template, actor=current_user)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        for line in template_payload.describe_errors(getattr(exc, "errors", {})):
            flash(line, "error")
        return redirect(url_for(".detail", template_id=template.id))
    flash(
        _("Đã lấy cấu hình của %(name)s làm bản nháp v%(n)d.", name=tenant.name, n=version.number),
        "success",
    )
    return redirect(url_for(".show", template_id=template.id, version_id=version.id))


@bp.post("/<int:template_id>/import")
def import_file(template_id: int):
    template = _template_or_404(template_id)
    _check_csrf()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn tệp .xlsx hoặc .json."), "error")
        return redirect(url_for(".detail", template_id=template.id))
    data = upload.read()
    with saving() as saved:
        if upload.filename.lower().endswith(".json"):
            try:
                raw = json.loads(data.decode("utf-8-sig"))
            except ValueError:
                raise ServiceError(
                    "invalid_json", _("Tệp JSON không hợp lệ."), field="file"
                ) from None
            payload = template_payload.validate_payload(raw)
        else:
            payload = template_workbook.payload_from_workbook(data)
        version = templates.save_draft(
            template, payload, notes=_("Nhập từ tệp %(f)s.", f=upload.filename[:100]),
            actor=current_user,
        )  # fmt: skip
    if not saved.ok:
        errors = getattr(saved.error, "errors", {})
        lines = [m for k, ms in errors.items() if k.startswith("_file") for m in ms]
        lines += template_payload.describe_errors(
            {k: v for k, v in errors.items() if not k.startswith("_file")}
        )
        for line in lines:
            flash(line, "error")
        return redirect(url_for(".detail", template_id=template.id))
    flash(_("Đã nhập tệp vào bản nháp v%(n)d.", n=version.number), "success")
    return redirect(url_for(".show", template_id=template.id, version_id=version.id))


@bp.get("/<int:template_id>/versions/<int:version_id>")
def show(template_id: int, version_id: int):
    template = _template_or_404(template_id)
    version = _version_or_404(template, version_id)
    others = [v for v in templates.versions(template) if v.id != version.id]
    return render_template(
        "admin/version_detail.html",
        template=template,
        version=version,
        payload=template_payload.with_calendar(version.payload),
        others=others,
        labels=_labels(),
        action_form=ActionForm(),
        bands_text=editor_context(version.payload)["bands_text"],
    )


def _editor(template, version, payload, problems=(), status=200):
    return render_template(
        "admin/version_edit.html",
        template=template,
        version=version,
        payload=payload,
        problems=list(problems),
        labels=_labels(),
        rule_sets=rule_set_codes(),
        period_kinds=PERIOD_KINDS,
        stages=APPROVAL_STAGES,
        action_form=ActionForm(),
        **editor_context(payload),
    ), status


def _require_draft(template, version):
    if version.status != TemplateVersionStatus.DRAFT:
        flash(_("Phiên bản đã ban hành không thể sửa; hãy tạo phiên bản nháp mới."), "error")
        return redirect(url_for(".show", template_id=template.id, version_id=version.id))
    return None


@bp.route("/<int:template_id>/versions/<int:version_id>/edit", methods=["GET", "POST"])
def edit(template_id: int, version_id: int):
    template = _template_or_404(template_id)
    version = _version_or_404(template, version_id)
    refused = _require_draft(template, version)
    if refused:
        return refused
    if request.method == "GET":
        return _editor(template, version, version.payload)
    _check_csrf()
    payload, problems = payload_from_form(request.form)
    payload.setdefault("sources", (version.payload or {}).get("sources") or [])
    kept_calendar = ((version.payload or {}).get("schedule") or {}).get("calendar") or {}
    payload["schedule"].setdefault("calendar", kept_calendar)
    if problems:
        return _editor(template, version, payload, problems, 400)
    try:
        templates.update_draft(
            version, payload, notes=request.form.get("notes"), actor=current_user
        )
        db.session.commit()
    except template_payload.PayloadInvalid as exc:
        db.session.rollback()
        return _editor(
            template, version, payload, template_payload.describe_errors(exc.errors, payload), 400
        )
    except ServiceError as exc:
        db.session.rollback()
        return _editor(template, version, payload, [exc.message], exc.status)
    flash(_("Đã lưu bản nháp v%(n)d.", n=version.number), "success")
    return redirect(url_for(".show", template_id=template.id, version_id=version.id))


@bp.route("/<int:template_id>/versions/<int:version_id>/json", methods=["GET", "POST"])
def edit_json(template_id: int, version_id: int):
    template = _template_or_404(template_id)
    version = _version_or_404(template, version_id)
    refused = _require_draft(template, version)
    if refused:
        return refused
    text = json.dumps(version.payload, ensure_ascii=False, indent=2)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        _check_csrf()
        text = request.form.get("payload", "")
        try:
            raw = json.loads(text)
        except ValueError as exc:
            problems, status = [_("JSON không hợp lệ: %(e)s", e=str(exc))], 400
        else:
            try:
                templates.update_draft(version, raw, actor=current_user)
                db.session.commit()
            except template_payload.PayloadInvalid as exc:
                db.session.rollback()
                problems = template_payload.describe_errors(exc.errors, raw)
                status = 400
            else:
                flash(_("Đã lưu bản nháp v%(n)d.", n=version.number), "success")
                return redirect(url_for(".show", template_id=template.id, version_id=version.id))
    return render_template(
        "admin/version_json.html",
        template=template,
        version=version,
        text=text,
        problems=problems,
        action_form=ActionForm(),
    ), status


@bp.post("/<int:template_id>/versions/<int:version_id>/publish")
def publish(template_id: int, version_id: int):
    template = _template_or_404(template_id)
    version = _version_or_404(template, version_id)
    _check_csrf()
    if request.form.get("confirm") != "yes":  # a checkbox in the form: no script needed
        flash(_("Hãy đánh dấu ô xác nhận trước khi ban hành."), "error")
        return redirect(url_for(".show", template_id=template.id, version_id=version.id))
    with saving() as saved:
        templates.publish(version, actor=current_user)
    if saved.ok:
        flash(_("Đã ban hành phiên bản v%(n)d.", n=version.number), "success")
    return redirect(url_for(".show", template_id=template.id, version_id=version.id))


@bp.post("/<int:template_id>/versions/<int:version_id>/delete")
def delete(template_id: int, version_id: int):
    template = _template_or_404(template_id)
    version = _version_or_404(template, version_id)
    _check_csrf()
    with saving() as saved:
        templates.delete_draft(version, actor=current_user)
    if not saved.ok:
        return redirect(url_for(".show", template_id=template.id, version_id=version.id))
    flash(_("Đã xóa bản nháp."), "success")
    return redirect(url_for(".detail", template_id=template.id))


@bp.get("/<int:template_id>/versions/<int:version_id>/diff")
def diff(template_id: int, version_id: int):
    template = _template_or_404(template_id)
    version = _version_or_404(template, version_id)
    try:
        base = templates.get_version(request.args.get("against"))
    except NotFound:
        abort(404)
    changes = templates.compare(base, version)
    return render_template(
        "admin/version_diff.html",
        template=template,
        version=version,
        base=base,
        base_template=templates.get_template(base.template_id),
        changes=changes,
        labels=_labels(),
        show=_show_value,
    )


def _show_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) or "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@bp.get("/<int:template_id>/versions/<int:version_id>/export.<fmt>")
def export(template_id: int, version_id: int, fmt: str):
    template = _template_or_404(template_id)
    version = _version_or_404(template, version_id)
    name = f"{template.code}-v{version.number}"
    if fmt == "xlsx":
        data, mimetype = template_workbook.workbook(version.payload), XLSX_MIMETYPE
    elif fmt == "json":
        text = json.dumps(version.payload, ensure_ascii=False, indent=2)
        data, mimetype = text.encode(), "application/json"
    else:
        abort(404)
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{name}.{fmt}"
    )
