"""Whose evaluation data an API caller may read: their own, their people's, or everyone's."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _

from tenant_app.auth import api_token_required
from tenant_app.extensions import db
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.services.errors import NotFound
from tenant_app.services.workspace import staff

any_user = api_token_required()
managers = api_token_required("unit_admin", "manager")
admins = api_token_required("unit_admin")
SECURITY = [{"bearer": []}]


def visible_staff_ids(user=None) -> set[uuid.UUID] | None:
    """``None`` for a unit administrator (everyone); otherwise the caller's own staff id, plus,
    for a manager, their direct reports and everyone posted in the units they manage."""
    user = user or g.api_user
    if user.has_role("unit_admin"):
        return None
    own = staff.staff_for_user(user)
    ids: set[uuid.UUID] = set() if own is None else {own.id}
    if user.has_role("manager") and own is not None:
        ids |= set(
            db.session.execute(
                sa.select(StaffMember.id).where(StaffMember.manager_id == own.id)
            ).scalars()
        )
        units = staff.managed_unit_ids(user)
        if units:
            ids |= set(
                db.session.execute(
                    sa.select(StaffAssignment.staff_id).where(
                        StaffAssignment.effective_to.is_(None),
                        StaffAssignment.org_unit_id.in_(list(units)),
                    )
                ).scalars()
            )
    return ids


def limit_to_visible(stmt, column):
    """Add ``column IN (visible people)`` to ``stmt`` unless the caller sees everyone."""
    ids = visible_staff_ids()
    return stmt if ids is None else stmt.where(column.in_(list(ids)))


def ensure_visible(staff_id, message: str | None = None) -> None:
    """404 (as for another tenant's row) when the caller may not read ``staff_id``'s data."""
    ids = visible_staff_ids()
    if ids is not None and staff_id not in ids:
        raise NotFound("not_found", message or _("Không tìm thấy dữ liệu yêu cầu."))
