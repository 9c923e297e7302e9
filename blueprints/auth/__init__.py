"""Sign-in, sign-out and password change for the users of one tenant (``/t/<slug>/…``)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenant_app.auth import end_session, start_session, tenant_user_required
from tenant_app.extensions import limiter
from tenant_app.forms import LoginForm, PasswordChangeForm
from tenant_app.security.redirects import safe_target
from tenant_app.services.errors import ServiceError
from tenant_app.services.workspace import accounts
from tenant_app.tenancy.resolve import make_tenant_blueprint

bp = make_tenant_blueprint(Blueprint("tenant_auth", __name__, url_prefix="/t/<tenant_slug>"))


def safe_next(default: str) -> str:
    """The ``next`` query parameter if it is a safe same-site path, else ``default``."""
    return safe_target(request.args.get("next"), default)


def _login_limit() -> str:
    return current_app.config["KPI_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.username.data, form.password.data, province=False)
        if result.outcome is accounts.LoginOutcome.OK:
            start_session(result.user)
            if result.user.must_change_password:
                flash(_("Vui lòng đổi mật khẩu tạm thời trước khi tiếp tục."), "warning")
                return redirect(url_for("tenant_auth.password"))
            return redirect(safe_next(url_for("workspace.home")))
        form.password.errors.append(result.message)
    return render_template(
        "auth/login.html", form=form, tenant=g.tenant
    ), 200 if not form.errors else 401 if request.method == "POST" else 200


@bp.post("/logout")
def logout():
    end_session()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("tenant_auth.login"))


def change_password_page(template: str, home_endpoint: str):
    """The password-change form of the signed-in user (unit or province): on success the user
    keeps a fresh session, every other session of theirs ends, and they go to ``home_endpoint``."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ServiceError as exc:
            getattr(form, exc.field or "new_password").errors.append(exc.message)
        else:
            start_session(current_user._get_current_object())
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."), "success")
            return redirect(url_for(home_endpoint))
    return render_template(template, form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@tenant_user_required()
def password():
    return change_password_page("auth/password.html", "workspace.home")
