"""Who may sign in: password checks with lockout, one's own password, ending one's sessions."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.users import ApiToken, ProvinceApiToken, ProvinceUser, User
from tenant_app.security.passwords import (
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from tenant_app.services.errors import ServiceError
from tenant_app.services.workspace import login_throttle, sessions


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


def find_account(model, username: str):
    """Return the account of ``model`` (User in the tenant in context, or ProvinceUser) named
    ``username`` (trimmed, lower case), or None."""
    return db.session.execute(
        sa.select(model).where(model.username == username.strip().lower())
    ).scalar_one_or_none()


def _minutes(delta: timedelta) -> int:
    return max(math.ceil(delta.total_seconds() / 60), 1)


def _request_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def authenticate(
    username: str,
    password: str,
    *,
    province: bool,
    address: str | None = None,
    then: Callable[[object], object] | None = None,
) -> LoginResult:
    """Check a login (tenant user in the tenant in context, or province user) from ``address``
    (default: the request's remote address, which ProxyFix sets from trusted proxies).

    Failures are throttled per (username, address) whether or not the account exists, and every
    answer costs one password hash check. Commits the throttle state or the successful login
    together with their audit events. On success ``then(user)`` runs before that commit, so
    that what the sign-in opens (the browser's server-side session) is written in the same
    transaction: one commit per sign-in. A stored hash made with other argon2 parameters than
    the configured ones is replaced in that transaction too.
    """
    model = ProvinceUser if province else User
    name = login_throttle.normalise_username(username)
    source = login_throttle.normalise_address(address or _request_address())
    user = find_account(model, name) if name else None
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
    if then is not None:
        then(user)
    db.session.commit()
    return LoginResult(LoginOutcome.OK, user=user)


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
    set_password(user, new)
    user.must_change_password = False
    audit.record(
        "account.password_changed",
        object_type="account",
        object_id=user.id,
        actor=user,
        province=user.is_province,
    )
    db.session.commit()


def set_password(user, password: str) -> None:
    """Store ``password`` (hashed) and end every session and token of ``user`` (caller commits)."""
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
