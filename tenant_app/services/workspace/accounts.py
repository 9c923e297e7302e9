"""Account administration in a unit: create, edit, disable, reset the password, unlock."""

from __future__ import annotations

from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.users import TENANT_ROLES, User
from tenant_app.security.passwords import generate_password, hash_password
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.workspace import login_throttle
from tenant_app.services.workspace.authentication import (
    check_new_password,
    end_sessions,
    find_account,
    set_password,
)
from tenant_app.tenancy.context import current_tenant_id

# Tenant accounts are administered by a unit administrator, or by the province for a first admin.


def _normalise_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles or []))
    unknown = [r for r in roles if r not in TENANT_ROLES]
    if unknown or not roles:
        raise ServiceError(
            "invalid_roles",
            _("Vai trò không hợp lệ: cần ít nhất một vai trò đã biết."),
            field="roles",
        )
    return [r for r in TENANT_ROLES if r in roles]


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "roles": user.role_list,
        "active": user.active,
    }


def create_user(
    *, username: str, full_name: str, roles, email: str | None = None, password: str | None = None
) -> tuple[User, str]:
    """Create an account in the tenant in context. Returns (user, temporary password).

    Raises Conflict if the username is taken in this tenant.
    """
    if current_tenant_id() is None:
        raise RuntimeError("create_user needs a tenant in context")
    username = username.strip().lower()
    if find_account(User, username) is not None:
        raise Conflict(
            "duplicate_username",
            _("Tên đăng nhập đã được sử dụng trong đơn vị."),
            field="username",
        )
    temporary = password is None
    if password is None:
        password = generate_password()
    else:
        check_new_password(password)
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=(email or None),
        roles=_normalise_roles(roles),
        password_hash=hash_password(password),
        must_change_password=temporary,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "account.created", object_type="user", object_id=user.id, after=_user_snapshot(user)
    )
    return user, password


def get_user(user_id) -> User:
    """Return the user of the tenant in context, or raise NotFound (also for other tenants' ids)."""
    tid = current_tenant_id()
    user = db.session.get(User, (tid, user_id)) if tid is not None else None
    if user is None:
        raise NotFound("not_found", _("Không tìm thấy tài khoản."))
    return user


def update_user(user: User, *, actor, full_name=None, email=None, roles=None, active=None) -> User:
    """Change an account's details, roles or active flag; disabling ends its sessions."""
    before = _user_snapshot(user)
    if full_name is not None:
        user.full_name = full_name.strip()
    if email is not None:
        user.email = email or None
    if roles is not None:
        roles = _normalise_roles(roles)
        if user.id == getattr(actor, "id", None) and "unit_admin" not in roles:
            raise ServiceError(
                "self_demotion",
                _("Bạn không thể tự bỏ vai trò quản trị đơn vị của mình."),
                field="roles",
            )
        user.roles = roles
    if active is not None and bool(active) != user.active:
        if user.id == getattr(actor, "id", None) and not active:
            raise ServiceError(
                "self_disable",
                _("Bạn không thể tự vô hiệu hóa tài khoản của mình."),
                field="active",
            )
        user.active = bool(active)
        if not user.active:
            end_sessions(user)
    after = _user_snapshot(user)
    if after != before:
        audit.record(
            "account.updated", object_type="user", object_id=user.id, before=before, after=after
        )
    return user


def reset_password(user: User) -> str:
    """Give ``user`` a new temporary password (returned once), ending their sessions."""
    password = generate_password()
    set_password(user, password)
    user.must_change_password = True
    login_throttle.clear_username(user.username, province=False, now=utcnow())
    audit.record("account.password_reset", object_type="user", object_id=user.id)
    return password


def unlock(user) -> int:
    """Lift the sign-in holds on ``user``'s username from every address, audited.

    Returns how many addresses were held. The caller commits.
    """
    held = login_throttle.clear_username(user.username, province=user.is_province, now=utcnow())
    audit.record(
        "account.unlocked",
        object_type="account" if user.is_province else "user",
        object_id=user.id,
        after={"username": user.username, "held_addresses": held},
        province=user.is_province,
    )
    return held
