"""The evaluation blueprint and what its views share: 404 lookups, the selected period, who
manages whom, notification links, the Vietnamese number filters of the templates."""

from __future__ import annotations

import json
import uuid
from fractions import Fraction
from typing import NamedTuple

import sqlalchemy as sa
from flask import Blueprint, abort, g, request, url_for
from flask_login import current_user

from scoring.numbers import round_fraction
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.services.evaluation import assignments, periods
from tenant_app.services.evaluation.score_display import number, short, total_text
from tenant_app.services.workspace import staff
from tenant_app.tenancy.resolve import make_tenant_blueprint
from tenant_app.web import form_error, or_404, shared_cached  # noqa: F401  (views import them)

bp = make_tenant_blueprint(Blueprint("evaluation", __name__, url_prefix="/t/<tenant_slug>"))

# Symbolic notification targets (tenant_app.services.workspace.notifications.LINKS) → endpoints.
LINK_ENDPOINTS = {
    "work": "evaluation.my_work",
    "review": "evaluation.review",
    "scores": "evaluation.my_score",
    "assessment": "evaluation.my_work",
    "approval": "evaluation.approval",
    "periods": "evaluation.periods_list",
}


def selected_period(*, required: bool = True):
    """The period named by ``?period=<id>`` (404 if not the tenant's), else the current one."""
    pid = request.values.get("period")
    if pid:
        return or_404(periods.get_period, pid)
    period = periods.current_period()
    if period is None:
        rows = periods.list_periods()
        period = rows[0] if rows else None
    return period


def own_staff():
    """The staff record of the signed-in account (cached per request), or None."""
    if "own_staff" not in g:
        g.own_staff = staff.staff_for_user(current_user)
    return g.own_staff


def own_staff_id(**_view_args):
    """The id of the signed-in account's staff record, or None (``page_cached(person=…)``)."""
    me = own_staff()
    return None if me is None else me.id


def managed_people(user) -> list[StaffMember]:
    """Active people ``user`` directs (assignments.can_manage), themselves excluded, by name.

    Unit administrators direct everyone; managers their direct reports and their units' people.
    """
    return managed_people_and_posts(user)[0]


def managed_people_and_posts(user) -> tuple[list[StaffMember], dict]:
    """``managed_people(user)`` and {staff id: current post} of those people, loaded once."""
    rows = (
        db.session.execute(
            sa.select(StaffMember)
            .where(StaffMember.end_date.is_(None))
            .order_by(StaffMember.full_name, StaffMember.code)
        )
        .scalars()
        .all()
    )
    me = staff.staff_for_user(user)
    return _directed(
        rows,
        None if me is None else me.id,
        user,
        staff.current_assignments,
        lambda: staff.managed_unit_ids(user),
    )


def managed_people_rows(user) -> list:
    """``managed_people(user)`` as plain rows (``id``, ``code``, ``full_name``, ``manager_id``,
    ``org_unit_id`` of the current post), by the same rule: what a manager's live dashboard reads
    on each changed poll, in two queries and without an entity per person."""
    found = db.session.execute(
        sa.select(
            StaffMember.id,
            StaffMember.code,
            StaffMember.full_name,
            StaffMember.manager_id,
            StaffMember.user_id,
            StaffMember.end_date,
            StaffAssignment.org_unit_id,
        )
        .outerjoin(
            StaffAssignment,
            tenant_join(
                StaffAssignment.staff_id, StaffMember.id, StaffAssignment.effective_to.is_(None)
            ),
        )
        .where(sa.or_(StaffMember.end_date.is_(None), StaffMember.user_id == user.id))
        .order_by(StaffMember.full_name, StaffMember.code)
    ).all()
    me = next((p for p in found if p.user_id == user.id), None)
    rows = list({p.id: p for p in found if p.end_date is None}.values())
    posts = {p.id: p for p in rows if p.org_unit_id is not None}
    me_id = None if me is None else me.id
    return _directed(
        rows,
        me_id,
        user,
        lambda ids: {i: posts[i] for i in ids if i in posts},
        lambda: staff.units_directed(me_id, None if me is None else me.org_unit_id),
    )[0]


class TeamMember(NamedTuple):
    id: uuid.UUID
    code: str
    full_name: str


def managed_team(user) -> list[TeamMember]:
    """``managed_people_rows(user)`` as (id, code, full_name), kept while the unit's shared
    revision stays (``web.shared_cached``: who directs whom changes only with shared rows, the
    people, their posts, the units and the accounts' roles), so a live dashboard's changed poll
    reads no staff rows."""
    text = shared_cached(
        "managed-team",
        lambda: json.dumps(
            [[str(p.id), p.code, p.full_name] for p in managed_people_rows(user)],
            ensure_ascii=False,
        ),
        (str(user.id),),
    )
    return [TeamMember(uuid.UUID(i), code, name) for i, code, name in json.loads(text)]


def _directed(rows, me_id, user, posts_of, units_of) -> tuple[list, dict]:
    """Of ``rows`` (the active people by name, entities or plain rows), those ``user`` directs,
    themselves (``me_id``) excluded, and {staff id: current post} of them (``posts_of(ids)``;
    ``units_of()``: the units ``user`` sees, ``staff.managed_unit_ids``)."""
    rows = [p for p in rows if me_id is None or p.id != me_id]
    if user.has_role("unit_admin"):
        return rows, posts_of([p.id for p in rows])
    if not user.has_role("manager") or me_id is None:
        return [], {}
    units = units_of()
    posts = posts_of([p.id for p in rows])
    people = [
        p
        for p in rows
        if p.manager_id == me_id or (p.id in posts and posts[p.id].org_unit_id in units)
    ]
    return people, {p.id: posts[p.id] for p in people if p.id in posts}


def require_manages(person: StaffMember) -> None:
    if not assignments.can_manage(current_user, person):
        abort(403)


def link_url(link: str | None) -> str:
    """The URL of a notification's link: ``target[:period id[:anchor]]`` (notifications.LINKS)."""
    target, _sep, rest = (link or "").partition(":")
    endpoint = LINK_ENDPOINTS.get(target)
    if not endpoint:
        return url_for("evaluation.notifications")
    period, _sep, anchor = rest.partition(":")
    url = url_for(endpoint, period=period) if period else url_for(endpoint)
    return f"{url}#{anchor}" if anchor else url


@bp.app_template_filter("exact_number")
def _exact_number(value, places: int = 2) -> str:
    """An exact rational (an indicator's value or score) as people read it, rounded once here."""
    if isinstance(value, Fraction):
        value = round_fraction(value, places)
    return number(value, places)


@bp.app_template_filter("score_total")
def _score_total(score) -> str:
    return total_text(score)


@bp.app_template_filter("qty")
def _qty(value) -> str:
    return short(value)


@bp.app_context_processor
def _evaluation_helpers():
    def unread_notifications() -> int:
        from tenant_app.services.workspace import notifications

        user = current_user
        if not user.is_authenticated or getattr(user, "is_province", True):
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = notifications.unread_count(user.id)
        return g.unread_notifications

    def is_head() -> bool:
        from tenant_app.services.evaluation import assessments

        user = current_user
        if not user.is_authenticated or getattr(user, "is_province", True):
            return False
        if "is_head" not in g:
            g.is_head = assessments.is_head_of_agency(user)
        return g.is_head

    return {"unread_notifications": unread_notifications, "is_head_of_agency": is_head}
