"""Shared pieces of the workspace API: SQL pagination and who may read what."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from tenant_app.auth import api_token_required
from tenant_app.extensions import db

read_access = api_token_required("unit_admin", "manager")
write_access = api_token_required("unit_admin")


def page(stmt, pagination_parameters) -> list:
    """Run ``stmt`` for one page; sets the total for the X-Pagination header."""
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery()))
    pagination_parameters.item_count = total.scalar_one()
    return list(
        db.session.execute(
            stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
        ).scalars()
    )


def is_admin() -> bool:
    return g.api_user.has_role("unit_admin")


def like(text: str) -> str:
    return f"%{text.lower()}%"
