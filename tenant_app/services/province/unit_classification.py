"""Whether a unit is a public service unit (đơn vị sự nghiệp công lập), set by the province.

Two tenant settings (kept outside the configuration templates, so a rollout leaves them):
``public_service_unit`` (bool) and ``head_capped_by_unit`` (bool, default true: the head of a
public service unit is not rated above the unit, decree on public employees 2026, art. 12(7)).
"""

from __future__ import annotations

from tenant_app.models.tenants import Tenant
from tenant_app.services.evaluation.unit_ratings import HEAD_CAPPED_BY_UNIT, PUBLIC_SERVICE_UNIT
from tenant_app.services.province import tenants


def classification(tenant: Tenant) -> dict:
    """``{"public_service_unit": bool, "head_capped_by_unit": bool}`` of ``tenant``."""
    settings = tenant.settings or {}
    return {
        PUBLIC_SERVICE_UNIT: bool(settings.get(PUBLIC_SERVICE_UNIT)),
        HEAD_CAPPED_BY_UNIT: settings.get(HEAD_CAPPED_BY_UNIT) is not False,
    }


def set_classification(
    tenant: Tenant, *, public_service_unit: bool, head_capped_by_unit: bool = True, actor=None
) -> Tenant:
    """Record whether ``tenant`` is a public service unit and whether its head is capped by the
    unit's rating; audited on the province chain. The caller commits.

    Periods already scored are re-scored when next computed (the head's stored inputs record
    the cap, so their digest changes).
    """
    before = classification(tenant)
    after = {
        PUBLIC_SERVICE_UNIT: bool(public_service_unit),
        HEAD_CAPPED_BY_UNIT: bool(head_capped_by_unit),
    }
    if before == after:
        return tenant
    tenants.change_settings(
        tenant,
        after,
        event="tenant.unit_classification_changed",
        before=before,
        after=after,
        actor=actor,
    )
    return tenant
