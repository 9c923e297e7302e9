"""A unit administrator's one-time invitation link (``/t/<slug>/invitation/<token>``): set the
password once, within 72 hours, then sign in as usual."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from tenant_app.extensions import limiter
from tenant_app.forms import REQUIRED
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import onboarding
from tenant_app.tenancy.resolve import make_tenant_blueprint
from tenant_app.web import saving

bp = make_tenant_blueprint(Blueprint("invitations", __name__, url_prefix="/t/<tenant_slug>"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=10, max=256, message=_l("Mật khẩu mới cần 10–256 ký tự.")),
        ],
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("Hai mật khẩu không khớp."))],
    )
    submit = SubmitField(_l("Đặt mật khẩu"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["KPI_LOGIN_RATE_LIMIT"], methods=["POST"])
def accept(token: str):
    tenant = g.tenant
    try:
        invitation = onboarding.check_invitation(tenant, token)
    except ServiceError as exc:
        return render_template(
            "errors/error.html", status=exc.status, message=exc.message
        ), exc.status
    form = SetPasswordForm()
    if form.validate_on_submit():
        with saving(form, fallback="password") as saved:
            onboarding.accept_invitation(tenant, token, form.password.data)
        if saved.ok:
            flash(_("Đã đặt mật khẩu. Hãy đăng nhập."), "success")
            return redirect(url_for("tenant_auth.login"))
    return render_template(
        "auth/invitation.html", form=form, tenant=tenant, username=invitation["username"]
    )
