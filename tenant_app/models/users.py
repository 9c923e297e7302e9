"""Accounts: province users (their own table) and tenant users (a tenant table), with API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow

TENANT_ROLES = ("unit_admin", "manager", "staff")
PROVINCE_ROLES = ("province_admin", "auditor")
ROLE_LABELS = {
    "unit_admin": _l("Quản trị đơn vị"),
    "manager": _l("Lãnh đạo, quản lý"),
    "staff": _l("Cán bộ, công chức"),
    "province_admin": _l("Quản trị cấp tỉnh"),
    "auditor": _l("Kiểm tra, giám sát"),
}
# A duty a province administrator grants on a province account, on top of its role.
HEAD_REVIEWER_LABEL = _l("Cấp có thẩm quyền đánh giá người đứng đầu")


class _AccountColumns:
    """Columns every account has: identity, password, lockout and the session epoch."""

    username: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    job_title: Mapped[str | None] = mapped_column(sa.String(160))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Bumped on password change and disable: sessions carrying an older epoch end.
    session_epoch: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def role_labels(self) -> list[str]:
        return [str(ROLE_LABELS[r]) for r in self.role_list]


class ProvinceUser(_AccountColumns, UserMixin, db.Model):
    """A province administrator or auditor; belongs to no tenant."""

    __tablename__ = "province_users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    # Granted by a province administrator: the auditor also sees results not yet published.
    sees_unpublished: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    # Granted by a province administrator: the competent higher level that assesses (manager
    # stage) and approves the results of each unit's head, through ``tenancy.door``.
    head_reviewer: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )

    __table_args__ = (
        sa.UniqueConstraint("username"),
        sa.CheckConstraint("role in ('province_admin', 'auditor')", name="role_known"),
    )

    is_province = True
    tenant_id = None

    @property
    def role_list(self) -> list[str]:
        return [self.role]

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def get_id(self) -> str:
        return f"p:{self.id}:{self.session_epoch}"


class User(_AccountColumns, UserMixin, TenantScoped, db.Model):
    """An account of one tenant: unit administrator, manager and/or staff member."""

    __tablename__ = "users"
    # A sign-in writes these; no cached page shows them (the users' list is not cached).
    __revision_neutral__ = frozenset(
        {"last_login_at", "failed_logins", "locked_until", "password_hash"}
    )

    roles: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    # Set only on a break-glass account of the province: after it the account cannot be used.
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "username"),)

    is_province = False

    @property
    def is_active(self) -> bool:  # Flask-Login; also what login, sessions and tokens check
        return bool(self.active) and not self.expired_at(utcnow())

    def expired_at(self, now: datetime) -> bool:
        """Whether a time-limited (break-glass) account has expired at ``now``."""
        return self.expires_at is not None and self.expires_at <= now

    @property
    def role_list(self) -> list[str]:
        return [r for r in TENANT_ROLES if r in (self.roles or [])]

    def has_role(self, *roles: str) -> bool:
        return any(r in (self.roles or []) for r in roles)

    def get_id(self) -> str:
        return f"t:{self.tenant_id}:{self.id}:{self.session_epoch}"


class _TokenColumns:
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="api")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ApiToken(_TokenColumns, TenantScoped, db.Model):
    """A bearer token of a tenant user; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    user: Mapped[User] = db.relationship(
        User,
        primaryjoin="and_(User.tenant_id == ApiToken.tenant_id, "
        "User.id == foreign(ApiToken.user_id))",
        lazy="joined",
        viewonly=True,
    )

    __table_args__ = (
        tenant_fk(["user_id"], "users"),
        sa.UniqueConstraint("tenant_id", "token_hash"),
    )


class ProvinceApiToken(_TokenColumns, db.Model):
    """A bearer token of a province user; only its SHA-256 is stored."""

    __tablename__ = "province_api_tokens"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    province_user_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("province_users.id"), nullable=False
    )
    user: Mapped[ProvinceUser] = db.relationship(ProvinceUser, lazy="joined")

    __table_args__ = (sa.UniqueConstraint("token_hash"),)


class _SessionColumns:
    """A signed-in browser session: the cookie carries a random id, only its SHA-256 is stored.

    Alive until logout (``ended_at``), its absolute end (``expires_at``) or ``idle`` without use;
    a password change or a disabled account ends it too.
    """

    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    def alive(self, now: datetime, idle) -> bool:
        """Whether the session may still be used at ``now`` (``idle``: a timedelta)."""
        return self.ended_at is None and self.expires_at > now and now - self.last_seen_at <= idle


class LoginSession(_SessionColumns, TenantScoped, db.Model):
    """A browser session of a tenant user (see ``_SessionColumns``)."""

    __tablename__ = "login_sessions"
    __revision_neutral__ = frozenset({"*"})  # touched every minute; read by no cached page

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)

    __table_args__ = (
        tenant_fk(["user_id"], "users"),
        sa.UniqueConstraint("tenant_id", "token_hash"),
        sa.Index("ix_login_sessions_tenant_id_user_id", "tenant_id", "user_id"),
    )


class ProvinceLoginSession(_SessionColumns, db.Model):
    """A browser session of a province user (see ``_SessionColumns``)."""

    __tablename__ = "province_login_sessions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    province_user_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("province_users.id"), nullable=False
    )

    __table_args__ = (
        sa.UniqueConstraint("token_hash"),
        sa.Index("ix_province_login_sessions_province_user_id", "province_user_id"),
    )


class _ThrottleColumns:
    """Failed sign-ins for one (username, source address) pair, known account or not."""

    username: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    failures: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)


class LoginThrottle(_ThrottleColumns, TenantScoped, db.Model):
    """Sign-in failures in one tenant, per username and source address."""

    __tablename__ = "login_throttles"
    __revision_neutral__ = frozenset({"*"})

    __table_args__ = (sa.UniqueConstraint("tenant_id", "username", "address"),)


class ProvinceLoginThrottle(_ThrottleColumns, db.Model):
    """Sign-in failures at ``/admin`` and for province tokens, per username and source address."""

    __tablename__ = "province_login_throttles"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)

    __table_args__ = (sa.UniqueConstraint("username", "address"),)
