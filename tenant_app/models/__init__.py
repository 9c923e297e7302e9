"""ORM models, one module per aggregate; importing this package registers them all."""

from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.base import TenantScoped
from tenant_app.models.tenants import Tenant, TenantKind, TenantStatus
from tenant_app.models.users import ApiToken, ProvinceApiToken, ProvinceUser, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "ProvinceApiToken",
    "ProvinceAuditEvent",
    "ProvinceUser",
    "Tenant",
    "TenantKind",
    "TenantScoped",
    "TenantStatus",
    "User",
]
