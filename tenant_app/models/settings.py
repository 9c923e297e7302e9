"""Settings of the province kept in the database, editable on the province console.

One row per key (``identity``: the province's name, its authority, the place printed on forms,
the seal or logo), the value a JSON object. A province table: no tenant owns it, every page
reads it (the page title), only a province administrator changes it (audited on the province
chain by the service that writes it).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import utcnow


class ProvinceSetting(db.Model):
    """One setting of the province: ``key`` and its JSON ``value``, who changed it last, when."""

    __tablename__ = "province_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(sa.Integer, sa.ForeignKey("province_users.id"))
