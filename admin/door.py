"""The single cross-tenant door: read-only access to every tenant, for province roles, audited.

Nothing else in the code base may lift tenant scoping (a test greps for it).
"""

from __future__ import annotations

from contextlib import contextmanager

from flask_login import current_user

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.tenancy.context import _cross_tenant_read_scope, _read_only_scope, tenant_context

DOOR_ROLES = ("province_admin", "auditor")


class DoorRefused(PermissionError):
    """Someone without a province role tried to read across tenants."""


def _check_and_record(actor, purpose: str, tenants) -> None:
    if (
        not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "is_province", False)
        or not actor.has_role(*DOOR_ROLES)
    ):
        raise DoorRefused("cross-tenant reads are for province roles only")
    audit.record(
        "cross_tenant.read",
        object_type="province",
        after={"purpose": purpose, "tenants": tenants},
        actor=actor,
        province=True,
    )
    db.session.commit()


@contextmanager
def read_one_tenant(tenant, purpose: str, *, actor=None):
    """Read one unit inside the block as if acting for it (ordinary scoping), writes refused.

    For drill-downs: the unit's own services (explained scores, forms) run unchanged and can see
    nothing of any other unit. Same checks and audit event as ``cross_tenant_read``.
    """
    actor = actor if actor is not None else current_user
    _check_and_record(actor, purpose, [tenant.id])
    with tenant_context(tenant), _read_only_scope():
        yield tenant


@contextmanager
def cross_tenant_read(purpose: str, *, actor=None, tenant_ids=None):
    """Read across tenants inside the block; writes to tenant tables are refused meanwhile.

    Records an audit event (province chain) naming the actor, the purpose and the tenants.
    Raises DoorRefused unless the actor is a province administrator or auditor.
    """
    actor = actor if actor is not None else current_user
    _check_and_record(actor, purpose, sorted(tenant_ids) if tenant_ids else "all")
    with _cross_tenant_read_scope():
        yield
