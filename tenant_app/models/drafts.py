"""Form drafts: what a user typed into a form whose save arrived after their session had expired.

Kept on the server (not in the cookie: size and privacy) in a tenant table, for the account the
expired session belonged to and the browser that sent it (the cookie holds a random key, the
table its SHA-256). Claimed once, by that account after it signs in again; discarded unclaimed
after ``services.workspace.drafts.KEEP``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow


class FormDraft(TenantScoped, db.Model):
    """The fields of one form post (name → values), the page to return to and the form's URL."""

    __tablename__ = "form_drafts"

    @staticmethod
    def __revision_owner__(obj, identity_map):
        return "user", obj.user_id, "user_id"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    key_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    page: Mapped[str] = mapped_column(sa.String(2048), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(2048), nullable=False)
    fields: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["user_id"], "users", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "key_hash"),
        sa.Index("ix_form_drafts_tenant_id_user_id", "tenant_id", "user_id"),
    )
