"""ORM auto-scoping: SELECT/UPDATE/DELETE filtered to the tenant, INSERT stamped.

Layer two of three (the tenant column, this, PostgreSQL RLS). PostgreSQL learns the tenant through a
transaction-local setting (``kpi.tenant_id``, with ``kpi.cross_tenant`` for the door) signed with
the RLS scope key (``kpi.scope_sig``, see ``rls``): the policies trust no setting without it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped
from tenant_app.tenancy import rls
from tenant_app.tenancy.context import (
    CrossTenantWrite,
    NoTenantContext,
    cross_tenant_read_active,
    current_tenant_id,
    on_scope_change,
    read_only_active,
)


def _scope() -> tuple[int | None, bool]:
    """The scope the transaction claims: (tenant id or None, cross-tenant read)."""
    return current_tenant_id(), cross_tenant_read_active()


def _scope_key() -> bytes:
    return rls.scope_key(current_app.config["KPI_RLS_KEY"])


def _is_postgres(connection) -> bool:
    return connection.dialect.name == "postgresql"


def _send_scope(connection) -> None:
    tenant_id, cross = _scope()
    rls.set_signed_scope(connection, _scope_key(), tenant_id, cross)


def _set_rls_settings(session, transaction, connection):
    if _is_postgres(connection):
        _send_scope(connection)


def apply_settings_to_open_transaction() -> None:
    """Re-send the signed scope when the context changes inside an open transaction."""
    try:
        session = db.session()
    except RuntimeError:  # no app context: nothing open
        return
    if not session.in_transaction():
        return
    for connection in _open_connections(session):
        if _is_postgres(connection):
            _send_scope(connection)


def _open_connections(session):
    transaction = session.get_transaction()
    if transaction is None:
        return []
    # SQLAlchemy files each connection under its engine and under itself: one entry per
    # connection, or the scope is signed twice (two needless round trips per scope change).
    unique = {id(conn): conn for conn, *_ in transaction._connections.values()}
    return list(unique.values())


def _scope_statements(state):
    if state.is_column_load or state.is_relationship_load:
        return  # the criteria of the parent statement propagate to these loads
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_select and cross_tenant_read_active():
        return
    tid = current_tenant_id()
    if tid is None:
        criteria = with_loader_criteria(TenantScoped, lambda cls: sa.false(), include_aliases=True)
    else:
        criteria = with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tid, include_aliases=True
        )
    state.statement = state.statement.options(criteria)


def _stamp_on_init(target, args, kwargs):
    if kwargs.get("tenant_id") is None:
        tid = current_tenant_id()
        if tid is not None:
            target.tenant_id = tid


def _guard_writes(session, flush_context, instances):
    changed = [
        (obj, kind)
        for kind, objs in (
            ("new", session.new),
            ("dirty", session.dirty),
            ("deleted", session.deleted),
        )
        for obj in objs
        if isinstance(obj, TenantScoped)
    ]
    if not changed:
        return
    if read_only_active():
        raise CrossTenantWrite("the cross-tenant door is read-only")
    tid = current_tenant_id()
    for obj, kind in changed:
        if tid is None:
            raise NoTenantContext(f"{type(obj).__name__} written with no tenant in context")
        if kind == "new" and obj.tenant_id is None:
            obj.tenant_id = tid
        if obj.tenant_id != tid:
            raise CrossTenantWrite(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in tenant {tid}"
            )
        if kind == "dirty":
            history = sa.inspect(obj).attrs.tenant_id.history
            if history.deleted and history.deleted[0] not in (None, tid):
                raise CrossTenantWrite(f"{type(obj).__name__} moved between tenants")


_SESSION_HOOKS = (
    ("after_begin", _set_rls_settings),
    ("do_orm_execute", _scope_statements),
    ("before_flush", _guard_writes),
)


def install() -> None:
    """Register the scoping hooks (``tenancy.startup.init_app`` calls it; idempotent)."""
    for name, hook in _SESSION_HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
    if not event.contains(TenantScoped, "init", _stamp_on_init):
        event.listen(TenantScoped, "init", _stamp_on_init, propagate=True)
    on_scope_change(apply_settings_to_open_transaction)
