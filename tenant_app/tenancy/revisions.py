"""A unit's data revision: a counter in Redis that moves whenever a commit changed the unit's rows.

Live endpoints (dashboards, a person's score) are polled every few seconds by every open page.
Most polls find nothing changed; with the revision in their ETag, such a poll is answered
``304 Not Modified`` after one Redis read, without loading or rendering anything.

What counts as a change: any tenant-scoped row added, changed or deleted through the session
(seen at flush), and any ORM ``UPDATE``/``DELETE``/``INSERT`` statement executed in the unit's
context, except what no cached page shows (a model's ``__revision_neutral__``: sessions, sign-in
throttles, audit events and job runs; a user's last sign-in and failed attempts). Without that,
every sign-in and every session touch (once a minute per person) would discard the whole unit's
cached pages. The counter moves after the commit (a rollback moves nothing), in every process that
writes: web requests, rq jobs, imports. Writes that bypass the ORM session (raw connections, bulk
``COPY``) are not seen, so live ETags also carry the date and expire with ``MAX_AGE`` below.

Without Redis (the embedded default, tests) there is no shared counter: ``current`` answers None
and callers compute their answer every time, which is always correct.
"""

from __future__ import annotations

import functools
import logging

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tenant_app.models.base import TenantScoped
from tenant_app.tenancy.context import current_tenant_id

log = logging.getLogger(__name__)

_CHANGED = "kpi_changed_tenants"
KEY = "kpi:revision:{}"
# A revision older than this is not trusted for a 304 (writes the counter cannot see).
MAX_AGE_SECONDS = 60


@functools.lru_cache(maxsize=8)
def _client(url: str):
    from redis import Redis

    # One pool per process and URL (redis-py resets a pool inherited across a fork).
    return Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def client():
    """This process's Redis client for the app's ``KPI_REDIS_URL``, or None without Redis."""
    if not has_app_context():
        return None
    url = current_app.config.get("KPI_REDIS_URL")
    return _client(url) if url else None


def current(tenant_id: int) -> str | None:
    """The unit's revision as text ('0' before its first change), or None without Redis."""
    redis = client()
    if redis is None:
        return None
    try:
        value = redis.get(KEY.format(tenant_id))
    except Exception:  # Redis down: no shortcut, the caller computes
        log.warning("revision of tenant %s not readable", tenant_id, exc_info=True)
        return None
    return value.decode() if value else "0"


def _note(session: Session, tenant_id: int | None) -> None:
    if tenant_id is not None:
        session.info.setdefault(_CHANGED, set()).add(tenant_id)


def _shows(obj, new_or_deleted: bool) -> bool:
    """Whether writing ``obj`` can change a cached page: not for bookkeeping tables
    (``__revision_neutral__ = {"*"}``), nor for an update touching only neutral columns."""
    neutral = type(obj).__revision_neutral__
    if not neutral:
        return True
    if "*" in neutral:
        return False
    if new_or_deleted:
        return True
    return any(
        attr.key not in neutral and attr.history.has_changes() for attr in inspect(obj).attrs
    )


def _before_flush(session, flush_context, instances):
    for objects, whole in ((session.new, True), (session.dirty, False), (session.deleted, True)):
        for obj in objects:
            if isinstance(obj, TenantScoped) and _shows(obj, whole):
                _note(session, obj.tenant_id if obj.tenant_id is not None else current_tenant_id())


def _on_execute(state):
    if state.is_update or state.is_delete or state.is_insert:
        mapper = state.bind_mapper
        target = mapper.class_ if mapper is not None else None
        if target is not None and "*" in getattr(target, "__revision_neutral__", ()):
            return
        _note(state.session, current_tenant_id())


def _after_commit(session):
    changed = session.info.pop(_CHANGED, None)
    if not changed:
        return
    redis = client()
    if redis is None:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        for tenant_id in sorted(changed):
            pipe.incr(KEY.format(tenant_id))
        pipe.execute()
    except Exception:  # the change is committed; live pages fall back to computing
        log.warning("revision of tenants %s not moved", sorted(changed), exc_info=True)


def _after_rollback(session):
    session.info.pop(_CHANGED, None)


def init_app(app) -> None:
    """Register the session listeners (once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
