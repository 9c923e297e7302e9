"""Period scores: load a period's inputs in bulk, call ``scoring``, store results with explanations.

Set-based: one query each for assignments with their reports, assessments, discipline, posts
and existing scores, whatever the number of people. A change to one report re-scores only that
person (and their leader, whose unit results depend on the team's grades).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import defer

from scoring import (
    Grade,
    LeaderCriteria,
    PeriodInput,
    ScoringInputError,
    WorkItem,
    explanation_to_dict,
    leader_unit_results,
    score_period,
)
from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import (
    Assessment,
    Assignment,
    DisciplineRecord,
    Period,
    PeriodScore,
    Report,
)
from tenant_app.models.org import JobPosition
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.services import aggregates
from tenant_app.services.periods import params_of

COUNTED = ("submitted", "accepted")  # returned and draft reports do not count
STAGE_ORDER = ("leader", "manager", "self")
LEADER_GROUPS = ("leader_head", "leader_deputy")


@dataclass
class PersonInputs:
    """Everything loaded for one person: work, assessments by stage, forced fail, leadership."""

    staff_id: uuid.UUID
    items: list[WorkItem] = field(default_factory=list)
    provisional: int = 0
    assessments: dict[str, Assessment] = field(default_factory=dict)
    forced_fail: str | None = None
    leader: bool = False
    subordinates: list[uuid.UUID] = field(default_factory=list)


def _load(period: Period, staff_ids: set[uuid.UUID] | None) -> dict[uuid.UUID, PersonInputs]:
    people: dict[uuid.UUID, PersonInputs] = {}

    def person(sid):
        return people.setdefault(sid, PersonInputs(sid))

    work = (
        sa.select(Assignment, Report)
        .outerjoin(
            Report,
            sa.and_(
                Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
            ),
        )
        .where(Assignment.period_id == period.id)
    )
    if staff_ids is not None:
        work = work.where(Assignment.staff_id.in_(staff_ids))
    for assignment, report in db.session.execute(work).all():
        counted = report is not None and report.status in COUNTED
        entry = person(assignment.staff_id)
        if counted and report.status == "submitted":
            entry.provisional += 1
        entry.items.append(
            WorkItem(
                code=str(assignment.id),
                assigned=assignment.quantity,
                coefficient=assignment.coefficient,
                completed=report.completed if counted else Decimal(0),
                major_errors=report.major_errors if counted else 0,
                delays=report.delays if counted else 0,
                exempt_errors=report.exempt_errors if counted else 0,
                exempt_delays=report.exempt_delays if counted else 0,
            )
        )

    stmt = sa.select(Assessment).where(Assessment.period_id == period.id)
    if staff_ids is not None:
        stmt = stmt.where(Assessment.staff_id.in_(staff_ids))
    for assessment in db.session.execute(stmt).scalars():
        person(assessment.staff_id).assessments[assessment.stage] = assessment

    year_start, year_end = date(period.year, 1, 1), date(period.year, 12, 31)
    stmt = sa.select(DisciplineRecord.staff_id, DisciplineRecord.reason).where(
        DisciplineRecord.decision_date.between(year_start, year_end)
    )
    for sid, reason in db.session.execute(stmt).all():
        if staff_ids is None or sid in staff_ids:
            person(sid).forced_fail = reason or "discipline"

    posts = (
        sa.select(StaffAssignment.staff_id, JobPosition.position_group)
        .join(
            JobPosition,
            sa.and_(
                JobPosition.tenant_id == StaffAssignment.tenant_id,
                JobPosition.id == StaffAssignment.position_id,
            ),
        )
        .where(
            StaffAssignment.effective_from <= period.ends_on,
            sa.or_(
                StaffAssignment.effective_to.is_(None),
                StaffAssignment.effective_to > period.ends_on,
            ),
        )
    )
    leaders = {sid for sid, group in db.session.execute(posts).all() if group in LEADER_GROUPS}
    for sid in leaders & set(people):
        people[sid].leader = True
    if any(p.leader for p in people.values()):
        team = sa.select(StaffMember.id, StaffMember.manager_id).where(
            StaffMember.manager_id.in_([sid for sid, p in people.items() if p.leader])
        )
        for sid, manager_id in db.session.execute(team).all():
            people[manager_id].subordinates.append(sid)
    return people


def _general(inputs: PersonInputs, stages) -> tuple[str, list, Decimal | None]:
    for stage in stages:
        assessment = inputs.assessments.get(stage)
        if assessment is not None:
            return stage, list(assessment.general), assessment.organising
    return "none", [], None


def _period_input(inputs, params, grades, stages) -> tuple[str, PeriodInput]:
    stage, general, organising = _general(inputs, stages)
    if not general:
        general = [0] * len(params.general_criteria)
    leader = None
    if inputs.leader:
        team = [grades[s] for s in inputs.subordinates if s in grades]
        leader = LeaderCriteria(
            unit_results=leader_unit_results(team, params),
            organising=organising if organising is not None else 0,
        )
    return stage, PeriodInput(
        items=tuple(inputs.items),
        general=tuple(general),
        leader=leader,
        forced_fail=inputs.forced_fail,
    )


def _digest(period_input: PeriodInput, rule_set: str, params) -> str:
    data = {"rule_set": rule_set, "params": params.to_dict(), "input": repr(period_input)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def score_people(period: Period, staff_ids=None) -> dict[uuid.UUID, PeriodScore]:
    """(Re)compute and store the scores of ``staff_ids`` (default: everyone with work).

    Leaders are scored after their teams. People with no assigned work get no score. Returns the
    stored scores by staff id; the caller commits.
    """
    wanted = None if staff_ids is None else set(staff_ids)
    people = _load(period, wanted)
    params = params_of(period)
    # Only the rows being rescored are loaded whole (their explanations are large); the grades of
    # everyone else (a leader's unit results depend on them) come from one narrow query.
    # The stored explanation is replaced, never read: not loading it saves decoding large JSON.
    rows = (
        sa.select(PeriodScore)
        .options(defer(PeriodScore.explanation))
        .where(PeriodScore.period_id == period.id)
    )
    if wanted is not None:
        rows = rows.where(PeriodScore.staff_id.in_(wanted))
    existing = {s.staff_id: s for s in db.session.execute(rows).scalars()}
    grades = dict(
        db.session.execute(
            sa.select(PeriodScore.staff_id, PeriodScore.grade).where(
                PeriodScore.period_id == period.id
            )
        ).all()
    )
    grades.update({sid: s.grade for sid, s in existing.items()})
    stored = {}
    for inputs in sorted(people.values(), key=lambda p: p.leader):
        if not inputs.items:
            continue
        stage, period_input = _period_input(inputs, params, grades, STAGE_ORDER)
        try:
            result = score_period(period_input, params, rule_set=period.rule_set)
        except ScoringInputError:
            continue  # invalid data stays visible on the person's page, never a wrong score
        self_total = None
        if "self" in inputs.assessments:
            _stage, self_input = _period_input(inputs, params, grades, ("self",))
            try:
                self_total = score_period(self_input, params, rule_set=period.rule_set).total
            except ScoringInputError:
                self_total = None
        row = existing.get(inputs.staff_id) or PeriodScore(
            period_id=period.id, staff_id=inputs.staff_id
        )
        before = (row.total, row.grade) if inputs.staff_id in existing else None
        row.a, row.b, row.c = result.a, result.b, result.c
        row.task_score, row.task_points = result.task_score, result.task_points
        row.general_points, row.total = result.general_points, result.total
        row.grade = result.grade.value
        row.forced_fail = result.forced_fail
        row.self_total = self_total
        row.stage = stage
        row.rule_set = period.rule_set
        row.explanation = explanation_to_dict(result.explanation)
        row.inputs_digest = _digest(period_input, period.rule_set, params)
        row.computed_at = utcnow()
        if row.staff_id not in existing:
            db.session.add(row)
        if period.published_at is not None and before != (row.total, row.grade):
            _record_revision(period, row, before)
        grades[inputs.staff_id] = row.grade
        stored[inputs.staff_id] = row
    if stored:
        aggregates.mark_changed(period)
    return stored


def _record_revision(period: Period, row: PeriodScore, before) -> None:
    """A published result changed: count it on the score and leave an audit event."""
    row.revisions_after_publication = (row.revisions_after_publication or 0) + 1
    audit.record(
        "score.changed_after_publication",
        object_type="period_score",
        object_id=row.id,
        before=None if before is None else {"total": before[0], "grade": before[1]},
        after={
            "period": period.code,
            "staff_id": row.staff_id,
            "total": row.total,
            "grade": row.grade,
        },
    )


def leaders_of(staff_ids) -> set[uuid.UUID]:
    """The direct managers of ``staff_ids`` (their unit results depend on these people)."""
    rows = db.session.execute(
        sa.select(StaffMember.manager_id).where(
            StaffMember.id.in_(list(staff_ids)), StaffMember.manager_id.is_not(None)
        )
    ).scalars()
    return set(rows)


def rescore_person(period: Period, staff_id) -> PeriodScore | None:
    """Re-score one person and then their leader; returns the person's score (None if no work)."""
    stored = score_people(period, [staff_id])
    managers = leaders_of([staff_id])
    if managers:
        score_people(period, managers)
    return stored.get(staff_id)


def scores_of(period: Period) -> list[PeriodScore]:
    return list(
        db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.period_id == period.id)
        ).scalars()
    )


def with_people(period_ids, *, approved_only: bool = False) -> list[tuple]:
    """[(PeriodScore, StaffMember)] of the periods, by name then staff code."""
    stmt = (
        sa.select(PeriodScore, StaffMember)
        .join(
            StaffMember,
            sa.and_(
                StaffMember.tenant_id == PeriodScore.tenant_id,
                StaffMember.id == PeriodScore.staff_id,
            ),
        )
        .where(PeriodScore.period_id.in_(list(period_ids)))
        .order_by(StaffMember.full_name, StaffMember.code)
    )
    if approved_only:
        stmt = stmt.where(PeriodScore.approved_at.is_not(None))
    return list(db.session.execute(stmt).all())


def grade_distribution(period: Period) -> dict[str, int]:
    counts = {g.value: 0 for g in Grade}
    rows = db.session.execute(
        sa.select(PeriodScore.grade, sa.func.count())
        .where(PeriodScore.period_id == period.id)
        .group_by(PeriodScore.grade)
    ).all()
    counts.update({grade: n for grade, n in rows})
    return counts


def request_rescore(period: Period, staff_id) -> None:
    """Re-score one person now: a job on the ``scoring`` queue, or in-process without Redis.

    Commits the caller's session first (the job reads what was just written).
    """
    from tenant_app import jobs
    from tenant_app.jobs import scoring as scoring_jobs

    jobs.enqueue(
        jobs.SCORING, scoring_jobs.rescore_person, period.tenant_id, str(period.id), str(staff_id)
    )
