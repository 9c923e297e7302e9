"""The province console's rollouts: new rollout, dry-run result, live board, resume, a unit's
configuration with its rollback button, and the impact preview of a version."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin.api_rollouts import tenant_configuration
from tenant_app.extensions import db
from tenant_app.forms import ActionForm
from tenant_app.models.rollout import ConfigTemplate, TemplateVersion
from tenant_app.models.tenants import KIND_LABELS
from tenant_app.models.vocabulary import JobStatus, TemplateVersionStatus
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.province import tenants
from tenant_app.services.rollout import plan_messages, rollout_impact, rollouts
from tenant_app.services.rollout.template_payload import field_label
from tenant_app.tenancy.door import cross_tenant_read

bp = Blueprint("admin_rollouts", __name__, url_prefix="/admin/rollouts")

EFFECTIVE_LABELS = {
    "next_period": "Từ kỳ đánh giá tiếp theo (kỳ đang mở giữ quy tắc cũ)",
    "immediately": "Ngay lập tức (cả kỳ đang mở dùng cấu hình mới)",
}


@bp.before_request
def _province_admin_only():
    # Rollouts change units' configuration: province administrators only; auditors get 403.
    from tenant_app.auth import province_user_required

    return province_user_required("province_admin")(lambda: None)()


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _rollout_or_404(rollout_id):
    try:
        return rollouts.get_rollout(rollout_id)
    except NotFound:
        abort(404)


DRAFT_OR_PUBLISHED = (TemplateVersionStatus.DRAFT, TemplateVersionStatus.PUBLISHED)


def _versions(
    statuses=(TemplateVersionStatus.PUBLISHED,),
) -> list[tuple[ConfigTemplate, TemplateVersion]]:
    return list(
        db.session.execute(
            sa.select(ConfigTemplate, TemplateVersion)
            .join(TemplateVersion, TemplateVersion.template_id == ConfigTemplate.id)
            .where(TemplateVersion.status.in_(statuses))
            .order_by(ConfigTemplate.name, TemplateVersion.number.desc())
        ).all()
    )


@bp.get("/")
def index():
    rows = [rollouts.board(r) for r in rollouts.list_rollouts()]
    return render_template("admin/rollouts/index.html", rows=rows)


def _form_selection(form) -> dict:
    data = {
        "tenants": form.getlist("tenants"),
        "kind": form.get("kind") or None,
        "current_version": int(form["current_version"])
        if form.get("current_version", "").isdigit()
        else None,
    }
    waves = form.get("waves", "1").strip() or "1"
    if not waves.isdigit():
        raise ServiceError("invalid_waves", _("Số đợt phải là số nguyên."), "waves")
    data["waves"] = int(waves)
    return data


@bp.route("/new", methods=["GET", "POST"])
def new():
    errors = {}
    if request.method == "POST":
        _check_csrf()
        try:
            data = _form_selection(request.form)
            if not any(data[k] for k in ("tenants", "kind", "current_version")):
                raise ServiceError(
                    "no_tenants",
                    _("Chọn đơn vị: danh sách, loại đơn vị hoặc phiên bản đang chạy."),
                    "tenants",
                )
            version = rollouts.get_version(request.form.get("version", ""))
            running = None
            if data["current_version"]:
                with cross_tenant_read("rollout: units running a version"):
                    running = rollouts.tenants_running([data["current_version"]])
            chosen = rollouts.select_tenants(
                slugs=data["tenants"], kind=data["kind"], running_ids=running
            )
            rollout = rollouts.create_rollout(
                version,
                chosen,
                dry_run=True,
                waves=data["waves"],
                effective=request.form.get("effective", "next_period"),
                selector={k: v for k, v in data.items() if v and k != "waves"},
                actor=current_user,
            )
        except ServiceError as exc:
            db.session.rollback()
            errors[exc.field or "version"] = exc.message
        else:
            flash(_("Đã chạy thử: xem thay đổi của từng đơn vị trước khi áp dụng."), "success")
            return redirect(url_for(".show", rollout_id=rollout.id))
    return render_template(
        "admin/rollouts/new.html",
        versions=_versions(),
        all_versions=_versions((TemplateVersionStatus.PUBLISHED,)),
        units=tenants.list_tenants(),
        kinds=KIND_LABELS,
        effective_labels=EFFECTIVE_LABELS,
        errors=errors,
        form=request.form,
        action_form=ActionForm(),
    ), (400 if errors else 200)


@bp.get("/<int:rollout_id>")
def show(rollout_id: int):
    rollout = _rollout_or_404(rollout_id)
    data = rollouts.board(rollout)
    version = db.session.get(TemplateVersion, rollout.version_id)
    template = db.session.get(ConfigTemplate, version.template_id)
    return render_template(
        "admin/rollouts/board.html",
        board=data,
        template=template,
        version=version,
        effective_labels=EFFECTIVE_LABELS,
        action_form=ActionForm(),
    )


@bp.get("/<int:rollout_id>/status.json")
def status(rollout_id: int):
    data = rollouts.board(_rollout_or_404(rollout_id))
    for target in data["targets"]:
        for key in ("started_at", "finished_at"):
            target[key] = target[key].isoformat() if target[key] else None
    data["created_at"] = data["created_at"].isoformat()
    data["finished_at"] = data["finished_at"].isoformat() if data["finished_at"] else None
    return jsonify(data)


@bp.get("/<int:rollout_id>/tenants/<slug>")
def target(rollout_id: int, slug: str):
    rollout = _rollout_or_404(rollout_id)
    try:
        row, tenant = rollouts.target_of(rollout, slug)
    except NotFound:
        abort(404)
    return render_template(
        "admin/rollouts/target.html",
        rollout=rollout,
        target=row,
        diff=plan_messages.readable_diff(row.diff),  # in the reader's language
        conflicts=plan_messages.readable_lines(row.conflicts),
        tenant=tenant,
        field_label=field_label,
        status_label=rollouts.status_label(row.status, rollout.dry_run),
    )


@bp.post("/<int:rollout_id>/apply")
def apply(rollout_id: int):
    _check_csrf()
    rollout = _rollout_or_404(rollout_id)
    if request.form.get("confirm") != "yes":  # a checkbox in the form: no script needed
        flash(_("Hãy đánh dấu ô xác nhận trước khi áp dụng."), "error")
        return redirect(url_for(".show", rollout_id=rollout_id))
    try:
        rollouts.start_apply(rollout, actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Đã bắt đầu áp dụng đợt 1."), "success")
    return redirect(url_for(".show", rollout_id=rollout_id))


@bp.post("/<int:rollout_id>/resume")
def resume(rollout_id: int):
    _check_csrf()
    rollout = _rollout_or_404(rollout_id)
    try:
        result = rollouts.resume(rollout, actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(
            _("Đã tiếp tục đợt %(w)d: %(n)d đơn vị được xếp hàng.", w=result["wave"],
              n=result["queued"]),
            "success",
        )  # fmt: skip
    return redirect(url_for(".show", rollout_id=rollout_id))


def _tenant_or_404(slug):
    try:
        return tenants.get_by_slug(slug)
    except ServiceError:
        abort(404)


@bp.get("/units/<slug>")
def unit(slug: str):
    tenant = _tenant_or_404(slug)
    data = tenant_configuration(tenant, current_user)
    versions = {v.id: (t, v) for t, v in _versions(DRAFT_OR_PUBLISHED)}
    return render_template(
        "admin/rollouts/unit.html",
        tenant=tenant,
        data=data,
        versions=versions,
        effective_labels=EFFECTIVE_LABELS,
        action_form=ActionForm(),
    )


@bp.post("/units/<slug>/rollback")
def rollback(slug: str):
    _check_csrf()
    tenant = _tenant_or_404(slug)
    current = tenant_configuration(tenant, current_user)["current"]
    if current is None:
        abort(404)
    try:
        run = rollouts.request_rollback(
            tenant,
            config_id=current.id,
            effective=request.form.get("effective", "next_period"),
            actor=current_user,
        )
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        if run.status == JobStatus.FAILED:
            flash(run.message or _("Không quay lại được."), "error")
        elif run.status == JobStatus.SUCCEEDED:
            flash(_("Đã đưa %(name)s về phiên bản trước.", name=tenant.name), "success")
        else:
            flash(_("Đã xếp hàng việc quay lại phiên bản trước."), "info")
    return redirect(url_for(".unit", slug=slug))


@bp.route("/impact", methods=["GET", "POST"])
def impact():
    results, errors, version = None, {}, None
    if request.method == "POST":
        _check_csrf()
        try:
            version = rollouts.get_version(request.form.get("version", ""))
            slugs = request.form.getlist("tenants")
            if not slugs:
                raise ServiceError("no_tenants", _("Chọn ít nhất một đơn vị."), "tenants")
            chosen = rollouts.select_tenants(slugs=slugs)
            results = rollout_impact.preview(version, chosen, actor=current_user)
        except ServiceError as exc:
            db.session.rollback()
            errors[exc.field or "version"] = exc.message
    return render_template(
        "admin/rollouts/impact.html",
        versions=_versions(DRAFT_OR_PUBLISHED),
        units=tenants.list_tenants(),
        version=version,
        results=results,
        errors=errors,
        form=request.form,
        action_form=ActionForm(),
    ), (400 if errors else 200)
