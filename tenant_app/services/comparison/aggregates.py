"""Rebuild one unit's comparison figures (``PeriodAggregate``, ``ItemAggregate``) for a scope.

Runs in the unit's own context (a job on the ``scoring`` queue). A change to a period marks it in
the session; after the commit one refresh job per period is enqueued, which rebuilds the month,
its quarter and its year, each in two versions: ``published`` (published or locked periods only)
and ``all``. Figures are sums and counts: see ``models.comparison``.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from scoring import (
    Grade,
    grade_for_total,
    quota_allowed,
)
from tenant_app import background
from tenant_app.background import SCORING, paths
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.comparison import ItemAggregate, PeriodAggregate
from tenant_app.models.evaluation import (
    AnnualClassification,
    Assignment,
    Period,
    PeriodScore,
    Report,
)
from tenant_app.models.staff import StaffMember
from tenant_app.models.users import User
from tenant_app.models.vocabulary import AnnualStatus, AssessmentStage, PeriodStatus, ReportStatus
from tenant_app.services.audit import audit_log
from tenant_app.services.comparison import aggregate_items
from tenant_app.services.evaluation.period_params import params_of

log = logging.getLogger(__name__)
REVIEWED_STAGES = (AssessmentStage.MANAGER, AssessmentStage.DEPUTY, AssessmentStage.LEADER)
HUNDRED = Decimal(100)


def visible(period: Period) -> bool:
    """Auditors see a period's results once they are published or the period is locked."""
    return period.published_at is not None or period.status == PeriodStatus.LOCKED


def scopes_of(period: Period) -> list[tuple[str, str]]:
    """The scopes a period counts in: itself, its quarter (for a month) and its year."""
    year = str(period.year)
    if period.kind == "month":
        quarter = f"{period.year}-Q{(period.number - 1) // 3 + 1}"
        return [(period.code, "month"), (quarter, "quarter"), (year, "year")]
    return [(period.code, "quarter"), (year, "year")]


def scope_kind(scope: str) -> str:
    if "-Q" in scope:
        return "quarter"
    return "month" if "-" in scope else "year"


def periods_in(scope: str) -> list[Period]:
    """The unit's periods counted in ``scope`` (a month, quarter or year code)."""
    kind = scope_kind(scope)
    stmt = sa.select(Period)
    if kind == "month":
        stmt = stmt.where(Period.code == scope)
    elif kind == "quarter":
        year, number = int(scope[:4]), int(scope[-1])
        months = range(3 * number - 2, 3 * number + 1)
        stmt = stmt.where(
            Period.year == year,
            sa.or_(
                sa.and_(Period.kind == "quarter", Period.number == number),
                sa.and_(Period.kind == "month", Period.number.in_(months)),
            ),
        )
    else:
        stmt = stmt.where(Period.year == int(scope))
    return list(db.session.execute(stmt.order_by(Period.starts_on)).scalars())


# --- marking and enqueueing ---------------------------------------------------------------


def mark_changed(period: Period) -> None:
    """Note that ``period``'s figures changed; they are rebuilt after the session commits.

    One refresh per period and commit; a refresh already waiting in Redis absorbs this one.
    """
    background.after_commit(
        db.session(),
        SCORING,
        paths.COMPARISON_REFRESH_PERIOD,
        period.tenant_id,
        str(period.id),
        job_id=f"kpi-aggregates-{period.tenant_id}-{period.id}",
        absorb=True,
    )


def mark_year_changed(year: int) -> None:
    """The yearly classification changed: rebuild the year (through its latest period)."""
    latest = db.session.execute(
        sa.select(Period).where(Period.year == year).order_by(Period.starts_on.desc()).limit(1)
    ).scalar()
    if latest is not None:
        mark_changed(latest)


# --- rebuilding ---------------------------------------------------------------------------


def refresh_period(period: Period) -> int:
    """Rebuild every scope ``period`` counts in; returns the number of rows written."""
    return sum(refresh_scope(scope) for scope, _kind in scopes_of(period))


def refresh_scope(scope: str) -> int:
    periods = periods_in(scope)
    written = 0
    built: dict[tuple, tuple[PeriodAggregate, list[ItemAggregate]]] = {}
    for visibility in ("all", "published"):
        chosen = [p for p in periods if visibility == "all" or visible(p)]
        db.session.execute(
            sa.delete(PeriodAggregate).where(
                PeriodAggregate.scope == scope, PeriodAggregate.visibility == visibility
            )
        )
        db.session.execute(
            sa.delete(ItemAggregate).where(
                ItemAggregate.scope == scope, ItemAggregate.visibility == visibility
            )
        )
        if not chosen:
            continue
        key = tuple(p.id for p in chosen)
        if key in built and scope_kind(scope) != "year":  # a year's classifications differ
            row = _copy(built[key][0], visibility)
            items = [_copy(i, visibility) for i in built[key][1]]
        else:
            base = {"scope": scope, "scope_kind": scope_kind(scope), "visibility": visibility}
            row = PeriodAggregate.blank(**base, periods=[p.code for p in chosen])
            _people(row, scope, chosen, visibility)
            _reports(row, chosen)
            items = aggregate_items.build(base, chosen)
            built[key] = (row, items)
        db.session.add(row)
        db.session.add_all(items)
        written += 1 + len(items)
    db.session.flush()
    return written


def _copy(row, visibility: str):
    """The same figures under another visibility (when both count the same periods)."""
    values = {
        c.key: getattr(row, c.key)
        for c in row.__table__.columns
        if c.key not in ("id", "tenant_id", "visibility")
    }
    return type(row)(**values, visibility=visibility)


def _people(row: PeriodAggregate, scope: str, periods: list[Period], visibility: str) -> None:
    ids = [p.id for p in periods]
    scores = db.session.execute(
        sa.select(
            PeriodScore.staff_id,
            PeriodScore.total,
            PeriodScore.grade,
            PeriodScore.forced_fail,
            PeriodScore.self_total,
            PeriodScore.stage,
            PeriodScore.revisions_after_publication,
        ).where(PeriodScore.period_id.in_(ids))
    ).all()
    totals: dict[uuid.UUID, list[Decimal]] = defaultdict(list)
    grades: dict[uuid.UUID, str] = {}
    failed: set[uuid.UUID] = set()
    for sid, total, grade, forced, self_total, stage, revisions in scores:
        totals[sid].append(total)
        grades[sid] = grade
        if forced:
            failed.add(sid)
        row.changed_after_publication += revisions or 0
        # Self-assessment against any later stage's score (manager, deputy or head).
        if self_total is not None and stage in REVIEWED_STAGES:
            gap = self_total - total
            row.self_compared += 1
            row.self_gap_sum += gap
            row.self_gap_abs_sum += abs(gap)
            row.self_equal += abs(gap) < Decimal("0.005")
    params = params_of(periods[-1])
    final: dict[uuid.UUID, tuple[Decimal, str]] = {}
    for sid, values in totals.items():
        final[sid] = scope_grade(values, [grades[sid]], sid in failed, params)
    if scope_kind(scope) == "year":
        final.update(annual_grades(int(scope), visibility))
        failed |= _annual_failed(int(scope), visibility)
    _grades(row, final, failed, params)


def _annual_statuses(visibility: str) -> tuple[str, ...]:
    return (AnnualStatus.PUBLISHED,) if visibility == "published" else tuple(AnnualStatus)


def scope_grade(totals: list[Decimal], grades: list[str], failed: bool, params) -> tuple:
    """(mean total, grade) of a person over a scope's periods: one period keeps its grade;
    several are averaged and graded again (any forced fail → KHTNV)."""
    mean = sum(totals, Decimal(0)) / len(totals)
    if len(totals) == 1:
        return mean, grades[0]
    if failed:
        return mean, Grade.KHTNV.value
    return mean, grade_for_total(mean, params).value


def annual_grades(year: int, visibility: str) -> dict[uuid.UUID, tuple[Decimal, str]]:
    """The head's yearly classification where it exists (published only, for auditors)."""
    statuses = _annual_statuses(visibility)
    rows = db.session.execute(
        sa.select(
            AnnualClassification.staff_id,
            AnnualClassification.average,
            AnnualClassification.final_grade,
        ).where(AnnualClassification.year == year, AnnualClassification.status.in_(statuses))
    ).all()
    return {sid: (average, grade) for sid, average, grade in rows}


def _annual_failed(year: int, visibility: str) -> set[uuid.UUID]:
    statuses = _annual_statuses(visibility)
    return set(
        db.session.execute(
            sa.select(AnnualClassification.staff_id).where(
                AnnualClassification.year == year,
                AnnualClassification.status.in_(statuses),
                AnnualClassification.forced_fail.is_not(None),
            )
        ).scalars()
    )


def _grades(row: PeriodAggregate, final, failed, params) -> None:
    row.people = len(final)
    row.forced_fails = len(failed & set(final))
    counts = defaultdict(int)
    for mean, grade in final.values():
        counts[grade] += 1
        row.total_sum += mean
        row.total_sq_sum += mean * mean
    row.htxs, row.htt = counts["HTXS"], counts["HTT"]
    row.htnv, row.khtnv = counts["HTNV"], counts["KHTNV"]
    means = [mean for mean, _grade in final.values()]
    if means:
        row.total_min, row.total_max = min(means), max(means)
        row.distinct_totals = len({m.quantize(Decimal("0.01")) for m in means})
    # The quota counts only its population (Decree 335's: civil servants by default), like the
    # unit's own quota (``annual.quota``); the distribution above counts everyone.
    counted = set(params.quota_staff_types)
    staff = {
        sid: (group, kind)
        for sid, group, kind in db.session.execute(
            sa.select(StaffMember.id, StaffMember.quota_group, StaffMember.staff_type).where(
                StaffMember.id.in_(list(final))
            )
        ).all()
    }
    in_quota = {
        sid: grade
        for sid, (_mean, grade) in final.items()
        if staff.get(sid, (None, None))[1] in counted
    }
    row.quota_htxs = sum(grade == "HTXS" for grade in in_quota.values())
    row.quota_htt = sum(grade == "HTT" for grade in in_quota.values())
    row.quota_allowed = quota_allowed(row.quota_htt, params)
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for sid, grade in in_quota.items():
        group = staff[sid][0]
        if group:
            groups[group][0] += grade == "HTXS"
            groups[group][1] += grade == "HTT"
    row.quota_groups = [
        {"group": g, "htxs": x, "htt": t, "allowed": quota_allowed(t, params)}
        for g, (x, t) in sorted(groups.items())
    ]


def _deadline(period: Period) -> datetime:
    """The report deadline as a naive UTC instant: the end of ``report_until``, local time."""
    return audit_log.local_day_start(period.report_until + timedelta(days=1))


def _reports(row: PeriodAggregate, periods: list[Period]) -> None:
    """Report counters, summed by the database per reviewer (a year is tens of thousands)."""
    minutes = int(current_app.config.get("KPI_COMPARISON_DEADLINE_MINUTES", 60))
    returned = sa.or_(Report.returned_count > 0, Report.status == ReportStatus.RETURNED)
    windows = [
        sa.and_(
            Assignment.period_id == p.id,
            Report.submitted_at.between(_deadline(p) - timedelta(minutes=minutes), _deadline(p)),
        )
        for p in periods
    ]

    def count_if(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    rows = db.session.execute(
        sa.select(
            Report.reviewed_by,
            sa.func.count(),
            count_if(returned),
            count_if(Report.delays - Report.exempt_delays > 0),
            sa.func.count(Report.submitted_at),
            count_if(sa.or_(*windows)),
            sa.func.coalesce(sa.func.sum(Report.exempt_errors + Report.exempt_delays), 0),
        )
        .join(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(
            Assignment.period_id.in_([p.id for p in periods]),
            sa.or_(Report.status != ReportStatus.DRAFT, returned),
        )
        .group_by(Report.reviewed_by)
    ).all()
    granted: dict[uuid.UUID, int] = {}
    reviewed: dict[uuid.UUID, int] = {}
    for reviewer, count, back, late, sent, last_minute, exempted in rows:
        row.reports += count
        row.reports_returned += back
        row.reports_late += late
        row.submissions += sent
        row.deadline_submissions += last_minute
        row.exemptions += exempted
        if reviewer is not None:
            reviewed[reviewer], granted[reviewer] = count, exempted
    if granted and max(granted.values()) > 0:
        top = max(sorted(granted, key=str), key=lambda r: granted[r])
        row.exemptions_top_count, row.exemptions_top_reviewed = granted[top], reviewed[top]
        name = db.session.execute(sa.select(User.full_name).where(User.id == top)).scalar()
        row.exemptions_top_reviewer = name or str(top)
