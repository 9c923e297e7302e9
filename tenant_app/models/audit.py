"""Audit events: append-only, one hash chain per tenant and one for the province."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, utcnow


class _EventColumns:
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    actor_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    actor_id: Mapped[str | None] = mapped_column(sa.String(64))
    actor_name: Mapped[str | None] = mapped_column(sa.String(120))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class AuditEvent(_EventColumns, TenantScoped, db.Model):
    """An event inside one tenant (logins, account and configuration changes, …)."""

    __tablename__ = "audit_events"
    __revision_neutral__ = frozenset({"*"})  # read by no cached page (``tenancy.revisions``)
    __table_args__ = (sa.UniqueConstraint("tenant_id", "seq"),)


class ProvinceAuditEvent(_EventColumns, db.Model):
    """A province-level event: province logins, tenant changes, every cross-tenant read."""

    __tablename__ = "province_audit_events"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    subject_tenant_id: Mapped[int | None] = mapped_column(sa.Integer, sa.ForeignKey("tenants.id"))

    __table_args__ = (sa.UniqueConstraint("seq"),)
