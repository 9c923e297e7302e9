"""Record audit events in the same transaction as the change, chained by SHA-256 per tenant.

``record()`` adds the event to the current session; the caller's commit makes both durable or
neither. ``verify_*`` walk a chain and return the first broken link.

A transaction that records many events (a rollout creating a unit's catalogue) locks each chain
and reads its head once: the session keeps the head it has extended until it commits or rolls
back (a savepoint's rollback included), so the events are chained in memory and inserted
together at the flush, in the order recorded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session

from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.base import utcnow
from tenant_app.tenancy.context import current_tenant_id

GENESIS = "0" * 64
_FIELDS = (
    "seq", "occurred_at", "actor_type", "actor_id", "actor_name", "ip",
    "action", "object_type", "object_id", "before", "after", "prev_hash",
)  # fmt: skip


def _jsonable(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def event_digest(event, chain_id: str) -> str:
    """Return the SHA-256 of an event's fields, its chain and its predecessor's hash."""
    payload = {name: getattr(event, name) for name in _FIELDS}
    payload["occurred_at"] = payload["occurred_at"].isoformat(timespec="microseconds")
    payload["chain"] = chain_id
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _actor(actor):
    if actor is None and has_request_context():
        try:
            actor = current_user._get_current_object() if current_user.is_authenticated else None
        except Exception:  # no login manager bound
            actor = None
    if actor is None:
        return "system" if not has_request_context() else "anonymous", None, None
    if getattr(actor, "is_province", False):
        return "province_user", str(actor.id), actor.username
    return "tenant_user", str(actor.id), actor.username


def _lock_chain(key: int) -> None:
    # Serialise writers of one chain so that two transactions never fork it.
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(4242, :k)"), {"k": key})


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id=None,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    province: bool = False,
    subject_tenant_id: int | None = None,
):
    """Add an audit event to the session (tenant chain, or the province chain if ``province``).

    Returns the event. The caller commits it with the change it describes.
    """
    actor_type, actor_id, actor_name = _actor(actor)
    tid = None if province else current_tenant_id()
    if tid is None:
        province = True
    model = ProvinceAuditEvent if province else AuditEvent
    chain = "province" if province else f"tenant:{tid}"
    heads: dict = db.session.info.setdefault(_HEADS, {})
    if chain not in heads:
        # Flush what the transaction has pending before the lock, not under it: the lock is
        # held until commit, and a rollout job that records its province event last would
        # otherwise write a whole unit while every other unit's job waits for the chain.
        db.session.flush()
        _lock_chain(0 if province else tid)
        last = db.session.execute(
            sa.select(model.seq, model.hash).order_by(model.seq.desc()).limit(1)
        ).first()
        heads[chain] = (last.seq, last.hash) if last else (0, GENESIS)
    last_seq, last_hash = heads[chain]
    event = model(
        seq=last_seq + 1,
        occurred_at=utcnow(),
        actor_type=actor_type,
        actor_id=actor_id,
        actor_name=actor_name,
        ip=request.remote_addr if has_request_context() else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=last_hash,
    )
    if province:
        event.subject_tenant_id = subject_tenant_id
    else:
        event.tenant_id = tid
    event.hash = event_digest(event, chain)
    db.session.add(event)
    heads[chain] = (event.seq, event.hash)
    return event


# The chain heads a session has extended in its transaction (see the module's docstring).
_HEADS = "kpi_audit_heads"


def _forget_heads(session: Session, *_args) -> None:
    session.info.pop(_HEADS, None)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction (commit, rollback or close)
        _forget_heads(session)


# A rolled-back savepoint takes its events with it: read the head again after any rollback.
if not orm_event.contains(Session, "after_soft_rollback", _forget_heads):
    orm_event.listen(Session, "after_soft_rollback", _forget_heads)
    orm_event.listen(Session, "after_transaction_end", _transaction_ended)


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    seq: int
    reason: str


def verify_events(events, chain_id: str) -> BrokenLink | None:
    """Walk ``events`` (ordered by seq) and return the first broken link, or None."""
    expected_prev, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq:
            return BrokenLink(chain_id, expected_seq, "missing or reordered event")
        if event.prev_hash != expected_prev:
            return BrokenLink(chain_id, event.seq, "predecessor hash does not match")
        if event_digest(event, chain_id) != event.hash:
            return BrokenLink(chain_id, event.seq, "event content does not match its hash")
        expected_prev, expected_seq = event.hash, expected_seq + 1
    return None
