"""The demo's people at work during a simulated year (``kpi calendar simulate --act-for-people``).

Only the steps the law leaves to people, each done through the real services as the person
whose step it is, on the last day of its window: the manager reviews what was submitted and
assesses (and the deputy in charge where the chain has one), the head of the agency approves,
the competent higher level approves the head's result; for the year, the head resolves the
HTXS quota as the demo's seed does and approves. Nothing here runs outside the simulation; every
line it returns starts with "[demo]" so the output says who acted.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.models.users import ProvinceUser, User
from tenant_app.models.vocabulary import AnnualStatus, AssessmentStage, PeriodStatus, ReportStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import annual, assessments, calendar, chain, reports, scores
from tenant_app.services.evaluation.unit_head import unit_head

REVIEW_NOTE = "Đối chiếu sổ theo dõi (mô phỏng lịch của bản demo)"


def _users() -> tuple[dict, list[User]]:
    users = list(db.session.execute(sa.select(User).where(User.active.is_(True))).scalars())
    by_id = {u.id: u for u in users}
    by_staff = {
        s.id: by_id[s.user_id]
        for s in db.session.execute(sa.select(StaffMember)).scalars()
        if s.user_id in by_id
    }
    return by_staff, [u for u in users if u.has_role("manager")]


def _chairman(by_staff) -> User | None:
    head = unit_head()
    return by_staff.get(head.id) if head is not None else None


def _review(period: Period, today: date, by_staff) -> int:
    rows = db.session.execute(
        sa.select(Report, Assignment, StaffMember)
        .join(Assignment, tenant_join(Assignment.id, Report.assignment_id))
        .join(StaffMember, tenant_join(StaffMember.id, Assignment.staff_id))
        .where(Assignment.period_id == period.id, Report.status == ReportStatus.SUBMITTED)
    ).all()
    done = 0
    for report, assignment, person in rows:
        reviewer = by_staff.get(person.manager_id) or _chairman(by_staff)
        late = bool(report.completed_on and report.completed_on > assignment.due_on)
        try:
            reports.review_report(
                report,
                actor=reviewer,
                accept=True,
                delays=1 if late else 0,
                delay_reason=REVIEW_NOTE,
                today=today,
            )
            done += 1
        except ServiceError:
            continue
    return done


def _assess(period: Period, today: date, managers: list[User]) -> int:
    staff_ids = set(
        db.session.execute(
            sa.select(Assignment.staff_id).where(Assignment.period_id == period.id)
        ).scalars()
    )
    people = list(
        db.session.execute(sa.select(StaffMember).where(StaffMember.id.in_(staff_ids))).scalars()
    )
    chains = chain.chains_for(period, people)
    done = 0
    for person in people:
        for stage in chains[person.id][1:-1]:  # between the self-assessment and the decision
            if assessments.get_assessment(period, person, stage) is not None:
                continue
            own = assessments.get_assessment(period, person, AssessmentStage.SELF)
            points = list(own.general) if own is not None else [8, 8, 8]
            for user in managers:
                if assessments.acting_stage(period, person, user) != stage:
                    continue
                try:
                    assessments.save_assessment(
                        period, person, stage=stage, general=points, actor=user, today=today
                    )
                    done += 1
                except ServiceError:
                    continue
                break
    return done


def _approve(period: Period, today: date, by_staff) -> int:
    scores.score_people(period)
    ids = [s.staff_id for s in scores.scores_of(period) if s.approved_at is None]
    chairman = _chairman(by_staff)
    done = 0
    if chairman is not None and ids:
        try:
            approved, _skipped = assessments.approve_all(period, ids, actor=chairman, today=today)
            done += len(approved)
        except ServiceError:
            pass
    head = unit_head()
    reviewer = db.session.execute(
        sa.select(ProvinceUser).where(ProvinceUser.head_reviewer.is_(True)).limit(1)
    ).scalar_one_or_none()
    if head is not None and head.id in ids and reviewer is not None:
        try:
            assessments.approve(period, [head.id], actor=reviewer, today=today)
            done += 1
        except ServiceError:
            pass
    return done


def _year(year: int, by_staff) -> list[str]:
    chairman = _chairman(by_staff)
    rows = annual.rows_of(year)
    if chairman is None or annual.year_status(rows) != AnnualStatus.PROPOSED:
        return []
    from tenant_app.demo_evaluation import reclassify_year

    try:
        reclassify_year(year)
        annual.approve(year, actor=chairman)
    except ServiceError as exc:
        return [f"[demo] {year}: {exc.message}"]
    return [f"[demo] {year}: approved by {chairman.full_name}"]


def act_for_people(today: date) -> list[str]:
    """Do, as the demo's people, the human steps whose window ends ``today`` (see the module).
    Returns one "[demo] …" line per step taken."""
    by_staff, managers = _users()
    lines = []
    open_periods = db.session.execute(
        sa.select(Period).where(Period.status == PeriodStatus.OPEN)
    ).scalars()
    for period in list(open_periods):
        if period.review_until == today:
            n = _review(period, today, by_staff)
            m = _assess(period, today, managers)
            if n or m:
                lines.append(f"[demo] {period.code}: {n} reports reviewed, {m} assessments")
        if period.approval_until == today:
            n = _approve(period, today, by_staff)
            if n:
                lines.append(f"[demo] {period.code}: {n} results approved")
    for year in (today.year - 1, today.year):
        if calendar.annual_deadline(year) == today:
            lines += _year(year, by_staff)
    return lines
