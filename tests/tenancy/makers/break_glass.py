"""Row makers of the break-glass record (a province administrator's time-limited account)."""

from __future__ import annotations

from datetime import timedelta

from tenant_app.extensions import db
from tenant_app.models import BreakGlassGrant
from tenant_app.models.base import utcnow
from tenant_app.tenancy import tenant_context


def _grant(factory, tenant, tag):
    user = factory.user(tenant, f"bg.{tag}", ("unit_admin",))
    with tenant_context(tenant):
        row = BreakGlassGrant(
            user_id=user.id,
            reason=f"Khắc phục sự cố {tag} theo đề nghị của đơn vị",
            granted_by="tinh.admin",
            expires_at=utcnow() + timedelta(hours=4),
        )
        db.session.add(row)
        db.session.commit()
    return row


MAKERS = {"break_glass_grants": (_grant, "reason")}
