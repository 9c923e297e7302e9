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

Finer revisions, for the pages of one person (their explained score, their work): a change to a
row that belongs to one person (``__revision_owner__``: a ``staff_id`` column by default, a report
through its assignment, a notification or draft through its user) also moves that person's (or
user's) counter; any other change moves the unit's *shared* counter. A person's page depends on
the shared counter, their own and the viewer's (``person_view``), so a colleague's report saved
does not discard it. The unit-wide counter still moves on every change, for the pages that read
everyone (dashboards). When the owner cannot be told without a query (a report whose assignment
is not loaded) or the owner itself changed, the change counts as shared: never too fine.
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
SHARED_KEY = "kpi:revision:{}:shared"
OWNER_KEY = "kpi:revision:{}:{}:{}"  # tenant, "staff" or "user", id
# A person's counter that moved no more for a day is dropped (it restarts at 0: any page or ETag
# made with its old value expired long before, MAX_AGE_SECONDS).
OWNER_KEY_SECONDS = 86400
SHARED = None
# Execution option of a bulk statement that touches only these people's rows (their ids).
STAFF_OPTION = "revision_staff"
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


def person_view(tenant_id: int, staff_id, user_id) -> str | None:
    """The revision of a page about one person ``staff_id`` seen by ``user_id``: the unit's
    shared counter, the person's and the viewer's, as text; None without Redis."""
    redis = client()
    if redis is None:
        return None
    keys = [SHARED_KEY.format(tenant_id)]
    keys.append(OWNER_KEY.format(tenant_id, "staff", staff_id) if staff_id else "-")
    keys.append(OWNER_KEY.format(tenant_id, "user", user_id) if user_id else "-")
    try:
        values = redis.mget(keys)
    except Exception:  # Redis down: no shortcut, the caller computes
        log.warning("revision of tenant %s not readable", tenant_id, exc_info=True)
        return None
    return ":".join(v.decode() if v else "0" for v in values)


def _note(session: Session, tenant_id: int | None, owner=SHARED) -> None:
    """Record that the commit changes ``tenant_id``'s rows, of ``owner`` (``("staff", id)`` or
    ``("user", id)``) or shared."""
    if tenant_id is not None:
        session.info.setdefault(_CHANGED, {}).setdefault(tenant_id, set()).add(owner)


def _owner(session: Session, obj, whole: bool):
    """Whose pages a change of ``obj`` concerns: ``("staff", id)``, ``("user", id)`` or SHARED."""
    owner = getattr(type(obj), "__revision_owner__", None)
    if owner is None:
        return SHARED
    found = owner(obj, session.identity_map)
    if found is None or found[1] is None:
        return SHARED
    if not whole:  # the row moved to another owner: both people's pages, so shared
        column = found[2] if len(found) > 2 else None
        if column is not None and inspect(obj).attrs[column].history.has_changes():
            return SHARED
    return found[0], found[1]


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
                tenant_id = obj.tenant_id if obj.tenant_id is not None else current_tenant_id()
                _note(session, tenant_id, _owner(session, obj, whole))


def _on_execute(state):
    if state.is_update or state.is_delete or state.is_insert:
        mapper = state.bind_mapper
        target = mapper.class_ if mapper is not None else None
        if target is not None and "*" in getattr(target, "__revision_neutral__", ()):
            return
        people = state.execution_options.get(STAFF_OPTION)
        if people is None:
            _note(state.session, current_tenant_id())
        for staff_id in people or ():
            _note(state.session, current_tenant_id(), ("staff", staff_id))


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
            for owner in changed[tenant_id]:
                if owner is SHARED:
                    pipe.incr(SHARED_KEY.format(tenant_id))
                else:
                    key = OWNER_KEY.format(tenant_id, *owner)
                    pipe.incr(key)
                    pipe.expire(key, OWNER_KEY_SECONDS)
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
