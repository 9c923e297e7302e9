"""Whether a unit may leave onboarding: the one rule the wizard, the unit page and the API share.

A unit is ready with an active unit administrator and an applied configuration. Kept apart from
``onboarding`` (which moves units through the wizard and imports ``tenants``) so that
``tenants.set_status`` can apply the rule without an import cycle.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant
from tenant_app.models.users import User
from tenant_app.services.errors import ServiceError
from tenant_app.services.rollout import templates
from tenant_app.tenancy.context import tenant_context


def admin_count(tenant: Tenant) -> int:
    """Active unit administrators of ``tenant``."""
    with tenant_context(tenant):
        return sum(
            1
            for roles in db.session.execute(
                sa.select(User.roles).where(User.active.is_(True))
            ).scalars()
            if "unit_admin" in (roles or [])
        )


def missing_for_activation(tenant: Tenant) -> list[str]:
    """What the unit still lacks before it may leave onboarding (empty when ready)."""
    missing = []
    if admin_count(tenant) == 0:
        missing.append(_("chưa có quản trị đơn vị"))
    if templates.latest_config(tenant) is None:
        missing.append(_("chưa áp dụng phiên bản cấu hình"))
    return missing


def require_ready(tenant: Tenant) -> None:
    """Raise ServiceError (409) listing what is missing unless the unit may be activated."""
    missing = missing_for_activation(tenant)
    if missing:
        raise ServiceError(
            "not_ready",
            _("Chưa thể đưa đơn vị vào hoạt động: %(what)s.", what="; ".join(missing)),
            status=409,
        )
