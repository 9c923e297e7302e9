"""Audit test helpers: record an event in a unit; lift the database guards as a tamperer must."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.tenancy import tenant_context

GUARDED = ("audit_events", "province_audit_events")


def record_in(tenant, action, **kwargs):
    """Record one event in ``tenant``'s chain and commit it."""
    with tenant_context(tenant):
        audit.record(action, **kwargs)
        db.session.commit()


@contextmanager
def unguarded(owner_url: str):
    """Yield an owner connection (one transaction) in which the audit triggers are off.

    PostgreSQL: the triggers are disabled and re-enabled in the same transaction. SQLite: they
    are dropped and recreated from their stored definitions.
    """
    owner = sa.create_engine(owner_url)
    try:
        with owner.begin() as conn:
            if conn.dialect.name == "postgresql":
                for table in GUARDED:
                    conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
                yield conn
                for table in GUARDED:
                    conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            else:
                triggers = conn.execute(
                    sa.text(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                        "AND tbl_name IN ('audit_events', 'province_audit_events')"
                    )
                ).all()
                for name, _sql in triggers:
                    conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
                yield conn
                for _name, sql in triggers:
                    conn.execute(sa.text(sql))
    finally:
        owner.dispose()
