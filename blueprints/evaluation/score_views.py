"""Scores, explained line by line; the history of past periods; the unit's published results."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, jsonify, render_template
from flask_login import current_user

from blueprints.evaluation.common import bp, or_404, own_staff, own_staff_id, selected_period
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import indicators, periods, score_access, scores, unit_ratings

# The display helpers live in services.evaluation.score_display (the PDF forms use them too);
# they stay importable from here for the other view modules.
from tenant_app.services.evaluation.score_display import (  # noqa: F401
    explain,
    grade_label,
    stage_history,
    summary,
)
from tenant_app.services.workspace import staff
from tenant_app.web import live_polled, page_cached


def _score_of(period, person) -> PeriodScore | None:
    if period is None:
        return None
    return db.session.execute(
        sa.select(PeriodScore).where(
            PeriodScore.period_id == period.id, PeriodScore.staff_id == person.id
        )
    ).scalar_one_or_none()


def _history(person) -> list:
    return db.session.execute(
        sa.select(Period, PeriodScore)
        .join(PeriodScore, tenant_join(PeriodScore.period_id, Period.id))
        .where(PeriodScore.staff_id == person.id)
        .order_by(Period.starts_on.desc())
    ).all()


def _indicators(person, period) -> list:
    """The person's position indicators in ``period`` (value, target, score), for the page."""
    if period is None:
        return []
    post = staff.assignment_at(person.id, period.ends_on)
    lines, _mean = indicators.person_indicators(
        period, person, None if post is None else post.position_id
    )
    return lines


def _context(person, period) -> dict:
    score = _score_of(period, person)
    return {
        "indicator_lines": _indicators(person, period),
        "person": person,
        "period": period,
        "score": score,
        "figures": summary(score, period),
        "lines": explain(score, period) if score is not None else [],
        "stages": stage_history(score, period, person) if period is not None else [],
        "history": [(p, summary(s, p)) for p, s in _history(person)],
    }


def person_or_403(staff_id: str) -> StaffMember:
    """The staff record ``staff_id`` if the user is that person or directs them; else 404/403
    (``score_access.reads_in_full``: the rule the scores API applies too)."""
    person = or_404(staff.get_staff, staff_id)
    if not score_access.reads_in_full(current_user, person):
        abort(403)
    return person


@bp.get("/my/score")
@tenant_user_required()
@page_cached(person=own_staff_id)
def my_score():
    me = own_staff()
    period = selected_period()
    if me is None:
        return render_template("evaluation/score.html", person=None, period=period, mine=True)
    return render_template("evaluation/score.html", mine=True, **_context(me, period))


@bp.get("/scores/<staff_id>")
@tenant_user_required()
@page_cached(person=lambda staff_id: staff_id)
def person_score(staff_id: str):
    person = person_or_403(staff_id)
    return render_template(
        "evaluation/score.html",
        mine=person.user_id == current_user.id,
        **_context(person, selected_period()),
    )


@bp.get("/scores/<staff_id>/live")
@tenant_user_required()
@live_polled(person=lambda staff_id: staff_id)
def person_score_live(staff_id: str):
    person = person_or_403(staff_id)
    context = _context(person, selected_period())
    score = context["score"]
    return jsonify(
        version=score.computed_at.isoformat() if score is not None else None,
        values=context["figures"] | {"grade": context["figures"].get("grade_label", "—")}
        if score is not None
        else {},
        html={"score": render_template("evaluation/_score_body.html", **context)},
    )


@bp.get("/results")
@tenant_user_required()
def results():
    """The unit's published results of a period (every account of the unit may read them)."""
    published = [p for p in periods.list_periods() if p.published_at is not None]
    period = selected_period()
    if period is not None and period.published_at is None:
        period = published[0] if published else None
    rows = []
    if period is not None:
        rows = scores.with_people([period.id])
    return render_template(
        "evaluation/results.html",
        period=period,
        published=published,
        rows=[(person, summary(score, period)) for score, person in rows],
        unit_rating=unit_ratings.shown_beside(period),
    )
