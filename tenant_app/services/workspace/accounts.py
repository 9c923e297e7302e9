"""Accounts: authentication with lockout, account administration, sessions and API tokens."""

from __future__ import annotations

import enum
import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.users import (
    TENANT_ROLES,
    ApiToken,
    ProvinceApiToken,
    ProvinceUser,
    User,
)
from tenant_app.security.passwords import (
    MIN_LENGTH,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.workspace import login_throttle, sessions
from tenant_app.tenancy.context import current_tenant_id


class LoginOutcome(enum.Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    # Too many failures for this username from this address: said the same way for every name.
    LOCKED = "locked"


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user: object | None = None
    minutes_left: int = 0

    @property
    def message(self) -> str:
        if self.outcome is LoginOutcome.LOCKED:
            return _(
                "Quá nhiều lần đăng nhập sai từ địa chỉ này. "
                "Vui lòng thử lại sau %(minutes)d phút.",
                minutes=self.minutes_left,
            )
        return _("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị vô hiệu hóa.")


def password_change_required() -> ServiceError:
    """The refusal for API access by an account that still has a temporary password (403)."""
    return ServiceError(
        "password_change_required",
        _(
            "Tài khoản đang dùng mật khẩu tạm thời. Vui lòng đăng nhập trên trang web "
            "và đổi mật khẩu trước khi dùng API."
        ),
        status=403,
    )


def _find_account(model, username: str):
    return db.session.execute(
        sa.select(model).where(model.username == username.strip().lower())
    ).scalar_one_or_none()


def _minutes(delta: timedelta) -> int:
    return max(math.ceil(delta.total_seconds() / 60), 1)


def _request_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def authenticate(
    username: str, password: str, *, province: bool, address: str | None = None
) -> LoginResult:
    """Check a login (tenant user in the tenant in context, or province user) from ``address``
    (default: the request's remote address, which ProxyFix sets from trusted proxies).

    Failures are throttled per (username, address) whether or not the account exists, and every
    answer costs one password hash check. Commits the throttle state or the successful login
    together with their audit events.
    """
    model = ProvinceUser if province else User
    name = login_throttle.normalise_username(username)
    source = login_throttle.normalise_address(address or _request_address())
    user = _find_account(model, name) if name else None
    now = utcnow()
    held = login_throttle.held_until(name, source, province=province, now=now)
    if held is not None:
        verify_password(None, password or "")  # same cost as a real check
        audit.record(
            "auth.login_locked",
            object_type="account",
            object_id=user.id if user else None,
            after={"username": name, "address": source},
            actor=user,
            province=province,
        )
        db.session.commit()
        return LoginResult(LoginOutcome.LOCKED, minutes_left=_minutes(held - now))

    password_ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not password_ok or not user.is_active:
        hold = login_throttle.record_failure(name, source, province=province, now=now)
        audit.record(
            "auth.login_failed",
            object_type="account",
            object_id=user.id if user else None,
            after={"username": (username or "")[:64]},
            actor=user,
            province=province,
        )
        if hold is not None:
            audit.record(
                "auth.lockout",
                object_type="account",
                object_id=user.id if user else None,
                after={"username": name, "address": source, "minutes": _minutes(hold)},
                actor=user,
                province=province,
            )
        db.session.commit()
        if hold is not None:
            return LoginResult(LoginOutcome.LOCKED, minutes_left=_minutes(hold))
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)

    login_throttle.clear(name, source, province=province)
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(
        "auth.login", object_type="account", object_id=user.id, actor=user, province=province
    )
    db.session.commit()
    return LoginResult(LoginOutcome.OK, user=user)


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


def check_new_password(password: str, *, field: str = "password") -> None:
    """Raise ServiceError unless ``password`` is acceptable as a new password."""
    if len(password or "") < MIN_LENGTH:
        raise ServiceError(
            "weak_password",
            _("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_LENGTH),
            field=field,
        )
    if password.isdigit() or password.isalpha():
        raise ServiceError("weak_password", _("Mật khẩu phải có cả chữ và số."), field=field)


def change_password(user, current: str, new: str) -> None:
    """Change one's own password; ends every other session and every API token of the user."""
    if not verify_password(user.password_hash, current or ""):
        raise ServiceError(
            "wrong_password", _("Mật khẩu hiện tại không đúng."), field="current_password"
        )
    check_new_password(new, field="new_password")
    _set_password(user, new)
    user.must_change_password = False
    audit.record(
        "account.password_changed",
        object_type="account",
        object_id=user.id,
        actor=user,
        province=user.is_province,
    )
    db.session.commit()


def _set_password(user, password: str) -> None:
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user) -> None:
    """End every session and revoke every token of ``user`` (caller commits)."""
    user.session_epoch += 1
    now = utcnow()
    sessions.end_all(user, now)
    if user.is_province:
        tokens = sa.update(ProvinceApiToken).where(ProvinceApiToken.province_user_id == user.id)
        db.session.execute(
            tokens.where(ProvinceApiToken.revoked_at.is_(None)).values(revoked_at=now)
        )
    else:
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )


# --- tenant account administration (by a unit administrator, or the province for a first admin)


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
    if _find_account(User, username) is not None:
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
    _set_password(user, password)
    user.must_change_password = True
    login_throttle.clear_username(user.username, province=False, now=utcnow())
    audit.record("account.password_reset", object_type="user", object_id=user.id)
    return password


# --- API tokens


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user, name: str = "api") -> tuple[str, object]:
    """Create a bearer token for ``user``; returns (the token, shown once; its row)."""
    # The prefix names the chain to look in (tenant id or province), never enough to use it.
    prefix = "kpi_p_" if user.is_province else f"kpi_t{user.tenant_id}_"
    token = prefix + secrets.token_urlsafe(32)
    expires = utcnow() + current_app.config["KPI_TOKEN_LIFETIME"]
    if user.is_province:
        row = ProvinceApiToken(
            province_user_id=user.id, token_hash=_digest(token), name=name, expires_at=expires
        )
    else:
        row = ApiToken(user_id=user.id, token_hash=_digest(token), name=name, expires_at=expires)
    db.session.add(row)
    audit.record(
        "auth.token_issued",
        object_type="account",
        object_id=user.id,
        actor=user,
        province=user.is_province,
    )
    db.session.commit()
    return token, row


def resolve_token(token: str, *, province: bool):
    """Return the usable token row for ``token`` (in the tenant in context, or province-wide)."""
    model = ProvinceApiToken if province else ApiToken
    row = db.session.execute(
        sa.select(model).where(model.token_hash == _digest(token))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or not row.usable(now) or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
        db.session.commit()
    return row


def token_tenant_id(token: str) -> int | None:
    """Return the tenant id a token was issued in (None for province tokens or garbage)."""
    head = token.split("_", 2)
    if len(head) == 3 and head[0] == "kpi" and head[1].startswith("t") and head[1][1:].isdigit():
        return int(head[1][1:])
    return None


def resolve_any_token(token: str):
    """Return the usable token row of a tenant or province token, whichever it is, or None.

    None too while the account still has a temporary password. A tenant token is looked up
    inside its own tenant (the id in its prefix); the caller gets the row and should act in that
    tenant's context if it touches tenant data.
    """
    from tenant_app.models.tenants import Tenant
    from tenant_app.tenancy.context import tenant_context

    tenant_id = token_tenant_id(token)
    if tenant_id is None:
        row = resolve_token(token, province=True)
        return None if row is None or row.user.must_change_password else row
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or not tenant.status_enum.serves_users:
        return None
    with tenant_context(tenant):
        row = resolve_token(token, province=False)
        return None if row is None or row.user.must_change_password else row


def revoke_token(row) -> None:
    row.revoked_at = utcnow()
    audit.record(
        "auth.token_revoked",
        object_type="account",
        object_id=row.user.id,
        actor=row.user,
        province=isinstance(row, ProvinceApiToken),
    )
    db.session.commit()


def get_province_user(user_id: int) -> ProvinceUser | None:
    return db.session.get(ProvinceUser, user_id)


def ensure_found(value, message: str):
    if value is None:
        raise NotFound("not_found", message)
    return value
