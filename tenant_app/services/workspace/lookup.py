"""By-id and by-code lookups of the tenant in context, shared by the workspace services."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.workspace import fields
from tenant_app.tenancy.context import current_tenant_id


def get_scoped(model, object_id, message: str):
    """Return the row of ``model`` with ``object_id`` in the tenant in context, else NotFound."""
    tid = current_tenant_id()
    try:
        key = fields.ident(object_id, "id", "id")
    except ServiceError:
        key = None
    row = db.session.get(model, (tid, key)) if tid is not None and key is not None else None
    if row is None:
        raise NotFound("not_found", message)
    return row


def by_code(model, code: str):
    """Return the row of ``model`` with ``code`` in the tenant in context, or None."""
    return db.session.execute(sa.select(model).where(model.code == code)).scalar_one_or_none()


def check_unique_code(model, code: str, own_id, message: str) -> None:
    """Raise Conflict (field ``code``) if another row of ``model`` already uses ``code``."""
    other = by_code(model, code)
    if other is not None and other.id != own_id:
        raise Conflict("duplicate_code", message, "code")
