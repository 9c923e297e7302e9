"""Row-level security keyed on a signed scope the app role cannot forge; RLS on rollout_targets.

Before: the policies trusted ``kpi.tenant_id`` / ``kpi.cross_tenant``, settings the app role can
write, so SQL injected through the app could widen its own scope. After: a scope counts only with
``kpi.scope_sig``, an HMAC (key in ``kpi_private.rls_key``, unreadable by the app role) bound to
the backend and the transaction, checked by SECURITY DEFINER functions. Every tenant table's
policies are re-created on them; ``rollout_targets`` gets policies of its own (tenants see their
rows, the province sees all) and ``kpi_rollout_unfinished()`` for a tenant's job that closes a
rollout.

Revision ID: 0012_rls_signed_scope
Revises: 0011_break_glass
Create Date: 2026-12-04 04:30:00
"""

from alembic import op

from tenant_app.tenancy import rls
from tenant_app.tenancy.migration_ops import (
    enable_province_target_rls,
    grant_app_execute,
    install_signed_scope,
    recreate_tenant_policies,
    remove_signed_scope,
    rls_tables,
)

revision = "0012_rls_signed_scope"
down_revision = "0011_break_glass"
branch_labels = None
depends_on = None

_UNFINISHED = "kpi_rollout_unfinished(integer)"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    install_signed_scope()
    recreate_tenant_policies(rls_tables(), signed=True)
    enable_province_target_rls("rollout_targets")
    # How many targets of a rollout are unfinished, across tenants: a tenant's rollout job reads
    # it to close the rollout, and sees no other row of another tenant.
    op.execute(
        f"CREATE FUNCTION {_UNFINISHED} RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER "
        "SET search_path = pg_catalog, pg_temp AS $$ "
        f"SELECT count(*) FROM {_schema()}.rollout_targets t WHERE t.rollout_id = $1 "
        "AND t.status IN ('pending', 'running') "
        f"AND {rls.KEY_SCHEMA}.verified_claim() IS NOT NULL $$"
    )
    grant_app_execute(_UNFINISHED)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {_UNFINISHED}")
    for statement in rls.disable_statements("rollout_targets"):
        op.execute(statement)
    recreate_tenant_policies(rls_tables(), signed=False)
    remove_signed_scope()


def _schema() -> str:
    return op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
