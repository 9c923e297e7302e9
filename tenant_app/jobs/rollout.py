"""Rollout jobs (queue ``rollout``): one tenant's dry run, apply or rollback per job.

Each runs in the tenant's context; the work is in ``services.rollout_tenant`` (module doc there:
one transaction per tenant, idempotent, safe to retry after a worker died).
"""

from __future__ import annotations

from tenant_app.services.rollout import rollout_tenant


def dry_run_tenant(tenant_id: int, rollout_id: int) -> dict:
    """Store the tenant's diff and conflicts on its rollout target; the tenant is not written."""
    return rollout_tenant.dry_run_target(rollout_id)


def apply_tenant(tenant_id: int, rollout_id: int) -> dict:
    """Apply the rollout's version to the tenant, all or nothing; a done target is not redone."""
    return rollout_tenant.apply_target(rollout_id)


def rollback_tenant(tenant_id: int, config_id: str, effective: str, actor: str | None) -> dict:
    """Return the tenant to the configuration before ``config_id``; done once."""
    return rollout_tenant.rollback_current(config_id, effective, actor)
