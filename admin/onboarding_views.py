"""The onboarding wizard of the province console (``/admin/onboarding``): unit → first
administrator → configuration → staff import → review and activation, resumable at any step,
and the list of units of the province with their lifecycle facts (``/admin/units``)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin.tenant_overview import overview
from tenant_app.extensions import db
from tenant_app.forms import ActionForm, FirstAdminForm, TenantForm
from tenant_app.models.tenants import STATUS_LABELS, TenantStatus
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.files import import_registry
from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tenant_app.services.province import onboarding, tenants
from tenant_app.services.rollout import templates
from tenant_app.web import saving

bp = Blueprint("admin_onboarding", __name__, url_prefix="/admin")

STEP_LABELS = {
    "unit": _l("Đơn vị"),
    "admin": _l("Quản trị đơn vị"),
    "config": _l("Cấu hình"),
    "staff": _l("Nhân sự"),
    "activate": _l("Rà soát và kích hoạt"),
}
PAGE_SIZE = 50


@bp.before_request
def _province_admin_only():
    from tenant_app.auth import province_user_required

    return province_user_required("province_admin")(lambda: None)()


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _tenant_or_404(slug: str):
    try:
        return tenants.get_by_slug(slug)
    except NotFound:
        abort(404)


def _onboarding_or_redirect(slug: str):
    tenant = _tenant_or_404(slug)
    if tenant.status != TenantStatus.ONBOARDING.value:
        flash(_("Đơn vị %(name)s đã được kích hoạt.", name=tenant.name), "info")
        return tenant, redirect(url_for("admin.tenant_detail", slug=tenant.slug))
    return tenant, None


def _wizard(template: str, tenant, step: str, status: int = 200, **context):
    state = onboarding.progress(tenant)
    return render_template(
        f"admin/onboarding_{template}.html",
        tenant=tenant,
        step=step,
        steps=STEP_LABELS,
        state=state,
        action_form=ActionForm(),
        **context,
    ), status


@bp.route("/onboarding/", methods=["GET", "POST"])
def index():
    form = TenantForm()
    status = 200
    if form.validate_on_submit():
        with saving(form, fallback="slug") as saved:
            tenant = tenants.create_tenant(
                slug=form.slug.data, name=form.name.data, kind=form.kind.data
            )
        if saved.ok:
            flash(
                _("Đã tạo đơn vị %(name)s, trạng thái đang thiết lập.", name=tenant.name), "success"
            )
            return redirect(url_for(".admin_step", slug=tenant.slug))
        status = 400
    elif form.is_submitted():
        status = 400
    units = onboarding.onboarding_tenants()
    facts = overview(units, purpose="onboarding list", with_changes=False)
    states = {
        t.id: onboarding.progress_from(
            t,
            admins=facts[t.id].admins,
            config_version_id=facts[t.id].config_version_id,
            staff=facts[t.id].staff,
        )
        for t in units
    }
    return render_template(
        "admin/onboarding_list.html", form=form, units=units, states=states, steps=STEP_LABELS
    ), status


@bp.get("/onboarding/<slug>")
def resume(slug: str):
    tenant, done = _onboarding_or_redirect(slug)
    if done:
        return done
    step = onboarding.progress(tenant).next_step
    return redirect(url_for(f".{step}_step" if step != "unit" else ".admin_step", slug=slug))


@bp.route("/onboarding/<slug>/admin", methods=["GET", "POST"])
def admin_step(slug: str):
    tenant, done = _onboarding_or_redirect(slug)
    if done:
        return done
    form = FirstAdminForm()
    if form.validate_on_submit():
        method = request.form.get("method", "invite")
        with saving(form, fallback="username") as saved:
            if method == "password":
                user, password = onboarding.printed_password_admin(
                    tenant, username=form.username.data, full_name=form.full_name.data,
                    email=form.email.data, actor=current_user,
                )  # fmt: skip
                link = None
            else:
                user, token = onboarding.invite_admin(
                    tenant, username=form.username.data, full_name=form.full_name.data,
                    email=form.email.data, actor=current_user,
                )  # fmt: skip
                password = None
                link = url_for(
                    "invitations.accept", tenant_slug=tenant.slug, token=token, _external=True
                )
        if saved.ok:
            return _wizard(
                "admin", tenant, "admin", form=FirstAdminForm(formdata=None), created=user,
                password=password, link=link,
            )  # fmt: skip
        return _wizard("admin", tenant, "admin", 400, form=form)
    return _wizard("admin", tenant, "admin", form=form)


@bp.route("/onboarding/<slug>/config", methods=["GET", "POST"])
def config_step(slug: str):
    tenant, done = _onboarding_or_redirect(slug)
    if done:
        return done
    status = 200
    if request.method == "POST":
        _check_csrf()
        try:
            version = templates.get_version(request.form.get("version_id"))
            onboarding.apply_version(tenant, version, actor=current_user)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            status = exc.status
        else:
            flash(_("Đã áp dụng phiên bản v%(n)d.", n=version.number), "success")
            return redirect(url_for(".staff_step", slug=slug))
    config = templates.latest_config(tenant)
    return _wizard(
        "config", tenant, "config", status,
        choices=templates.published_versions(),
        applied=templates.get_version(config.version_id) if config else None,
    )  # fmt: skip


def _invite(tenant) -> list[dict]:
    """One-time set-password links for the accounts of a committed import (shown once)."""
    issued = onboarding.invite_imported_accounts(
        tenant, request.form.get("run_id", ""), actor=current_user
    )
    return [
        {
            "user": i["user"],
            "link": url_for(
                "invitations.accept", tenant_slug=tenant.slug, token=i["token"], _external=True
            ),
        }
        for i in issued
    ]


@bp.route("/onboarding/<slug>/staff", methods=["GET", "POST"])
def staff_step(slug: str):
    tenant, done = _onboarding_or_redirect(slug)
    if done:
        return done
    status, invited = 200, None
    if request.method == "POST":
        _check_csrf()
        action = request.form.get("action", "upload")
        try:
            if action == "skip":
                onboarding.skip_staff(tenant, actor=current_user)
                db.session.commit()
                return redirect(url_for(".activate_step", slug=slug))
            if action == "invite":
                invited = _invite(tenant)
            elif action == "commit":
                onboarding.commit_staff_import(tenant, request.form.get("run_id", ""))
            else:
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise ServiceError("required", _("Hãy chọn tệp .xlsx."), "file")
                onboarding.start_staff_import(
                    tenant, request.form.get("kind", ""), upload.filename, upload.read()
                )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            status = exc.status
        else:
            if invited is None:  # the links are shown on this response only
                return redirect(url_for(".staff_step", slug=slug))
    return _wizard(
        "staff", tenant, "staff", status,
        kinds=onboarding.staff_import_kinds(), runs=onboarding.staff_imports(tenant),
        invitable=onboarding.invitable_imports(tenant), invited=invited,
    )  # fmt: skip


@bp.get("/onboarding/<slug>/staff/<kind>.xlsx")
def staff_template(slug: str, kind: str):
    tenant = _tenant_or_404(slug)
    spec = next((k for k in onboarding.staff_import_kinds() if k.name == kind), None)
    if spec is None:
        abort(404)
    return send_file(
        io.BytesIO(import_registry.template_file(spec, onboarding.sample_rows(tenant, spec.name))),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"mau-nhap-{spec.name}.xlsx",
    )


@bp.route("/onboarding/<slug>/activate", methods=["GET", "POST"])
def activate_step(slug: str):
    tenant, done = _onboarding_or_redirect(slug)
    if done:
        return done
    if request.method == "POST":
        _check_csrf()
        with saving() as saved:
            onboarding.activate(tenant, request.form.get("status", ""), actor=current_user)
        if not saved.ok:
            return _wizard("activate", tenant, "activate", saved.error.status)
        flash(
            _("Đơn vị %(name)s: %(status)s.", name=tenant.name, status=tenant.status_enum.label),
            "success",
        )
        return redirect(url_for("admin.tenant_detail", slug=tenant.slug))
    return _wizard("activate", tenant, "activate")


@bp.get("/units")
def units():
    rows = tenants.list_tenants()
    page = max(request.args.get("page", 1, type=int), 1)
    pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    facts = overview(shown, purpose=f"tenant lifecycle list, page {page}")
    return render_template(
        "admin/units.html",
        units=shown,
        facts=facts,
        page=page,
        pages=pages,
        status_labels=STATUS_LABELS,
    )
