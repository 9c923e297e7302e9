"""Audit guards: the database itself refuses UPDATE, DELETE and TRUNCATE of audit events.

Grants already keep the app role to SELECT and INSERT; these triggers also stop the table owner
(a migration, a console session) unless someone drops the trigger first, which is itself visible.
The DDL is written out here, not imported, so that this revision never changes after release.

Revision ID: 0005_audit_guards
Revises: 0004_evaluation
Create Date: 2026-11-27
"""

from alembic import op

revision = "0005_audit_guards"
down_revision = "0004_evaluation"
branch_labels = None
depends_on = None

TABLES = ("audit_events", "province_audit_events")
FUNCTION = "kpi_refuse_audit_change"
MESSAGE = "audit events are append-only"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _postgres():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    else:
        # SQLite has no TRUNCATE; its "DELETE without WHERE" shortcut is off when a trigger exists.
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {event} on {table} refused'); END"
                )


def downgrade():
    if _postgres():
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    else:
        for table in TABLES:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
