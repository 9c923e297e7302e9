"""Break-glass: a province administrator's time-limited unit administrator inside a live unit.

Owns the rules of the action (a reason, a bounded expiry, an explicit confirmation), its record
(``BreakGlassGrant``), the notice to the unit's own administrators and the audit events in both
the province chain and the unit's chain. Login, every request's user load and every API token
refuse the account once ``users.expires_at`` has passed (``User.is_active``); ``expire_due``
also marks such accounts disabled.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join, utcnow
from tenant_app.models.break_glass import BreakGlassGrant
from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.models.users import User
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.workspace import accounts, authentication, notifications
from tenant_app.tenancy.context import tenant_context

REASON_MIN = 20
REASON_MAX = 1000
HOURS_MIN = 1
HOURS_MAX = 72
# Only a unit still being set up has no users of its own whose data the province could reach.
SETUP_STATUSES = frozenset({TenantStatus.ONBOARDING})


def is_live(tenant: Tenant) -> bool:
    """Whether creating an administrator in ``tenant`` is a break-glass action (not set-up)."""
    return tenant.status_enum not in SETUP_STATUSES


def check_request(reason, hours, confirmed) -> tuple[str, int]:
    """Validate a break-glass request; returns (reason, hours) or raises ServiceError naming the
    field (``reason``, ``hours`` or ``confirm``)."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ServiceError(
            "reason_required",
            _("Lý do truy cập khẩn cấp phải có ít nhất %(n)d ký tự.", n=REASON_MIN),
            field="reason",
        )
    if len(reason) > REASON_MAX:
        raise ServiceError(
            "reason_too_long",
            _("Lý do truy cập khẩn cấp không được quá %(n)d ký tự.", n=REASON_MAX),
            field="reason",
        )
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not HOURS_MIN <= hours <= HOURS_MAX:
        raise ServiceError(
            "hours_out_of_range",
            _("Thời hạn phải từ %(low)d đến %(high)d giờ.", low=HOURS_MIN, high=HOURS_MAX),
            field="hours",
        )
    if confirmed is not True:
        raise ServiceError(
            "confirmation_required",
            _("Cần xác nhận đây là truy cập khẩn cấp vào đơn vị đang hoạt động."),
            field="confirm",
        )
    return reason, hours


def _unit_admins(exclude) -> list[User]:
    """Active unit administrators of the tenant in context, other than ``exclude``."""
    users = db.session.execute(sa.select(User).where(User.active.is_(True))).scalars()
    return [u for u in users if u.has_role("unit_admin") and u.id != exclude and u.is_active]


def _notify_admins(row: BreakGlassGrant, message: str, dedupe: str) -> None:
    for admin in _unit_admins(exclude=row.user_id):
        notifications.notify_user(admin.id, "break_glass", message, dedupe=dedupe)


def _snapshot(row: BreakGlassGrant, user: User) -> dict:
    return {
        "username": user.username,
        "reason": row.reason,
        "expires_at": row.expires_at,
        "granted_by": row.granted_by,
        "ended_at": row.ended_at,
        "ended_by": row.ended_by,
    }


def _record_both(tenant: Tenant, action: str, row, user, actor, before=None) -> None:
    """The same fact in the unit's chain (the unit sees it) and the province chain."""
    after = _snapshot(row, user)
    audit.record(
        f"break_glass.{action}",
        object_type="user",
        object_id=user.id,
        before=before,
        after=after,
        actor=actor,
    )
    audit.record(
        f"tenant.break_glass_{action}",
        object_type="user",
        object_id=user.id,
        before=before,
        after=after,
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )


def grant(
    tenant: Tenant, *, username, full_name, email=None, reason, hours, confirmed, actor
) -> tuple[User, str]:
    """Create a unit administrator in live ``tenant`` that expires after ``hours``.

    Validates the request (``check_request``), records the grant, notifies the unit's
    administrators and audits in both chains. Returns (user, temporary password); the caller
    commits. Raises ServiceError (field named) on a bad request or a taken username.
    """
    reason, hours = check_request(reason, hours, confirmed)
    granted_by = getattr(actor, "username", None) or "province"
    with tenant_context(tenant):
        user, password = accounts.create_user(
            username=username, full_name=full_name, email=email, roles=["unit_admin"]
        )
        user.expires_at = utcnow() + timedelta(hours=hours)
        row = BreakGlassGrant(
            user_id=user.id, reason=reason, granted_by=granted_by, expires_at=user.expires_at
        )
        db.session.add(row)
        db.session.flush()
        _notify_admins(
            row,
            _(
                "Cấp tỉnh (%(by)s) đã tạo tài khoản quản trị khẩn cấp “%(username)s” trong đơn "
                "vị, hiệu lực đến %(until)s. Lý do: %(reason)s",
                by=granted_by,
                username=user.username,
                until=format_datetime(row.expires_at, "HH:mm dd/MM/yyyy"),
                reason=reason,
            ),
            dedupe=f"break_glass:{row.id}:granted",
        )
        _record_both(tenant, "granted", row, user, actor)
    return user, password


def open_grants(tenant: Tenant) -> list[dict]:
    """The unit's break-glass accounts still usable now, soonest expiry first (plain dicts).

    Reads ``tenant``'s rows by explicit predicate: call it inside ``tenant_context(tenant)`` or,
    from the province console, inside the audited cross-tenant door.
    """
    now = utcnow()
    rows = db.session.execute(
        sa.select(BreakGlassGrant, User)
        .join(User, tenant_join(User.id, BreakGlassGrant.user_id))
        .where(
            BreakGlassGrant.tenant_id == tenant.id,
            BreakGlassGrant.ended_at.is_(None),
            BreakGlassGrant.expires_at > now,
        )
        .order_by(BreakGlassGrant.expires_at)
    ).all()
    return [
        {
            "id": row.id,
            "username": user.username,
            "full_name": user.full_name,
            "reason": row.reason,
            "granted_by": row.granted_by,
            "created_at": row.created_at,
            "expires_at": row.expires_at,
        }
        for row, user in rows
    ]


def _close(row: BreakGlassGrant, user: User, *, at, by) -> dict:
    """Close ``row`` at ``at``: the account is disabled and its sessions and tokens end."""
    before = _snapshot(row, user)
    row.ended_at = at
    row.ended_by = by
    user.expires_at = min(user.expires_at or at, at)
    user.active = False
    authentication.end_sessions(user)
    return before


def end(tenant: Tenant, grant_id, *, actor) -> User:
    """End an open break-glass grant of ``tenant`` early; audited in both chains and the unit's
    administrators told. Raises NotFound for an unknown, other unit's or already closed grant.
    The caller commits."""
    try:
        grant_id = uuid.UUID(str(grant_id))
    except ValueError:
        grant_id = None
    ended_by = getattr(actor, "username", None) or "province"
    with tenant_context(tenant):
        row = db.session.get(BreakGlassGrant, (tenant.id, grant_id)) if grant_id else None
        if row is None or not row.open_at(utcnow()):
            raise NotFound(
                "not_found", _("Không tìm thấy tài khoản truy cập khẩn cấp còn hiệu lực.")
            )
        user = db.session.get(User, (tenant.id, row.user_id))
        before = _close(row, user, at=utcnow(), by=ended_by)
        _notify_admins(
            row,
            _(
                "Cấp tỉnh (%(by)s) đã kết thúc sớm tài khoản quản trị khẩn cấp “%(username)s”.",
                by=ended_by,
                username=user.username,
            ),
            dedupe=f"break_glass:{row.id}:ended",
        )
        _record_both(tenant, "ended", row, user, actor, before=before)
    return user


def expire_due(now=None) -> int:
    """In the tenant in context: disable break-glass accounts whose expiry has passed and close
    their grants (audited in the unit's chain). Returns how many. The caller commits."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(BreakGlassGrant, User)
        .join(User, User.id == BreakGlassGrant.user_id)
        .where(BreakGlassGrant.ended_at.is_(None), User.expires_at <= now)
        .order_by(User.expires_at)
    ).all()
    for row, user in rows:
        # The account's own expiry is the one login and requests obey.
        before = _close(row, user, at=user.expires_at, by=None)
        audit.record(
            "break_glass.expired",
            object_type="user",
            object_id=user.id,
            before=before,
            after=_snapshot(row, user),
        )
    return len(rows)
