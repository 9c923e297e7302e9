"""The unit's home page by role, and account administration for unit administrators."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.workspace.common import bp
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.forms import ActionForm, UserEditForm, UserForm
from tenant_app.models.users import TENANT_ROLES, User
from tenant_app.services.errors import ServiceError
from tenant_app.services.workspace import accounts
from tenant_app.web import saving

PAGE_SIZE = 50


@bp.get("/")
@tenant_user_required()
def home():
    counts = None
    if current_user.has_role("unit_admin", "manager"):
        total = db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()
        active = db.session.execute(
            sa.select(sa.func.count()).select_from(User).where(User.active.is_(True))
        ).scalar_one()
        counts = {"total": total, "active": active}
    from tenant_app.services.evaluation import periods

    period = periods.current_period()
    latest = periods.list_periods()[:3]
    return render_template(
        "workspace/home.html", tenant=g.tenant, counts=counts, period=period, latest=latest
    )


def _user_or_404(user_id: str) -> User:
    try:
        return accounts.get_user(uuid.UUID(user_id))
    except (ValueError, ServiceError):
        abort(404)


@bp.get("/users")
@tenant_user_required("unit_admin")
def users():
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    status = request.args.get("status") or ""
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = sa.select(User).order_by(User.full_name, User.username)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(sa.func.lower(User.full_name).like(like), User.username.like(like))
        )
    if status in ("active", "disabled"):
        stmt = stmt.where(User.active.is_(status == "active"))
    rows = [u for u in db.session.execute(stmt).scalars() if not role or u.has_role(role)]
    pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "workspace/users.html",
        users=shown,
        q=q,
        role=role,
        status=status,
        page=page,
        pages=pages,
        total=len(rows),
        roles=TENANT_ROLES,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@tenant_user_required("unit_admin")
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        with saving(form, fallback="username") as saved:
            user, password = accounts.create_user(
                username=form.username.data,
                full_name=form.full_name.data,
                email=form.email.data,
                roles=form.roles.data,
            )
        if saved.ok:
            return render_template(
                "workspace/password_shown.html", user=user, password=password, created=True
            )
    return render_template("workspace/user_form.html", form=form, user=None)


@bp.route("/users/<user_id>", methods=["GET", "POST"])
@tenant_user_required("unit_admin")
def user_edit(user_id: str):
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = user.role_list
    if form.validate_on_submit():
        with saving(form, fallback="full_name") as saved:
            accounts.update_user(
                user,
                actor=current_user,
                full_name=form.full_name.data,
                email=form.email.data,
                roles=form.roles.data,
                active=form.active.data,
            )
        if saved.ok:
            flash(_("Đã lưu tài khoản %(name)s.", name=user.full_name), "success")
            return redirect(url_for("workspace.users"))
    return render_template(
        "workspace/user_form.html", form=form, user=user, action_form=ActionForm()
    )


@bp.post("/users/<user_id>/reset-password")
@tenant_user_required("unit_admin")
def user_reset_password(user_id: str):
    user = _user_or_404(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    password = accounts.reset_password(user)
    db.session.commit()
    return render_template(
        "workspace/password_shown.html", user=user, password=password, created=False
    )


@bp.post("/users/<user_id>/unlock")
@tenant_user_required("unit_admin")
def user_unlock(user_id: str):
    """Lift the sign-in holds on an account (too many failed sign-ins), from every address."""
    user = _user_or_404(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    accounts.unlock(user)
    db.session.commit()
    flash(_("Đã mở khóa đăng nhập cho tài khoản %(name)s.", name=user.full_name), "success")
    return redirect(url_for("workspace.user_edit", user_id=user.id))


# Screens of the org chart, staff and KPI catalogue register their routes on ``bp``.
