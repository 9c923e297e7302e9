"""Helpers of the workspace screens: id parsing with 404, select choices, paging."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.org import JobPosition
from tenant_app.models.staff import StaffMember
from tenant_app.models.users import User
from tenant_app.services.workspace import org
from tenant_app.web import or_404  # noqa: F401  (the views import it from here)

PAGE_SIZE = 50


def unit_choices(*, empty: str | None = "—") -> list[tuple[str, str]]:
    choices = [("", empty)] if empty is not None else []
    return choices + [(str(u.id), "\u2003" * depth + u.name) for u, depth in org.tree()]


def position_choices(*, empty: str | None = None) -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(JobPosition).where(JobPosition.active.is_(True)).order_by(JobPosition.code)
    ).scalars()
    choices = [("", empty)] if empty is not None else []
    return choices + [(str(p.id), f"{p.code} – {p.name}") for p in rows]


def staff_choices(*, exclude=None) -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(StaffMember)
        .where(StaffMember.end_date.is_(None))
        .order_by(StaffMember.full_name, StaffMember.code)
    ).scalars()
    return [("", "—")] + [(str(s.id), f"{s.full_name} ({s.code})") for s in rows if s.id != exclude]


def user_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(User).order_by(User.full_name)).scalars()
    return [("", "—")] + [(str(u.id), f"{u.full_name} ({u.username})") for u in rows]


def paged(stmt, page: int) -> tuple[list, int, int]:
    """Return (rows of ``page``, number of pages, total rows)."""
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    rows = list(db.session.execute(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars())
    return rows, max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), total
