"""API bearer tokens: issue, resolve and revoke them; none while a password is temporary."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.users import ApiToken, ProvinceApiToken
from tenant_app.services.errors import ServiceError


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


def digest(token: str) -> str:
    """What is stored of a bearer token (any kind): its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def note_use(row, now) -> bool:
    """Record that the token ``row`` was used at ``now``, at most once a minute; True if written.

    Every request of an API client resolves its token: writing the time on each would make
    every read a write.
    """
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
        return True
    return False


def issue_token(user, name: str = "api", *, commit: bool = True) -> tuple[str, object]:
    """Create a bearer token for ``user``; returns (the token, shown once; its row).

    With ``commit=False`` the caller commits (the token endpoint, with the sign-in)."""
    # The prefix names the chain to look in (tenant id or province), never enough to use it.
    prefix = "kpi_p_" if user.is_province else f"kpi_t{user.tenant_id}_"
    token = prefix + secrets.token_urlsafe(32)
    expires = utcnow() + current_app.config["KPI_TOKEN_LIFETIME"]
    if user.is_province:
        row = ProvinceApiToken(
            province_user_id=user.id, token_hash=digest(token), name=name, expires_at=expires
        )
    else:
        row = ApiToken(user_id=user.id, token_hash=digest(token), name=name, expires_at=expires)
    db.session.add(row)
    audit.record(
        "auth.token_issued",
        object_type="account",
        object_id=user.id,
        actor=user,
        province=user.is_province,
    )
    if commit:
        db.session.commit()
    return token, row


def resolve_token(token: str, *, province: bool):
    """Return the usable token row for ``token`` (in the tenant in context, or province-wide)."""
    model = ProvinceApiToken if province else ApiToken
    row = db.session.execute(
        sa.select(model).where(model.token_hash == digest(token))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or not row.usable(now) or not row.user.is_active:
        return None
    if note_use(row, now):
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
    """Revoke the token ``row`` from now on, audited; commits."""
    row.revoked_at = utcnow()
    audit.record(
        "auth.token_revoked",
        object_type="account",
        object_id=row.user.id,
        actor=row.user,
        province=isinstance(row, ProvinceApiToken),
    )
    db.session.commit()
