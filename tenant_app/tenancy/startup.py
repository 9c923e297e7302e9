"""Start-up check that the app's PostgreSQL role cannot bypass row-level security."""

from __future__ import annotations

import logging

from tenant_app.tenancy.rls import UnsafeDatabaseRole, check_app_role

log = logging.getLogger(__name__)


def init_app(app) -> None:
    """On PostgreSQL, refuse to start in production (warn otherwise) if RLS could be bypassed."""
    from tenant_app.extensions import db
    from tenant_app.tenancy import scoping  # noqa: F401  (registers the ORM scoping hooks)

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    if app.config.get("KPI_SKIP_ROLE_CHECK"):
        return
    with app.app_context(), db.engine.connect() as connection:
        try:
            check_app_role(connection)
        except UnsafeDatabaseRole:
            if app.config["KPI_ENV"] == "production":
                raise
            log.warning("unsafe database role", exc_info=True)
