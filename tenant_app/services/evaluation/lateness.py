"""Lateness: the calendar's settings and deadlines, what is pending at a stage, late units.

A unit is late at a stage when the stage's window ended with work still pending there that only
people can do: submitted reports not reviewed (review), results not approved (approval), a year
not approved (annual). ``late_stages`` answers for one unit (in its context) or, inside
``tenancy.door.cross_tenant_read``, for every unit of the province in a few grouped queries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import (
    AnnualClassification,
    Assessment,
    Assignment,
    Period,
    PeriodScore,
    Report,
)
from tenant_app.models.tenants import Tenant
from tenant_app.models.vocabulary import (
    AnnualStatus,
    AssessmentStage,
    PeriodStatus,
    ReportStatus,
)
from tenant_app.services.rollout.payload_format import calendar_settings
from tenant_app.tenancy.context import get_current_tenant

# The stages at which a unit can be late (work only people can do is still pending).
LATE_STAGES = ("review", "approval", "annual")


def settings(tenant: Tenant | None = None) -> dict:
    """The unit's calendar settings (``Tenant.settings["calendar"]``, set by the template's
    ``schedule.calendar`` or the province's override) over the defaults; a value of the wrong
    kind counts as its default."""
    tenant = tenant or get_current_tenant()
    return calendar_settings((tenant.settings or {}).get("calendar"))


def annual_deadline(year: int, tenant: Tenant | None = None) -> date:
    """The last day of ``year``'s annual classification: 15 December, or 15 January after."""
    if settings(tenant)["annual_deadline"] == "01-15":
        return date(year + 1, 1, 15)
    return date(year, 12, 15)


def annual_opens(year: int, tenant: Tenant | None = None) -> date:
    """The day the scheduler proposes ``year``'s classification: the deadline month's first."""
    return annual_deadline(year, tenant).replace(day=1)


@dataclass(frozen=True)
class Late:
    """A unit late at one stage: the window ended on ``deadline`` with ``pending`` left."""

    tenant_id: int
    stage: str  # review, approval, annual
    deadline: date
    days_late: int
    pending: int
    period_id: uuid.UUID | None = None
    period_code: str | None = None  # the year ("2026") for the annual stage

    @property
    def subject(self) -> str:
        return str(self.period_id) if self.period_id else f"year:{self.period_code}"


# --- what is pending at a stage ---------------------------------------------------------------


def _counts(stmt) -> dict:
    return {(tid, pid): n for tid, pid, n in db.session.execute(stmt).all()}


def _unsubmitted(period_ids) -> dict:
    return _counts(
        sa.select(Assignment.tenant_id, Assignment.period_id, sa.func.count())
        .outerjoin(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(
            Assignment.period_id.in_(period_ids),
            sa.or_(
                Report.id.is_(None),
                Report.status.in_((ReportStatus.DRAFT, ReportStatus.RETURNED)),
            ),
        )
        .group_by(Assignment.tenant_id, Assignment.period_id)
    )


def _without_self(period_ids) -> dict:
    has_self = (
        sa.select(Assessment.id)
        .where(
            Assessment.tenant_id == Assignment.tenant_id,
            Assessment.period_id == Assignment.period_id,
            Assessment.staff_id == Assignment.staff_id,
            Assessment.stage == AssessmentStage.SELF,
        )
        .exists()
    )
    return _counts(
        sa.select(
            Assignment.tenant_id,
            Assignment.period_id,
            sa.func.count(sa.distinct(Assignment.staff_id)),
        )
        .where(Assignment.period_id.in_(period_ids), ~has_self)
        .group_by(Assignment.tenant_id, Assignment.period_id)
    )


def _unreviewed(period_ids) -> dict:
    return _counts(
        sa.select(Assignment.tenant_id, Assignment.period_id, sa.func.count())
        .join(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(Assignment.period_id.in_(period_ids), Report.status == ReportStatus.SUBMITTED)
        .group_by(Assignment.tenant_id, Assignment.period_id)
    )


def _unapproved(period_ids) -> dict:
    """People with work in the period whose result is not approved (or not scored yet)."""
    scored = sa.and_(
        PeriodScore.tenant_id == Assignment.tenant_id,
        PeriodScore.period_id == Assignment.period_id,
        PeriodScore.staff_id == Assignment.staff_id,
    )
    return _counts(
        sa.select(
            Assignment.tenant_id,
            Assignment.period_id,
            sa.func.count(sa.distinct(Assignment.staff_id)),
        )
        .outerjoin(PeriodScore, scored)
        .where(Assignment.period_id.in_(period_ids), PeriodScore.approved_at.is_(None))
        .group_by(Assignment.tenant_id, Assignment.period_id)
    )


PENDING = {
    "report": ("unsubmitted", _unsubmitted),
    "self_assessment": ("without_self_assessment", _without_self),
    "review": ("unreviewed", _unreviewed),
    "approval": ("unapproved", _unapproved),
}


def pending_at(period: Period, window: str) -> int:
    """How much work of ``window`` is still pending in ``period`` (see ``PENDING``)."""
    _key, count = PENDING[window]
    return count([period.id]).get((period.tenant_id, period.id), 0)


# --- late units (in a unit, or across units through the door) ---------------------------------


def late_stages(today: date, *, tenants: list[Tenant]) -> list[Late]:
    """Every stage of ``tenants`` whose window ended before ``today`` with work pending.

    Runs in the unit in context (``tenants`` = [it]) or inside ``cross_tenant_read`` for the
    province console (every serving unit); a few grouped queries whatever the number of units.
    Sorted by days late (most first), then unit and stage.
    """
    ids = [t.id for t in tenants]
    if not ids:
        return []
    late: list[Late] = []
    open_periods = list(
        db.session.execute(
            sa.select(Period).where(
                Period.tenant_id.in_(ids),
                Period.status == PeriodStatus.OPEN,
                Period.review_until < today,
            )
        ).scalars()
    )
    if open_periods:
        pids = [p.id for p in open_periods]
        counts = {"review": _unreviewed(pids), "approval": _unapproved(pids)}
        for period in open_periods:
            for stage in ("review", "approval"):
                deadline = getattr(period, f"{stage}_until")
                pending = counts[stage].get((period.tenant_id, period.id), 0)
                if deadline < today and pending:
                    late.append(
                        Late(
                            period.tenant_id,
                            stage,
                            deadline,
                            (today - deadline).days,
                            pending,
                            period.id,
                            period.code,
                        )
                    )
    late += _late_years(today, tenants)
    return sorted(late, key=lambda x: (-x.days_late, x.tenant_id, LATE_STAGES.index(x.stage)))


def _late_years(today: date, tenants: list[Tenant]) -> list[Late]:
    """Units past a year's annual deadline (within the last year) without an approved year."""
    out = []
    by_id = {t.id: t for t in tenants}
    for year in (today.year - 1, today.year):
        due = {tid: annual_deadline(year, t) for tid, t in by_id.items()}
        past = [tid for tid, d in due.items() if d < today <= d + timedelta(days=366)]
        if not past:
            continue
        scored = dict(
            db.session.execute(
                sa.select(PeriodScore.tenant_id, sa.func.count(sa.distinct(PeriodScore.staff_id)))
                .join(Period, tenant_join(Period.id, PeriodScore.period_id))
                .where(PeriodScore.tenant_id.in_(past), Period.year == year)
                .group_by(PeriodScore.tenant_id)
            ).all()
        )
        decided = dict(
            db.session.execute(
                sa.select(AnnualClassification.tenant_id, sa.func.count())
                .where(
                    AnnualClassification.tenant_id.in_(past),
                    AnnualClassification.year == year,
                    AnnualClassification.status != AnnualStatus.PROPOSED,
                )
                .group_by(AnnualClassification.tenant_id)
            ).all()
        )
        proposed = dict(
            db.session.execute(
                sa.select(AnnualClassification.tenant_id, sa.func.count())
                .where(
                    AnnualClassification.tenant_id.in_(past),
                    AnnualClassification.year == year,
                    AnnualClassification.status == AnnualStatus.PROPOSED,
                )
                .group_by(AnnualClassification.tenant_id)
            ).all()
        )
        for tid in past:
            if not scored.get(tid):
                continue  # nothing to classify
            pending = proposed.get(tid, 0) if decided.get(tid) or proposed.get(tid) else scored[tid]
            if pending:
                out.append(
                    Late(tid, "annual", due[tid], (today - due[tid]).days, pending, None, str(year))
                )
    return out
