"""The evaluation blueprint and what its views share: 404 lookups, the selected period, who
manages whom, notification links, the Vietnamese number filters of the templates."""

from __future__ import annotations

from fractions import Fraction

import sqlalchemy as sa
from flask import Blueprint, abort, g, request, url_for
from flask_login import current_user

from scoring.numbers import round_fraction
from tenant_app.extensions import db
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assignments, periods
from tenant_app.services.evaluation.score_display import number, short, total_text
from tenant_app.services.workspace import staff
from tenant_app.tenancy.resolve import make_tenant_blueprint
from tenant_app.web import form_error, or_404  # noqa: F401  (the views import them from here)

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
    rows = [p for p in rows if me is None or p.id != me.id]
    if user.has_role("unit_admin"):
        return rows, staff.current_assignments([p.id for p in rows])
    if not user.has_role("manager") or me is None:
        return [], {}
    units = staff.managed_unit_ids(user)
    posts = staff.current_assignments([p.id for p in rows])
    people = [
        p
        for p in rows
        if p.manager_id == me.id or (p.id in posts and posts[p.id].org_unit_id in units)
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
