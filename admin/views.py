"""The province console (HTML): sign-in, the list of units, creating a unit and its first admin."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError

from tenant_app.auth import end_session, province_user_required, start_session
from tenant_app.errors import translate_validation
from tenant_app.extensions import db, limiter
from tenant_app.forms import (
    ActionForm,
    BreakGlassForm,
    FirstAdminForm,
    LoginForm,
    ProvinceIdentityForm,
    RetentionPolicyForm,
    TenantForm,
)
from tenant_app.models.tenants import STATUS_LABELS, TenantStatus
from tenant_app.models.users import User
from tenant_app.schemas.templates import UnitCalendarSchema
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import retention_policy
from tenant_app.services.province import break_glass, identity, onboarding, tenants, unit_calendar
from tenant_app.services.workspace import authentication
from tenant_app.tenancy.door import cross_tenant_read
from tenant_app.web import change_password_page, safe_next, saving

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["KPI_LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = authentication.authenticate(
            form.username.data, form.password.data, province=True, then=start_session
        )
        if result.outcome is authentication.LoginOutcome.OK:
            return redirect(safe_next(url_for("admin.home")))
        form.password.errors.append(result.message)
        status = 401
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@province_user_required()
def password():
    return change_password_page("admin/password.html", "admin.home")


def _account_counts() -> dict[int, int]:
    with cross_tenant_read("tenant list: account counts"):
        rows = db.session.execute(
            sa.select(User.tenant_id, sa.func.count()).group_by(User.tenant_id)
        ).all()
    return {tid: n for tid, n in rows}


@bp.get("/")
@province_user_required()
def home():
    args = {k: (request.args.get(k) or "").strip()[:100] for k in ("q", "status")}
    units = tenants.list_tenants()
    counts = _account_counts()
    by_status = {s: sum(1 for t in units if t.status == s.value) for s in TenantStatus}
    return render_template(
        "admin/home.html",
        tenants=tenants.list_tenants(**args) if any(args.values()) else units,
        args=args,
        counts=counts,
        by_status=by_status,
        status_labels=STATUS_LABELS,
        status_chips=[(s.value, STATUS_LABELS[s]) for s in TenantStatus],
    )


@bp.route("/tenants/new", methods=["GET", "POST"])
@province_user_required("province_admin")
def tenant_new():
    form = TenantForm()
    if form.validate_on_submit():
        with saving(form, fallback="slug") as saved:
            tenant = tenants.create_tenant(
                slug=form.slug.data, name=form.name.data, kind=form.kind.data
            )
        if saved.ok:
            flash(
                _("Đã tạo đơn vị %(name)s ở trạng thái đang thiết lập.", name=tenant.name),
                "success",
            )
            return redirect(url_for("admin.tenant_detail", slug=tenant.slug))
    return render_template("admin/tenant_new.html", form=form)


@bp.route("/province", methods=["GET", "POST"])
@province_user_required("province_admin")
def province_identity():
    """The province's own name, its authority, the place on forms and its seal or logo."""
    current = identity.load()
    form = ProvinceIdentityForm(data=current.as_dict())
    if form.validate_on_submit():
        with saving(form, fallback="province_name") as saved:
            identity.update(
                actor=current_user._get_current_object(),
                **{name: getattr(form, name).data for name in identity.LIMITS},
            )
        if saved.ok:
            flash(_("Đã lưu thông tin của tỉnh."), "success")
            return redirect(url_for("admin.province_identity"))
    return render_template("admin/province_identity.html", form=form, current=current)


@bp.route("/retention", methods=["GET", "POST"])
@province_user_required("province_admin")
def retention():
    """How long stored files are kept before the daily purge (import workbooks, evidence…)."""
    current = retention_policy.load()
    form = RetentionPolicyForm(data={k: str(v) for k, v in current.as_dict().items()})
    if form.validate_on_submit():
        with saving(form, fallback="import_workbook_days") as saved:
            retention_policy.update(
                actor=current_user._get_current_object(),
                **{name: getattr(form, name).data for name in retention_policy.NAMES},
            )
        if saved.ok:
            flash(_("Đã lưu thời hạn lưu giữ tệp."), "success")
            return redirect(url_for("admin.retention"))
    status = 400 if form.errors else 200
    return render_template(
        "admin/retention.html", form=form, defaults=retention_policy.DEFAULTS
    ), status


def _tenant_or_404(slug: str):
    try:
        return tenants.get_by_slug(slug)
    except ServiceError:
        abort(404)


def _admin_form(tenant):
    """The unit-administrator form: plain while the unit is set up, break-glass once it is live."""
    return BreakGlassForm() if break_glass.is_live(tenant) else FirstAdminForm()


def _create_unit_admin(tenant, form):
    """Create the unit administrator the form asks for; returns (user, password) or None with the
    service's refusal put on the form's field."""
    extra = {}
    if isinstance(form, BreakGlassForm):
        extra = {"reason": form.reason.data, "hours": form.hours.data, "confirmed": True}
    with saving(form, fallback="username") as saved:
        created = tenants.create_first_admin(
            tenant,
            username=form.username.data,
            full_name=form.full_name.data,
            email=form.email.data,
            actor=current_user._get_current_object(),
            **extra,
        )
    return created if saved.ok else None


@bp.route("/tenants/<slug>", methods=["GET", "POST"])
@province_user_required()
def tenant_detail(slug: str):
    tenant = _tenant_or_404(slug)
    form = _admin_form(tenant)
    if request.method == "POST":
        if not current_user.has_role("province_admin"):
            abort(403)
        if form.validate_on_submit():
            created = _create_unit_admin(tenant, form)
            if created is not None:
                user, password = created
                return render_template(
                    "admin/admin_created.html", tenant=tenant, user=user, password=password
                )
    return _detail_page(tenant, form)


def _detail_page(tenant, form, *, calendar_form=None, calendar_errors=None, status=200):
    with cross_tenant_read(f"tenant detail: {tenant.slug}", tenant_ids=[tenant.id]):
        admins = [
            {
                "username": u.username,
                "full_name": u.full_name,
                "active": u.is_active,
                "last_login_at": u.last_login_at,
                "expires_at": u.expires_at,
            }
            for u in db.session.execute(
                sa.select(User).where(User.tenant_id == tenant.id).order_by(User.username)
            ).scalars()
            if u.has_role("unit_admin")
        ]
        grants = break_glass.open_grants(tenant)
    transitions = sorted(tenants.TRANSITIONS[tenant.status_enum], key=lambda s: s.value)
    return render_template(
        "admin/tenant_detail.html",
        tenant=tenant,
        form=form,
        break_glass_form=isinstance(form, BreakGlassForm),
        admins=admins,
        grants=grants,
        transitions=transitions,
        action_form=ActionForm(),
        calendar=calendar_form or unit_calendar.calendar(tenant),
        calendar_errors=calendar_errors or {},
    ), status


@bp.post("/tenants/<slug>/calendar")
@province_user_required("province_admin")
def tenant_calendar(slug: str):
    """Set the unit's automatic calendar (*Lịch tự động của đơn vị*): the same settings as the
    template's ``schedule.calendar``, validated field by field, audited on the province chain."""
    tenant = _tenant_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = {name: request.form.get(f"calendar_{name}", "") for name in unit_calendar.CALENDAR_KEYS}
    try:
        data = UnitCalendarSchema().load(raw)
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in translate_validation(exc.messages).items()}
        flash(_("Lịch tự động chưa lưu: xem lỗi bên cạnh từng ô."), "error")
        return _detail_page(
            tenant, _admin_form(tenant), calendar_form=raw, calendar_errors=errors, status=400
        )
    with saving(flash_error=True) as saved:
        unit_calendar.set_calendar(tenant, data, actor=current_user._get_current_object())
    if saved.ok:
        flash(_("Đã lưu lịch tự động của đơn vị %(name)s.", name=tenant.name), "success")
    return redirect(url_for("admin.tenant_detail", slug=tenant.slug))


@bp.post("/tenants/<slug>/break-glass/<grant_id>/end")
@province_user_required("province_admin")
def break_glass_end(slug: str, grant_id: str):
    """End a break-glass account early: it is disabled at once and its sessions end."""
    tenant = _tenant_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user = break_glass.end(tenant, grant_id, actor=current_user._get_current_object())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(
            _("Đã kết thúc truy cập khẩn cấp của tài khoản %(username)s.", username=user.username),
            "success",
        )
    return redirect(url_for("admin.tenant_detail", slug=tenant.slug))


CONSEQUENCES = {
    TenantStatus.PILOT: _l(
        "Người dùng của đơn vị đăng nhập và làm việc; kết quả được ghi là thí điểm."
    ),
    TenantStatus.ACTIVE: _l("Người dùng của đơn vị đăng nhập và làm việc chính thức."),
    TenantStatus.SUSPENDED: _l(
        "Người dùng của đơn vị không đăng nhập được nữa; dữ liệu được giữ nguyên."
    ),
    TenantStatus.ARCHIVED: _l("Đơn vị đóng hẳn, không ai đăng nhập được; không thể hoàn tác."),
}


@bp.post("/tenants/<slug>/status/<status>")
@province_user_required("province_admin")
def tenant_status(slug: str, status: str):
    """Change a unit's status: the first POST shows what will happen and asks to confirm
    (``confirm=yes``, a checkbox: no script needed); leaving onboarding follows the wizard's
    rule (``onboarding.require_ready``)."""
    tenant = _tenant_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        target = TenantStatus(status)
    except ValueError:
        abort(404)
    leaving_onboarding = tenant.status == TenantStatus.ONBOARDING.value and target in (
        TenantStatus.PILOT,
        TenantStatus.ACTIVE,
    )
    missing = onboarding.missing_for_activation(tenant) if leaving_onboarding else []
    code = 200
    allowed = target in tenants.TRANSITIONS[tenant.status_enum]
    if (request.form.get("confirm") == "yes" or not allowed) and not missing:
        with saving() as saved:
            tenants.set_status(tenant, status, actor=current_user._get_current_object())
        if saved.ok:
            flash(
                _("Đơn vị %(name)s: %(status)s.", name=tenant.name,
                  status=tenant.status_enum.label),
                "success",
            )  # fmt: skip
        return redirect(url_for("admin.tenant_detail", slug=tenant.slug))
    if request.form.get("confirm") == "yes":
        code = 409  # missing pieces: refused, the page says what to do
    elif "confirm" in request.form or request.form.get("asked"):
        flash(_("Hãy đánh dấu ô xác nhận trước khi chuyển trạng thái."), "error")
        code = 400
    return render_template(
        "admin/tenant_status_confirm.html",
        tenant=tenant,
        target=target,
        consequence=CONSEQUENCES.get(target, ""),
        missing=missing,
        action_form=ActionForm(),
    ), code
