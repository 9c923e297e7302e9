"""Tenancy: the ambient tenant, ORM auto-scoping, PostgreSQL RLS and URL resolution."""

from tenant_app.tenancy.context import (
    CrossTenantWrite,
    NoTenantContext,
    current_tenant,
    current_tenant_id,
    tenant_context,
)

__all__ = [
    "CrossTenantWrite",
    "NoTenantContext",
    "current_tenant",
    "current_tenant_id",
    "tenant_context",
]
