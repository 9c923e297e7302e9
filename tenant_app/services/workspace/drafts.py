"""Drafts of forms whose save arrived after the session had expired: kept for the account the
session belonged to, handed back once to that account, in the browser that sent them.

The browser holds a random key (in its signed session cookie); the table keeps its SHA-256, the
user id, the page to return to and the fields typed (never a password or the CSRF token). A draft
is handed back only if the signed-in user is the one it was kept for, in the tenant in context
(tenant table, RLS), and within ``KEEP``; it is deleted when handed back.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.drafts import FormDraft

# A draft not claimed within this time is discarded.
KEEP = timedelta(hours=1)
# Limits on what is kept: a form is small; anything bigger is not a person's typing.
MAX_FIELDS = 200
MAX_VALUE = 20_000
MAX_TOTAL = 200_000


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _kept(name: str) -> bool:
    lowered = name.lower()
    return bool(name) and name != "csrf_token" and "password" not in lowered


def fields_of(form) -> dict[str, list[str]]:
    """The fields of ``form`` (a MultiDict) worth keeping: name → values, without passwords, the
    CSRF token, or anything past the size limits."""
    fields: dict[str, list[str]] = {}
    total = 0
    for name in form:
        if not _kept(name) or len(fields) >= MAX_FIELDS:
            continue
        values = [v for v in form.getlist(name) if isinstance(v, str) and len(v) <= MAX_VALUE]
        size = sum(len(v) for v in values) + len(name)
        if not values or total + size > MAX_TOTAL:
            continue
        fields[name] = values
        total += size
    return fields


def _discard_stale(now) -> None:
    db.session.execute(
        sa.delete(FormDraft)
        .where(FormDraft.created_at < now - KEEP)
        .execution_options(synchronize_session=False)
    )


def keep(user_id: uuid.UUID, *, page: str, action: str, form) -> str | None:
    """Keep what was typed into ``form`` for ``user_id`` of the tenant in context; replaces the
    user's earlier draft. Returns the key the browser must present to get it back, or None when
    nothing is worth keeping. Commits."""
    fields = fields_of(form)
    if not fields:
        return None
    now = utcnow()
    _discard_stale(now)
    db.session.execute(
        sa.delete(FormDraft)
        .where(FormDraft.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        FormDraft(
            user_id=user_id,
            key_hash=_digest(key),
            page=page,
            action=action,
            fields=fields,
            created_at=now,
        )
    )
    db.session.commit()
    return key


def pending(user, key: str) -> FormDraft | None:
    """The draft of ``key`` if it was kept for ``user`` (tenant in context) and is still fresh."""
    row = db.session.execute(
        sa.select(FormDraft).where(FormDraft.key_hash == _digest(key))
    ).scalar_one_or_none()
    if row is None or row.user_id != user.id or row.created_at < utcnow() - KEEP:
        return None
    return row


def take(draft: FormDraft) -> dict:
    """Hand ``draft`` back once: returns ``{"action", "fields"}`` and deletes it. Commits."""
    data = {"action": draft.action, "fields": draft.fields}
    db.session.delete(draft)
    db.session.commit()
    return data
