"""Start-up checks: the app's PostgreSQL role cannot bypass row-level security, and its scope key
is the database's."""

from __future__ import annotations

import logging

from tenant_app.tenancy.rls import (
    ScopeKeyMismatch,
    UnsafeDatabaseRole,
    check_app_role,
    check_scope_key,
    scope_key,
)

log = logging.getLogger(__name__)


def init_app(app) -> None:
    """On PostgreSQL, refuse to start in production (warn otherwise) if RLS could be bypassed or
    the database holds another scope key (every tenant table would read as empty)."""
    from tenant_app.extensions import db
    from tenant_app.tenancy import scoping

    scoping.install()

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    if app.config.get("KPI_SKIP_ROLE_CHECK"):
        return
    with app.app_context(), db.engine.connect() as connection:
        try:
            check_app_role(connection)
            check_scope_key(connection, scope_key(app.config["KPI_RLS_KEY"]))
        except (UnsafeDatabaseRole, ScopeKeyMismatch):
            if app.config["KPI_ENV"] == "production":
                raise
            log.warning("unsafe database role", exc_info=True)
