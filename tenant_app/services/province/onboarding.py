"""Onboarding a new unit: where it stands, its first administrator (invitation link or printed
password), the initial configuration, the staff import, and activation.

The wizard's progress is derived from the unit's own state (an administrator exists, a
configuration is applied, staff records exist) plus ``tenant.settings["onboarding"]`` for what
the state cannot tell: pending invitations (only a SHA-256 of each link token is kept), the staff
import in progress, and "staff import skipped". A unit stays in status onboarding until
``activate``, which refuses while it has no administrator or no applied configuration.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.org import JobPosition
from tenant_app.models.staff import StaffMember
from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.models.users import User
from tenant_app.security.passwords import hash_password
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.files import import_registry, imports
from tenant_app.services.province import readiness, tenants
from tenant_app.services.rollout import templates
from tenant_app.services.workspace import accounts, authentication
from tenant_app.tenancy.context import tenant_context

INVITATION_LIFETIME = timedelta(hours=72)
STAFF_IMPORT_KINDS = ("org_units", "staff", "users")  # in the order a unit would load them
STEPS = ("unit", "admin", "config", "staff", "activate")


@dataclass(frozen=True)
class Progress:
    """Where a unit being onboarded stands; ``next_step`` is the first step not done."""

    has_admin: bool
    config_version_id: int | None
    staff_count: int
    staff_skipped: bool
    status: str

    @property
    def has_config(self) -> bool:
        return self.config_version_id is not None

    @property
    def staff_done(self) -> bool:
        return self.staff_count > 0 or self.staff_skipped

    @property
    def ready(self) -> bool:
        return self.has_admin and self.has_config

    @property
    def done(self) -> dict[str, bool]:
        return {
            "unit": True,
            "admin": self.has_admin,
            "config": self.has_config,
            "staff": self.staff_done,
            "activate": self.status != TenantStatus.ONBOARDING.value,
        }

    @property
    def next_step(self) -> str:
        return next((s for s in STEPS if not self.done[s]), "activate")


def _state(tenant: Tenant) -> dict:
    return dict((tenant.settings or {}).get("onboarding") or {})


def _save_state(tenant: Tenant, state: dict) -> None:
    # JSON columns do not track in-place changes: assign a new dict.
    tenant.settings = {**(tenant.settings or {}), "onboarding": state}


def progress_from(tenant: Tenant, *, admins: int, config_version_id, staff: int) -> Progress:
    """Progress from counts already read (the list page reads them for many units at once)."""
    return Progress(
        has_admin=admins > 0,
        config_version_id=config_version_id,
        staff_count=staff,
        staff_skipped=bool(_state(tenant).get("staff_skipped")),
        status=tenant.status,
    )


def progress(tenant: Tenant) -> Progress:
    """Read the unit's state (inside its own tenant context) and return its progress."""
    config = templates.latest_config(tenant)
    admins = readiness.admin_count(tenant)
    with tenant_context(tenant):
        staff = db.session.execute(sa.select(sa.func.count()).select_from(StaffMember)).scalar_one()
    return progress_from(
        tenant,
        admins=admins,
        config_version_id=config.version_id if config else None,
        staff=staff,
    )


def onboarding_tenants() -> list[Tenant]:
    """Units still being onboarded, oldest first (the list to resume from)."""
    return list(
        db.session.execute(
            sa.select(Tenant)
            .where(Tenant.status == TenantStatus.ONBOARDING.value)
            .order_by(Tenant.created_at, Tenant.id)
        ).scalars()
    )


def require_onboarding(tenant: Tenant) -> None:
    if tenant.status != TenantStatus.ONBOARDING.value:
        raise Conflict(
            "not_onboarding",
            _("Đơn vị %(name)s không còn ở trạng thái đang thiết lập.", name=tenant.name),
        )


# --- step 2: the first administrator


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_admin(tenant: Tenant, *, username: str, full_name: str, email=None, actor=None):
    """Create a unit administrator who sets their own password through a one-time link.

    Returns (user, token): the link is ``/t/<slug>/invitation/<token>``, valid 72 hours, usable
    once; only the token's SHA-256 is stored. Until then the account has an unknown random
    password. The caller commits.
    """
    require_onboarding(tenant)
    user, _password = tenants.create_first_admin(
        tenant, username=username, full_name=full_name, email=email, actor=actor
    )
    token = secrets.token_urlsafe(32)
    state = _state(tenant)
    expires = utcnow() + INVITATION_LIFETIME
    state["invitations"] = [
        *(state.get("invitations") or []),
        {
            "hash": _digest(token),
            "user_id": str(user.id),
            "username": user.username,
            "expires_at": expires.isoformat(),
            "used_at": None,
        },
    ]
    _save_state(tenant, state)
    audit.record(
        "tenant.admin_invited",
        object_type="user",
        object_id=user.id,
        after={"username": user.username, "expires_at": expires},
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    return user, token


def _invitation(tenant: Tenant, token: str) -> dict:
    digest = _digest(token or "")
    for invitation in _state(tenant).get("invitations") or []:
        if secrets.compare_digest(invitation["hash"], digest):
            return invitation
    raise NotFound("invitation_invalid", _("Liên kết mời không hợp lệ."))


def check_invitation(tenant: Tenant, token: str, now: datetime | None = None) -> dict:
    """Return the pending invitation of ``token``; NotFound if unknown, ServiceError (410) if
    used or expired."""
    invitation = _invitation(tenant, token)
    now = now or utcnow()
    if invitation.get("used_at"):
        raise ServiceError(
            "invitation_used", _("Liên kết mời đã được sử dụng. Hãy đăng nhập."), status=410
        )
    if datetime.fromisoformat(invitation["expires_at"]) <= now:
        raise ServiceError(
            "invitation_expired",
            _("Liên kết mời đã hết hạn (72 giờ). Hãy đề nghị cấp tỉnh gửi lại."),
            status=410,
        )
    return invitation


def accept_invitation(tenant: Tenant, token: str, password: str, now=None) -> User:
    """Set the invited administrator's password once (tenant in context). The caller commits."""
    invitation = check_invitation(tenant, token, now)
    authentication.check_new_password(password, field="password")
    user = accounts.get_user(uuid.UUID(invitation["user_id"]))
    user.password_hash = hash_password(password)
    user.must_change_password = False
    authentication.end_sessions(user)
    state = _state(tenant)
    state["invitations"] = [
        {**i, "used_at": utcnow().isoformat()} if i["hash"] == invitation["hash"] else i
        for i in state.get("invitations") or []
    ]
    _save_state(tenant, state)
    audit.record("account.invitation_accepted", object_type="user", object_id=user.id, actor=user)
    return user


def printed_password_admin(tenant: Tenant, *, username, full_name, email=None, actor=None):
    """Create the administrator with a temporary password to print; returns (user, password)."""
    require_onboarding(tenant)
    return tenants.create_first_admin(
        tenant, username=username, full_name=full_name, email=email, actor=actor
    )


# --- step 3: the configuration


def apply_version(tenant: Tenant, version, *, actor=None):
    """Apply a published version to the unit being onboarded (no local state yet)."""
    require_onboarding(tenant)
    return templates.apply_initial(tenant, version, actor=actor)


# --- step 4: staff


def staff_import_kinds() -> list:
    """The import kinds the wizard offers, in loading order (those registered)."""
    available = import_registry.import_kinds()
    return [available[k] for k in STAFF_IMPORT_KINDS if k in available]


def sample_rows(tenant: Tenant, kind: str) -> tuple[dict, ...] | None:
    """The example rows of the wizard's sample file of ``kind`` for this unit, or None for the
    kind's own. The samples load unchanged one after the other: the staff sample uses the org
    units of the org-units sample and the unit's own position codes (from its applied
    configuration); the accounts sample belongs to the people of the staff sample."""
    if kind == "users":
        people = import_registry.get_import_kind("staff").examples
        return tuple(
            {**row, "staff_code": person["code"]}
            for row, person in zip(
                import_registry.get_import_kind("users").examples, people, strict=False
            )
        )
    if kind != "staff":
        return None
    examples = import_registry.get_import_kind("staff").examples
    with tenant_context(tenant):
        positions = db.session.execute(
            sa.select(JobPosition.code, JobPosition.position_group)
            .where(JobPosition.active.is_(True))
            .order_by(JobPosition.code)
        ).all()
    if not positions:
        return None
    leaders = [code for code, group in positions if group.startswith("leader")]
    others = [code for code, group in positions if not group.startswith("leader")]
    first = (leaders or others)[0]
    second = (others or leaders)[0]
    return tuple(
        {**row, "position_code": code} for row, code in zip(examples, (first, second), strict=False)
    )


def start_staff_import(tenant: Tenant, kind: str, filename: str, data: bytes):
    """Start an import of ``kind`` into the unit (validation first); returns its job run id."""
    require_onboarding(tenant)
    if kind not in {k.name for k in staff_import_kinds()}:
        raise NotFound("unknown_kind", _("Không có loại dữ liệu nhập này."))
    with tenant_context(tenant):
        run = imports.start_import(kind, filename, data, user=None)
        run_id = str(run.id)
    state = _state(tenant)
    state["imports"] = [*(state.get("imports") or []), run_id]
    _save_state(tenant, state)
    return run_id


def staff_imports(tenant: Tenant) -> list[dict]:
    """The wizard's imports of the unit, newest first, as ``imports.as_dict``."""
    result = []
    with tenant_context(tenant):
        for run_id in reversed(_state(tenant).get("imports") or []):
            try:
                result.append(imports.as_dict(imports.get_import(run_id)))
            except NotFound:
                continue
    return result


def commit_staff_import(tenant: Tenant, run_id: str):
    """Write a validated, clean import of the unit (all rows or none)."""
    require_onboarding(tenant)
    if run_id not in (_state(tenant).get("imports") or []):
        raise NotFound("not_found", _("Không tìm thấy lượt nhập dữ liệu."))
    with tenant_context(tenant):
        imports.request_commit(imports.get_import(run_id), user=None)


def invite_imported_accounts(tenant: Tenant, run_id: str, *, actor=None) -> list[dict]:
    """Issue a one-time set-password link for each account created by the wizard's committed
    import ``run_id`` and not yet invited; returns [{"user": User, "token": str}].

    The tokens are returned once (only their SHA-256 is kept), like the first administrator's
    invitation: the accounts' own passwords are random and never shown. The caller commits.
    """
    require_onboarding(tenant)
    if run_id not in (_state(tenant).get("imports") or []):
        raise NotFound("not_found", _("Không tìm thấy lượt nhập dữ liệu."))
    with tenant_context(tenant):
        run = imports.get_import(run_id)
        if imports.state(run) != "committed" or run.params.get("kind") != "users":
            raise Conflict("not_committed", _("Chỉ mời được tài khoản của lượt nhập đã ghi."))
        state = _state(tenant)
        invited = {i["user_id"] for i in state.get("invitations") or []}
        users = [
            accounts.get_user(uuid.UUID(uid))
            for uid in (run.result or {}).get("user_ids") or []
            if uid not in invited
        ]
    expires = utcnow() + INVITATION_LIFETIME
    issued = []
    for user in users:
        token = secrets.token_urlsafe(32)
        state["invitations"] = [
            *(state.get("invitations") or []),
            {
                "hash": _digest(token),
                "user_id": str(user.id),
                "username": user.username,
                "expires_at": expires.isoformat(),
                "used_at": None,
            },
        ]
        issued.append({"user": user, "token": token})
    _save_state(tenant, state)
    if issued:
        audit.record(
            "tenant.accounts_invited",
            object_type="tenant",
            object_id=tenant.id,
            after={"usernames": [i["user"].username for i in issued], "expires_at": expires},
            actor=actor,
            province=True,
            subject_tenant_id=tenant.id,
        )
    return issued


def invitable_imports(tenant: Tenant) -> set[str]:
    """Ids of the wizard's committed account imports with accounts not yet invited."""
    state = _state(tenant)
    invited = {i["user_id"] for i in state.get("invitations") or []}
    result = set()
    with tenant_context(tenant):
        for run_id in state.get("imports") or []:
            try:
                run = imports.get_import(run_id)
            except NotFound:
                continue
            ids = (run.result or {}).get("user_ids") or []
            if run.params.get("kind") == "users" and set(ids) - invited:
                result.add(run_id)
    return result


def skip_staff(tenant: Tenant, *, actor=None) -> None:
    """Go on without importing staff now (the unit administrator can import later)."""
    require_onboarding(tenant)
    state = _state(tenant)
    state["staff_skipped"] = True
    _save_state(tenant, state)


# --- step 5: activation


missing_for_activation = readiness.missing_for_activation
require_ready = readiness.require_ready


def activate(tenant: Tenant, status: str, *, actor=None) -> Tenant:
    """Move the unit from onboarding to ``status`` (pilot or active) once it has an administrator
    and an applied configuration; ServiceError saying what is missing otherwise."""
    require_onboarding(tenant)
    if status not in (TenantStatus.PILOT.value, TenantStatus.ACTIVE.value):
        raise ServiceError(
            "invalid_status", _("Chỉ chuyển sang thí điểm hoặc hoạt động."), "status"
        )
    return tenants.set_status(tenant, status, actor=actor)  # checks require_ready
