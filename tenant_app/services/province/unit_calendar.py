"""A unit's automatic calendar set by the province on the unit's page (*Lịch tự động của đơn vị*).

The same ``Tenant.settings["calendar"]`` keys the template's ``schedule.calendar`` rolls out
(``payload_format.CALENDAR_DEFAULTS``; read by ``services.evaluation.lateness``). ``Tenant`` is a
province table, so this writes the unit's row directly, as ``unit_classification`` does, and
records it on the province chain. For a rollout the province's choice is the unit's local value:
a version leaving the calendar alone keeps it; one changing the same setting otherwise conflicts.
"""

from __future__ import annotations

from flask_babel import gettext as _

from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import tenants
from tenant_app.services.rollout.payload_format import CALENDAR_KEYS, calendar_settings


def calendar(tenant: Tenant) -> dict:
    """The calendar ``tenant`` works with: its own settings over the defaults."""
    return calendar_settings((tenant.settings or {}).get("calendar"))


def set_calendar(tenant: Tenant, data: dict, *, actor=None) -> Tenant:
    """Set ``tenant``'s calendar to ``data`` (the four keys, validated by
    ``schemas.templates.UnitCalendarSchema``); audited on the province chain with before and
    after. The caller commits. Raises ServiceError 409 for an archived unit."""
    if tenant.status == TenantStatus.ARCHIVED.value:
        raise ServiceError(
            "unit_archived", _("Đơn vị %(name)s đã lưu trữ.", name=tenant.name), status=409
        )
    before = calendar(tenant)
    after = calendar_settings({key: data[key] for key in CALENDAR_KEYS if key in data})
    if after == before and "calendar" in (tenant.settings or {}):
        return tenant
    tenants.change_settings(
        tenant,
        {"calendar": after},
        event="tenant.calendar_changed",
        before=before,
        after=after,
        actor=actor,
    )
    return tenant
