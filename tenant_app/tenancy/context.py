"""The ambient tenant: who the current request, job, CLI command or test acts for.

A request resolves its tenant once (stored on ``g``); jobs, CLI and tests use ``tenant_context``.
There is no default tenant: with none set, tenant tables read as empty and writes are refused.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_app_context
from werkzeug.local import LocalProxy

# (tenant, its id): the id is read once, so a later expired or detached row cannot break scoping.
_tenant: ContextVar[tuple[object, int] | None] = ContextVar("kpi_tenant", default=None)
_cross_tenant_read: ContextVar[bool] = ContextVar("kpi_cross_tenant_read", default=False)
_read_only: ContextVar[bool] = ContextVar("kpi_read_only", default=False)


class NoTenantContext(RuntimeError):
    """A tenant-owned row was written with no tenant in context."""


class CrossTenantWrite(PermissionError):
    """A write named a tenant other than the one in context (or ran inside a read-only door)."""


def get_current_tenant():
    """Return the Tenant in context (job/CLI/test context first, then the request), or None."""
    pinned = _tenant.get()
    if pinned is not None:
        return pinned[0]
    if has_app_context():
        return g.get("tenant")
    return None


def current_tenant_id() -> int | None:
    pinned = _tenant.get()
    if pinned is not None:
        return pinned[1]
    if not has_app_context():
        return None
    # The id is read once per request: after a rollback the Tenant row is expired, and reloading
    # it would need the tenant id (RLS settings) while the session is opening its connection.
    return g.get("tenant_id")


def cross_tenant_read_active() -> bool:
    return _cross_tenant_read.get()


def read_only_active() -> bool:
    """True inside a door: tenant tables may be read but not written."""
    return _cross_tenant_read.get() or _read_only.get()


current_tenant = LocalProxy(get_current_tenant)


# Called whenever the scope changes: ``scoping.install`` adds the one that re-sends the signed
# scope to PostgreSQL (RLS) if a transaction is already open. Kept as a hook so that this module,
# which scoping builds on, does not import it back.
_scope_listeners: list = []


def on_scope_change(listener) -> None:
    """Call ``listener()`` after every change of tenant or door scope (once per listener)."""
    if listener not in _scope_listeners:
        _scope_listeners.append(listener)


def _sync_database():
    for listener in _scope_listeners:
        listener()


def set_request_tenant(tenant) -> None:
    """Make ``tenant`` the tenant of the current request (URL resolution calls this once)."""
    g.tenant = tenant
    g.tenant_id = tenant.id
    _sync_database()


@contextmanager
def tenant_context(tenant):
    """Act for ``tenant`` (a Tenant row) inside the block: for jobs, CLI commands and tests."""
    token = _tenant.set((tenant, tenant.id))
    _sync_database()
    try:
        yield tenant
        _flush_pending()  # rows made in this tenant are written while it is still in context
    finally:
        _tenant.reset(token)
        _sync_database()


def _flush_pending() -> None:
    from tenant_app.extensions import db

    try:
        session = db.session()
    except RuntimeError:  # no app context
        return
    if session.new or session.dirty or session.deleted:
        session.flush()


@contextmanager
def _cross_tenant_read_scope():
    """Lift tenant scoping for reads only. Private: the one caller is ``tenancy.door``."""
    token = _cross_tenant_read.set(True)
    _sync_database()
    try:
        yield
    finally:
        _cross_tenant_read.reset(token)
        _sync_database()


@contextmanager
def _read_only_scope():
    """Refuse writes to tenant tables inside the block. Private: only ``tenancy.door`` calls it."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)
