"""Server-side records of signed-in browser sessions: opened at login, checked on every request,
ended at logout, at a timeout, and with every other session of an account (password change,
disable, reset).

The signed cookie carries a random session id; the database keeps only its SHA-256, so a copy of
the table opens no session. A copied cookie stops working once its record has ended. Tenant
sessions live in a tenant table (RLS), province sessions in a province table.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join, utcnow
from tenant_app.models.users import LoginSession, ProvinceLoginSession, ProvinceUser, User
from tenant_app.tenancy.context import current_tenant_id, tenant_context

# last_seen_at is written at most this often: no write on every request.
TOUCH_EVERY = timedelta(minutes=1)
# Records over for this long are deleted when the same account next signs in.
KEEP_ENDED = timedelta(days=30)


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _idle_allowance() -> timedelta:
    # last_seen_at may lag the real last use by up to TOUCH_EVERY.
    return current_app.config["KPI_SESSION_IDLE"] + TOUCH_EVERY


def _over_since(model, moment: datetime):
    """Records that expired or ended before ``moment``."""
    return sa.or_(model.expires_at < moment, model.ended_at < moment)


def open_session(user) -> str:
    """Record a new session of ``user`` and return its id for the cookie (shown once).

    The caller commits: a sign-in commits it with the login and its audit event, in one
    transaction."""
    now = utcnow()
    sid = secrets.token_urlsafe(32)
    expires = now + current_app.config["PERMANENT_SESSION_LIFETIME"]
    if user.is_province:
        row = ProvinceLoginSession(province_user_id=user.id, token_hash=_digest(sid))
        owner = ProvinceLoginSession.province_user_id == user.id
    else:
        row = LoginSession(user_id=user.id, token_hash=_digest(sid))
        owner = LoginSession.user_id == user.id
    row.created_at = row.last_seen_at = now
    row.expires_at = expires
    model = type(row)
    db.session.execute(
        sa.delete(model)
        .where(owner, _over_since(model, now - KEEP_ENDED))
        .execution_options(synchronize_session=False)
    )
    db.session.add(row)
    return sid


def _live_pair(stmt, now: datetime):
    pair = db.session.execute(stmt).one_or_none()
    if pair is None or not pair[0].alive(now, _idle_allowance()):
        return None
    return pair


def _touch(row, now: datetime) -> None:
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()


def tenant_user(sid: str, user_id: uuid.UUID) -> User | None:
    """Return the user of the live session ``sid`` in the tenant in context, if it is ``user_id``.

    One indexed query loads the session and its user together.
    """
    now = utcnow()
    stmt = (
        sa.select(LoginSession, User)
        .join(User, tenant_join(User.id, LoginSession.user_id))
        .where(LoginSession.token_hash == _digest(sid))
    )
    pair = _live_pair(stmt, now)
    if pair is None or pair[1].id != user_id:
        return None
    _touch(pair[0], now)
    return pair[1]


def province_user(sid: str, user_id: int) -> ProvinceUser | None:
    """Return the province user of the live session ``sid``, if it is ``user_id``."""
    now = utcnow()
    stmt = (
        sa.select(ProvinceLoginSession, ProvinceUser)
        .join(ProvinceUser, ProvinceUser.id == ProvinceLoginSession.province_user_id)
        .where(ProvinceLoginSession.token_hash == _digest(sid))
    )
    pair = _live_pair(stmt, now)
    if pair is None or pair[1].id != user_id:
        return None
    _touch(pair[0], now)
    return pair[1]


def _end(model, sid: str, now: datetime) -> None:
    db.session.execute(
        sa.update(model)
        .where(model.token_hash == _digest(sid), model.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def end_session(sid: str, *, tenant_id: int | None) -> None:
    """End the session ``sid`` of a tenant user of ``tenant_id`` (None: a province user). Commits.

    The tenant comes from the signed cookie, so a session ends even when signing out (or timing
    out) under a URL of no tenant or of another one.
    """
    from tenant_app.models.tenants import Tenant

    now = utcnow()
    if tenant_id is None:
        _end(ProvinceLoginSession, sid, now)
    elif current_tenant_id() == tenant_id:
        _end(LoginSession, sid, now)
    else:
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            return
        with tenant_context(tenant):
            _end(LoginSession, sid, now)
            db.session.commit()
        return
    db.session.commit()


def end_all(user, now: datetime) -> None:
    """End every live session of ``user`` (the caller commits)."""
    if user.is_province:
        model, owner = ProvinceLoginSession, ProvinceLoginSession.province_user_id == user.id
    else:
        model, owner = LoginSession, LoginSession.user_id == user.id
    db.session.execute(
        sa.update(model)
        .where(owner, model.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
