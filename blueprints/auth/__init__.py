"""Sign-in, sign-out and password change for the users of one tenant (``/t/<slug>/…``)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth import end_session, start_session, tenant_user_required
from tenant_app.extensions import limiter
from tenant_app.forms import LoginForm
from tenant_app.services.workspace import authentication
from tenant_app.tenancy.resolve import make_tenant_blueprint
from tenant_app.web import change_password_page, safe_next

bp = make_tenant_blueprint(Blueprint("tenant_auth", __name__, url_prefix="/t/<tenant_slug>"))


def _login_limit() -> str:
    return current_app.config["KPI_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        result = authentication.authenticate(
            form.username.data, form.password.data, province=False, then=start_session
        )
        if result.outcome is authentication.LoginOutcome.OK:
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


@bp.route("/account/password", methods=["GET", "POST"])
@tenant_user_required()
def password():
    return change_password_page("auth/password.html", "workspace.home")
