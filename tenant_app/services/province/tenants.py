"""Tenant lifecycle for the province: create units, first administrators, status."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.tenants import SLUG_PATTERN, Tenant, TenantKind, TenantStatus
from tenant_app.models.users import User
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.province import break_glass, readiness
from tenant_app.services.workspace import accounts
from tenant_app.tenancy.context import tenant_context

# Which status changes the province may make (archived is final: data kept read-only).
TRANSITIONS = {
    TenantStatus.ONBOARDING: {TenantStatus.PILOT, TenantStatus.ACTIVE, TenantStatus.ARCHIVED},
    TenantStatus.PILOT: {TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED},
    TenantStatus.ACTIVE: {TenantStatus.PILOT, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED},
    TenantStatus.SUSPENDED: {TenantStatus.PILOT, TenantStatus.ACTIVE, TenantStatus.ARCHIVED},
    TenantStatus.ARCHIVED: set(),
}


def _snapshot(tenant: Tenant) -> dict:
    return {"slug": tenant.slug, "name": tenant.name, "kind": tenant.kind, "status": tenant.status}


def list_tenants(*, q: str = "", status: str = "") -> list[Tenant]:
    """The province's units by name; ``q`` matches the name or the slug (any case), ``status``
    one status (an unknown one is ignored)."""
    stmt = sa.select(Tenant).order_by(Tenant.name)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(Tenant.name).like(like), Tenant.slug.like(like)))
    if status in {s.value for s in TenantStatus}:
        stmt = stmt.where(Tenant.status == status)
    return list(db.session.execute(stmt).scalars())


def get_by_slug(slug: str) -> Tenant:
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise NotFound("not_found", _("Không tìm thấy đơn vị."))
    return tenant


def change_settings(tenant: Tenant, updates: dict, *, event: str, before, after, actor) -> None:
    """Merge ``updates`` into ``tenant``'s settings and record ``event`` on the province chain
    (``before`` / ``after`` as the setting reads, the unit's slug added). The caller commits."""
    tenant.settings = {**(tenant.settings or {}), **updates}
    audit.record(
        event,
        object_type="tenant",
        object_id=tenant.id,
        before=before,
        after={**after, "tenant": tenant.slug},
        actor=actor,
        province=True,
    )


def get_serving(slug: str) -> Tenant:
    """The unit ``slug`` if its status serves users (pilot or active); NotFound otherwise."""
    tenant = get_by_slug(slug)
    if not tenant.status_enum.serves_users:
        raise NotFound("not_found", _("Không tìm thấy đơn vị."))
    return tenant


def list_serving() -> list[Tenant]:
    """The units whose status serves users."""
    return [t for t in list_tenants() if t.status_enum.serves_users]


def create_tenant(*, slug: str, name: str, kind: str, actor=None) -> Tenant:
    """Create a unit in status onboarding. Raises Conflict if the slug was ever used."""
    slug = (slug or "").strip().lower()
    if not re.match(SLUG_PATTERN, slug):
        raise ServiceError(
            "invalid_slug",
            _("Mã đơn vị chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang."),
            field="slug",
        )
    if kind not in {k.value for k in TenantKind}:
        raise ServiceError("invalid_kind", _("Loại đơn vị không hợp lệ."), field="kind")
    exists = db.session.execute(sa.select(Tenant.id).where(Tenant.slug == slug)).first()
    if exists:
        raise Conflict(
            "duplicate_slug", _("Mã đơn vị đã được dùng (kể cả đơn vị đã lưu trữ)."), field="slug"
        )
    tenant = Tenant(
        slug=slug, name=name.strip(), kind=kind, status=TenantStatus.ONBOARDING.value, settings={}
    )
    db.session.add(tenant)
    db.session.flush()
    audit.record(
        "tenant.created",
        object_type="tenant",
        object_id=tenant.id,
        after=_snapshot(tenant),
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    return tenant


def set_status(tenant: Tenant, status: str, *, actor=None) -> Tenant:
    """Move ``tenant`` to ``status`` if the lifecycle allows it; raises ServiceError otherwise."""
    try:
        target = TenantStatus(status)
    except ValueError:
        raise ServiceError(
            "invalid_status", _("Trạng thái không hợp lệ."), field="status"
        ) from None
    current = tenant.status_enum
    if target == current:
        return tenant
    if target not in TRANSITIONS[current]:
        raise ServiceError(
            "invalid_transition",
            _(
                "Không thể chuyển đơn vị từ trạng thái “%(a)s” sang “%(b)s”.",
                a=current.label,
                b=target.label,
            ),
            field="status",
        )
    if current == TenantStatus.ONBOARDING and target in (TenantStatus.PILOT, TenantStatus.ACTIVE):
        readiness.require_ready(tenant)  # the wizard's rule, whichever page or API asks
    before = _snapshot(tenant)
    tenant.status = target.value
    audit.record(
        "tenant.status_changed",
        object_type="tenant",
        object_id=tenant.id,
        before=before,
        after=_snapshot(tenant),
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    return tenant


def create_first_admin(
    tenant: Tenant,
    *,
    username: str,
    full_name: str,
    email=None,
    actor=None,
    reason=None,
    hours=None,
    confirmed=False,
) -> tuple[User, str]:
    """Create a unit administrator inside ``tenant``; returns (user, temporary password).

    A unit being set up gets a plain administrator. In a live unit (pilot, active, suspended) the
    province may only break the glass: ``reason``, ``hours`` until the account expires and
    ``confirmed`` are required (see ``break_glass.grant``). Raises ServiceError naming the field.
    """
    if tenant.status_enum is TenantStatus.ARCHIVED:
        raise ServiceError("archived", _("Đơn vị đã lưu trữ, không thể thêm tài khoản."))
    if break_glass.is_live(tenant):
        return break_glass.grant(
            tenant,
            username=username,
            full_name=full_name,
            email=email,
            reason=reason,
            hours=hours,
            confirmed=confirmed,
            actor=actor,
        )
    with tenant_context(tenant):
        user, password = accounts.create_user(
            username=username, full_name=full_name, email=email, roles=["unit_admin"]
        )
    audit.record(
        "tenant.admin_created",
        object_type="user",
        object_id=user.id,
        after={"username": user.username},
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    return user, password


def staff_count(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()
