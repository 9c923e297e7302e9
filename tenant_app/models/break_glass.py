"""Break-glass grants: a province administrator's time-limited account inside a live unit.

The account itself (``users.expires_at``) is what login and every request check; this row is the
record of the action: who opened it, why, until when, and who closed it early.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow


class BreakGlassGrant(TenantScoped, db.Model):
    """One break-glass unit administrator account: reason, expiry, who granted and who ended it."""

    __tablename__ = "break_glass_grants"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(1000), nullable=False)
    # The province user is named, not linked: the unit's record must outlive province accounts.
    granted_by: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    ended_by: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["user_id"], "users"),
        sa.UniqueConstraint("tenant_id", "user_id"),
    )

    def open_at(self, now: datetime) -> bool:
        """Whether the grant still gives access at ``now`` (not ended, not expired)."""
        return self.ended_at is None and self.expires_at > now
