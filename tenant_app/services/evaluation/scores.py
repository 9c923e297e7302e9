"""Period scores: load a period's inputs as column tuples, call ``scoring``, store exact results.

Set-based: one query each for work (assignments with their reports), assessments, discipline,
leader posts, the unit's management lines and existing scores, whatever the number of people.
Each score keeps the inputs it was computed from (its explanation is rendered from them when
someone looks), a digest of those inputs with the rule set, parameters and engine version (a
person whose digest has not changed is not written again), the exact total and the engine
version. A change to one result re-scores that person and then each leader above them, deepest
first, because a leader's unit result reads the grades of the team. People who cannot be scored
are recorded with the reason (``ScoringProblem``), never skipped silently.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import defer

from scoring import (
    ENGINE_VERSION,
    Grade,
    LeaderCriteria,
    Params,
    PeriodInput,
    PeriodResult,
    ScoringInputError,
    WorkItem,
    explain_period,
    explanation_to_dict,
    get_rule_set,
    leader_unit_results,
    score_period,
    score_rows,
)
from scoring.numbers import MAX_PLACES, exact_text, round_fraction, stored, to_fraction
from tenant_app import audit, background
from tenant_app.extensions import db
from tenant_app.ids import uuid7
from tenant_app.models.base import tenant_join, utcnow
from tenant_app.models.evaluation import (
    Assessment,
    Assignment,
    DisciplineRecord,
    Period,
    PeriodScore,
    Report,
    ScoringProblem,
)
from tenant_app.models.org import JobPosition
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.models.vocabulary import COUNTED_REPORT_STATUSES, AssessmentStage, PeriodStatus
from tenant_app.services.comparison import aggregates
from tenant_app.services.evaluation import exemption_display, indicators, unit_ratings
from tenant_app.services.evaluation.periods import params_of, rule_set_for
from tenant_app.services.evaluation.unit_head import unit_head
from tenant_app.services.workspace import deputy_fields
from tenant_app.tenancy import revisions

# The latest stage recorded decides the score (a period's chain only lets its stages be recorded).
STAGE_ORDER = (
    AssessmentStage.LEADER,
    AssessmentStage.DEPUTY,
    AssessmentStage.MANAGER,
    AssessmentStage.SELF,
)
LEADER_GROUPS = ("leader_head", "leader_deputy")
PASSING = frozenset({Grade.HTXS.value, Grade.HTT.value, Grade.HTNV.value})


@dataclass
class PersonInputs:
    """Everything loaded for one person: work rows, assessments by stage, forced fail, team."""

    staff_id: uuid.UUID
    work: list[tuple] = field(default_factory=list)
    assessments: dict[str, tuple[list, Decimal | None]] = field(default_factory=dict)
    forced_fail: str | None = None
    leader: bool = False
    # The rule set scoring this person: their kind's in the period (``rule_set_for``).
    rule_set: str | None = None
    staff_type: str | None = None
    # The unit's rating capping this person's grade (the head of a public service unit under
    # vc_2026), or None; kept in the snapshot only when set.
    unit_cap: str | None = None


@dataclass(frozen=True)
class Scored:
    """What scoring one person produced: the exact result and the stored form, or the problem."""

    staff_id: uuid.UUID
    result: PeriodResult | None
    snapshot: dict | None
    digest: str | None
    stage: str
    self_total: Fraction | None = None
    problem: ScoringInputError | None = None
    # {stage: (exact total, grade code)} of every stage recorded, the scoring stage included.
    stage_results: dict | None = None


@dataclass
class _Context:
    """The period-wide facts a person's input depends on."""

    period: Period
    params: Params
    params_key: str
    grades: dict[uuid.UUID, str]
    managers: dict[uuid.UUID, uuid.UUID | None]
    has_work: set[uuid.UUID]
    people_ids: tuple = ()
    rule_set_key: str = ""
    # {deputy: (the people of the divisions assigned to them, the divisions' names)}: a deputy
    # with a field in force in the period reads these instead of their direct reports.
    deputy_teams: dict = field(default_factory=dict)
    # The unit's head on the period's last day (``unit_head``): the one person whose grade the
    # unit's own rating may cap (``unit_ratings``).
    head_id: uuid.UUID | None = None
    _unit_indicators: tuple | None = None
    _position_indicators: dict | None = None
    _unit_cap: tuple | None = None

    def unit_cap(self) -> dict | None:
        """The cap the head's score records (None when the unit's head is not capped)."""
        if self._unit_cap is None:
            cap = None
            if unit_ratings.head_capped(period=self.period):
                cap = unit_ratings.cap_for_period(self.period, self.unit_indicators()[0])
            self._unit_cap = (cap,)
        return self._unit_cap[0]

    def unit_indicators(self) -> tuple[Fraction | None, list]:
        """The unit's indicator score and its lines (read once per context)."""
        if self._unit_indicators is None:
            lines, mean = indicators.unit_board(self.period)
            self._unit_indicators = (mean.score, indicators.snapshot_lines(lines))
        return self._unit_indicators

    def position_indicators(self, staff_id) -> tuple[Fraction | None, list]:
        """A person's position-indicator score and lines (read once for all people scored)."""
        if self._position_indicators is None:
            self._position_indicators = indicators.people_scores(self.period, self.people_ids)
        found = self._position_indicators.get(staff_id)
        return found if found is not None else indicators.person_score(self.period, staff_id)


def _work_rows(period: Period, staff_ids) -> list[tuple]:
    stmt = (
        sa.select(
            Assignment.staff_id,
            Assignment.id,
            Assignment.quantity,
            Assignment.coefficient,
            Report.status,
            Report.completed,
            Report.major_errors,
            Report.delays,
            Report.exempt_errors,
            Report.exempt_delays,
        )
        .outerjoin(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(Assignment.period_id == period.id)
        .order_by(Assignment.staff_id, Assignment.id)
    )
    if staff_ids is not None:
        stmt = stmt.where(Assignment.staff_id.in_(staff_ids))
    return db.session.execute(stmt).all()


def _load(period: Period, staff_ids: set[uuid.UUID] | None) -> dict[uuid.UUID, PersonInputs]:
    people: dict[uuid.UUID, PersonInputs] = {}
    for row in _work_rows(period, staff_ids):
        entry = people.get(row[0])
        if entry is None:
            entry = people[row[0]] = PersonInputs(row[0])
        entry.work.append(row)

    stmt = sa.select(
        Assessment.staff_id, Assessment.stage, Assessment.general, Assessment.organising
    ).where(Assessment.period_id == period.id)
    if staff_ids is not None:
        stmt = stmt.where(Assessment.staff_id.in_(staff_ids))
    for sid, stage, general, organising in db.session.execute(stmt).all():
        if sid in people:
            people[sid].assessments[stage] = (list(general or []), organising)

    year_start, year_end = date(period.year, 1, 1), date(period.year, 12, 31)
    stmt = (
        sa.select(DisciplineRecord.staff_id, DisciplineRecord.reason)
        .where(DisciplineRecord.decision_date.between(year_start, year_end))
        .order_by(DisciplineRecord.decision_date)
    )
    if staff_ids is not None:
        stmt = stmt.where(DisciplineRecord.staff_id.in_(staff_ids))
    for sid, reason in db.session.execute(stmt).all():
        if sid in people and people[sid].forced_fail is None:
            people[sid].forced_fail = reason or "discipline"

    for sid in leaders_in(period, set(people)):
        people[sid].leader = True
    kinds = (
        dict(
            db.session.execute(
                sa.select(StaffMember.id, StaffMember.staff_type).where(
                    StaffMember.id.in_(list(people))
                )
            ).all()
        )
        if people
        else {}
    )
    for sid, entry in people.items():
        entry.staff_type = kinds.get(sid)
        entry.rule_set = rule_set_for(period, entry.staff_type)
    return people


def leaders_in(period: Period, staff_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``staff_ids`` holding a head or deputy post at the end of ``period``."""
    if not staff_ids:
        return set()
    posts = (
        sa.select(StaffAssignment.staff_id)
        .join(JobPosition, tenant_join(JobPosition.id, StaffAssignment.position_id))
        .where(
            JobPosition.position_group.in_(LEADER_GROUPS),
            StaffAssignment.effective_from <= period.ends_on,
            sa.or_(
                StaffAssignment.effective_to.is_(None),
                StaffAssignment.effective_to > period.ends_on,
            ),
        )
    )
    return {sid for (sid,) in db.session.execute(posts).all() if sid in staff_ids}


def _context(
    period: Period,
    people: dict[uuid.UUID, PersonInputs],
    wanted: set[uuid.UUID] | None,
    managers: dict[uuid.UUID, uuid.UUID | None] | None = None,
) -> _Context:
    """The period-wide facts the people being scored depend on.

    For a few people (a re-score), grades and work are read only for the teams of the leaders
    among them; for a whole period, for everyone, in one query each.
    """
    params = params_of(period)
    head = unit_head(on=period.ends_on)
    teams = leader_teams(period, head)
    if managers is None:
        managers = dict(db.session.execute(sa.select(StaffMember.id, StaffMember.manager_id)).all())
    grades_stmt = sa.select(PeriodScore.staff_id, PeriodScore.grade).where(
        PeriodScore.period_id == period.id
    )
    work_stmt = sa.select(Assignment.staff_id).where(Assignment.period_id == period.id).distinct()
    if wanted is None:
        grades = dict(db.session.execute(grades_stmt).all())
        has_work = set(db.session.execute(work_stmt).scalars())
    else:
        leaders = {sid for sid, p in people.items() if p.leader}
        team = {sid for sid, manager in managers.items() if manager in leaders}
        for leader in leaders & teams.keys():
            team |= teams[leader][0]
        team = list(team)
        grades, has_work = {}, set()
        if team:
            grades = dict(
                db.session.execute(grades_stmt.where(PeriodScore.staff_id.in_(team))).all()
            )
            has_work = set(
                db.session.execute(work_stmt.where(Assignment.staff_id.in_(team))).scalars()
            )
    return _Context(
        period,
        params,
        _params_key(period, params),
        grades,
        managers,
        has_work,
        tuple(people),
        _rule_set_key(params),
        teams,
        head_id=None if head is None else head.id,
    )


# Parameters read by the annual classification or the workflow only (who approves an exemption):
# they never change a period score, so they stay out of its digest (adding one, or changing it,
# re-scores nobody).
ANNUAL_ONLY_PARAMS = frozenset({"absence_policy", "exemption_approver"})
# Parameters no Decree 335 period score reads (the rule set per kind of person, the quota
# population, the public employees' rule sets' own): out of the period's digest, so a civil
# servant's digest did not change with them; a person scored under another rule set has them
# in their own digest (``rule_set_key``).
OTHER_RULE_SET_PARAMS = frozenset(
    {
        "staff_rule_sets",
        "vc_2026_effective_from",
        "quota_staff_types",
        "head_capped_by_unit",
        "vc_deciding_role",
        "nd90_min_months_worked",
        "nd90_absence_cap_months",
        "nd90_cap_counts_maternity",
        "nd90_htxs_share_limit",
    }
)


def leader_teams(period: Period, head=...) -> dict[uuid.UUID, tuple[set[uuid.UUID], list[str]]]:
    """{leader: (their team, the divisions named)} for the leaders not read from direct reports:
    each deputy with a field in force in the period (``deputy_fields.teams_in``) and the unit's
    head on the period's last day, whose team is everyone posted in the unit then."""
    teams = deputy_fields.teams_in(period.starts_on, period.ends_on)
    if head is ...:  # the caller may pass the head it already read (None: no head)
        head = unit_head(on=period.ends_on)
    if head is not None:
        posted = db.session.execute(
            sa.select(StaffAssignment.staff_id).where(
                StaffAssignment.effective_from <= period.ends_on,
                sa.or_(
                    StaffAssignment.effective_to.is_(None),
                    StaffAssignment.effective_to > period.ends_on,
                ),
            )
        ).scalars()
        teams[head.id] = ({sid for sid in posted if sid != head.id}, [])
    return teams


def _params_key(period: Period, params: Params) -> str:
    """A short digest of the rule set, its parameters and the engine version."""
    skipped = ANNUAL_ONLY_PARAMS | OTHER_RULE_SET_PARAMS
    values = {k: v for k, v in params.to_dict().items() if k not in skipped}
    text = json.dumps([period.rule_set, values, ENGINE_VERSION], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _rule_set_key(params: Params) -> str:
    """A short digest of the parameters only the other rule sets read."""
    values = {k: v for k, v in params.to_dict().items() if k in OTHER_RULE_SET_PARAMS}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def _general(inputs: PersonInputs, stages) -> tuple[str, list, Decimal | None]:
    for stage in stages:
        found = inputs.assessments.get(stage)
        if found is not None:
            return stage, found[0], found[1]
    return "none", [], None


def _team(leader_id: uuid.UUID, ctx: _Context) -> tuple[int, int, int, list[str]]:
    """(team size, passing, pending, grades of those scored) for a leader's team: the people of
    the divisions assigned to a deputy (``ctx.deputy_teams``), otherwise the direct reports.

    A subordinate with a score counts with its grade; one with work but no score yet is pending;
    one with neither (no work in the period) is not part of the period's team.
    """
    size = passing = pending = 0
    grades = []
    assigned = ctx.deputy_teams.get(leader_id)
    if assigned is not None:
        members = sorted(assigned[0])
    else:
        members = [sid for sid, manager in ctx.managers.items() if manager == leader_id]
    for sid in members:
        grade = ctx.grades.get(sid)
        if grade is None and sid not in ctx.has_work:
            continue
        size += 1
        if grade is None:
            pending += 1
            continue
        grades.append(grade)
        passing += grade in PASSING
    return size, passing, pending, grades


@dataclass(frozen=True)
class _Input:
    """A person's input twice: rows for the engine, and the JSON snapshot kept with the score."""

    stage: str
    rows: list[tuple]
    general: list
    leader: LeaderCriteria | None
    forced_fail: str | None
    snapshot: dict
    indicators: Fraction | None = None
    rule_set: str | None = None
    unit_cap: str | None = None


_NOTHING_DONE = Decimal(0)


def _snapshot(inputs: PersonInputs, ctx: _Context, stages) -> _Input:
    """The exact input of a person: what is scored, stored (as JSON) and later explained."""
    stage, general, organising = _general(inputs, stages)
    if not general:
        general = [0] * len(ctx.params.general_criteria)
    rows, items = [], []
    for row in inputs.work:
        _sid, aid, quantity, coefficient, status, completed, errors, delays, ex_e, ex_d = row
        code = str(aid)
        if status in COUNTED_REPORT_STATUSES:
            rows.append((code, quantity, coefficient, completed, errors, delays, ex_e, ex_d))
            items.append(
                [code, str(quantity), str(coefficient), str(completed),
                 errors, delays, ex_e, ex_d]
            )  # fmt: skip
        else:
            rows.append((code, quantity, coefficient, _NOTHING_DONE, 0, 0, 0, 0))
            items.append([code, str(quantity), str(coefficient), "0", 0, 0, 0, 0])
    leader = leader_data = None
    extra: dict = {}
    if inputs.leader:
        size, passing, pending, grades = _team(inputs.staff_id, ctx)
        organising_text = str(organising if organising is not None else 0)
        if ctx.params.organising_source == "unit_indicators":
            unit_score, lines = ctx.unit_indicators()
            if unit_score is not None:
                organising_text = exact_text(unit_score)
            extra["organising_indicators"] = lines
        leader_data = {
            "unit_results": str(leader_unit_results(grades, ctx.params)),
            "organising": organising_text,
            "team_size": size,
            "team_passing": passing,
            "team_pending": pending,
        }
        if ctx.deputy_teams.get(inputs.staff_id, ((), []))[1]:
            leader_data["team_units"] = ctx.deputy_teams[inputs.staff_id][1]
        leader = LeaderCriteria(**_exact(leader_data))
    indicator_score = None
    if ctx.params.position_indicators == "in_task":
        score, lines = ctx.position_indicators(inputs.staff_id)
        if lines:
            extra["position_indicators"] = lines
        if score is not None:
            indicator_score = score
            extra["indicators"] = exact_text(score)
    if ctx.head_id is not None and inputs.staff_id == ctx.head_id:
        cap = ctx.unit_cap()
        if cap is not None:  # the key only where the rule applies: other digests unchanged
            extra[unit_ratings.SNAPSHOT_KEY] = cap
    snapshot = {
        "items": items,
        "general": [str(p) for p in general],
        "leader": leader_data,
        "forced_fail": inputs.forced_fail,
        **extra,
    }
    if inputs.unit_cap is not None:  # a cap the rule set applies itself (vc_2026's input);
        # "unit_cap" (unit_ratings.SNAPSHOT_KEY) is the service's cap of a public service unit
        snapshot[ENGINE_CAP_KEY] = inputs.unit_cap
    return _Input(
        stage,
        rows,
        general,
        leader,
        inputs.forced_fail,
        snapshot,
        indicator_score,
        inputs.rule_set or ctx.period.rule_set,
        inputs.unit_cap,
    )


# The snapshot key of a grade cap handed to the rule set itself (``PeriodInput.unit_cap``),
# distinct from the service's cap of a public service unit's head (``unit_ratings.SNAPSHOT_KEY``).
ENGINE_CAP_KEY = "rule_set_unit_cap"


def _exact(data: dict) -> dict:
    """Leader criteria from a snapshot: an exact rational ("1800/19") back to a Fraction."""
    out = dict(data)
    for name in ("unit_results", "organising"):
        value = out.get(name)
        if isinstance(value, str) and "/" in value:
            out[name] = Fraction(value)
    return out


def period_input(snapshot: dict) -> PeriodInput:
    """Return the engine's input from a stored snapshot; raise ScoringInputError if invalid."""
    items = tuple(
        WorkItem(code, Decimal(q), Decimal(k), Decimal(c), e, d, xe, xd)
        for code, q, k, c, e, d, xe, xd in snapshot["items"]
    )
    leader = snapshot.get("leader")
    score = snapshot.get("indicators")
    return PeriodInput(
        items=items,
        general=tuple(snapshot["general"]),
        leader=None if leader is None else LeaderCriteria(**_exact(leader)),
        forced_fail=snapshot.get("forced_fail"),
        indicators=None if score is None else Fraction(score),
        unit_cap=snapshot.get(ENGINE_CAP_KEY),
    )


def _digest(
    snapshot: dict,
    stage: str,
    self_snapshot: dict | None,
    ctx: _Context,
    between=None,
    rule_set: str | None = None,
) -> str:
    # params_key is the short digest of the rule set, parameters and engine version; the
    # stages in between enter only when there are some (digests of two-stage people unchanged),
    # and a person's own rule set only when it is not the period's (with the parameters only
    # other rule sets read), so no civil servant's digest changed with 0020.
    parts = [snapshot, stage, self_snapshot, ctx.params_key]
    if between:
        parts.append(between)
    if rule_set is not None and rule_set != ctx.period.rule_set:
        parts.append([rule_set, get_rule_set(rule_set).engine_version, ctx.rule_set_key])
    text = json.dumps(parts, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _run(person: _Input, ctx: _Context) -> PeriodResult:
    result = score_rows(
        person.rows,
        person.general,
        person.leader,
        person.forced_fail,
        ctx.params,
        rule_set=person.rule_set or ctx.period.rule_set,
        indicators=person.indicators,
        unit_cap=person.unit_cap,
    )
    return capped_result(result, person.snapshot)


def capped_result(result: PeriodResult, snapshot: dict) -> PeriodResult:
    """The head of a public service unit is not rated above the unit (the one place the cap is
    applied): the grade lowered to the unit's rating recorded in the snapshot, total unchanged."""
    grade = unit_ratings.capped(result.grade, snapshot.get(unit_ratings.SNAPSHOT_KEY))
    return result if grade == result.grade else dataclasses.replace(result, grade=grade)


def _score_one(inputs: PersonInputs, ctx: _Context, known: dict[uuid.UUID, str]) -> Scored:
    person = _snapshot(inputs, ctx, STAGE_ORDER)
    own = None
    if AssessmentStage.SELF in inputs.assessments and person.stage != AssessmentStage.SELF:
        own = _snapshot(inputs, ctx, (AssessmentStage.SELF,))
    # Stages between the self-assessment and the scoring stage (a manager's under a deputy's or
    # head's): each is scored too, so no stage's result is overwritten by the next.
    between = {
        stage: _snapshot(inputs, ctx, (stage,))
        for stage in reversed(STAGE_ORDER)
        if stage in inputs.assessments and stage not in (AssessmentStage.SELF, person.stage)
    }
    digest = _digest(
        person.snapshot,
        person.stage,
        own and own.snapshot,
        ctx,
        {stage: found.snapshot for stage, found in between.items()},
        person.rule_set,
    )
    if known.get(inputs.staff_id) == digest:
        return Scored(inputs.staff_id, None, person.snapshot, digest, person.stage)
    try:
        result = _run(person, ctx)
    except ScoringInputError as error:
        return Scored(inputs.staff_id, None, person.snapshot, digest, person.stage, problem=error)
    results = {}
    if person.stage != "none":
        results[person.stage] = (result.total, result.grade.value)
    for stage, found in ((AssessmentStage.SELF, own), *between.items()):
        if found is None:
            continue
        try:
            other = _run(found, ctx)
        except ScoringInputError:
            continue  # the latest stage's score stands; this stage's is not comparable
        results[stage] = (other.total, other.grade.value)
    self_total = results.get(AssessmentStage.SELF, (None,))[0]
    return Scored(
        inputs.staff_id, result, person.snapshot, digest, person.stage, self_total,
        stage_results=results,
    )  # fmt: skip


def compute(period: Period, staff_ids=None, *, force: bool = False, managers=None) -> list[Scored]:
    """Score ``staff_ids`` (default: everyone with work) without writing anything.

    Non-leaders first, then leaders from the deepest in the management line up to the head, each
    leader reading the grades just computed for the team. A person whose stored digest equals
    the new one comes back with ``result`` None (unchanged) unless ``force``.
    """
    wanted = None if staff_ids is None else set(staff_ids)
    people = _load(period, wanted)
    ctx = _context(period, people, wanted, managers)
    known = {}
    if not force and people:
        stmt = sa.select(PeriodScore.staff_id, PeriodScore.inputs_digest).where(
            PeriodScore.period_id == period.id
        )
        if wanted is not None:
            stmt = stmt.where(PeriodScore.staff_id.in_(wanted))
        known = dict(db.session.execute(stmt).all())
    outcome = []
    for inputs in sorted(people.values(), key=lambda p: (p.leader, -_rank(p.staff_id, ctx))):
        scored = _score_one(inputs, ctx, known)
        if scored.result is not None:
            ctx.grades[inputs.staff_id] = scored.result.grade.value
        outcome.append(scored)
    return outcome


def simulate(
    period: Period,
    people: dict[uuid.UUID, PersonInputs],
    params: Params,
    rule_set: str,
    coefficients: dict[str, Decimal] | None = None,
    rule_sets: dict[str, str] | None = None,
) -> dict[uuid.UUID, str]:
    """Grades of ``people`` (from ``_load``) under other rules, in memory; nothing is written.

    ``coefficients`` replaces the coefficient of assignments by id (a catalogue change);
    ``rule_sets`` (``{staff_type: code}``) picks a person's rule set by their kind, ``rule_set``
    for the kinds it does not name. People who cannot be scored under those rules are left out.
    """
    ctx = _context(period, people, None)
    ctx.params, ctx.grades = params, {}
    for inputs in sorted(people.values(), key=lambda p: (p.leader, -_rank(p.staff_id, ctx))):
        snapshot = _snapshot(inputs, ctx, STAGE_ORDER).snapshot
        if coefficients:
            for item in snapshot["items"]:
                if item[0] in coefficients:
                    item[2] = str(coefficients[item[0]])
        code = (rule_sets or {}).get(inputs.staff_type) or rule_set
        try:
            result = score_period(period_input(snapshot), params, rule_set=code)
            result = capped_result(result, snapshot)
        except ScoringInputError:
            continue
        ctx.grades[inputs.staff_id] = result.grade.value
    return ctx.grades


def _rank(staff_id: uuid.UUID, ctx: _Context, seen: frozenset = frozenset()) -> int:
    """How deep a leader sits for the scoring order (deepest first): a leader whose team is not
    their direct reports (a deputy's fields, the head's whole unit) ranks above every member,
    those members' own teams included (a cycle is cut)."""
    depth = _depth(staff_id, ctx)
    team = ctx.deputy_teams.get(staff_id)
    if team and team[0] and staff_id not in seen:
        inner = seen | {staff_id}
        depth = min(depth, min(_rank(sid, ctx, inner) for sid in team[0]) - 1)
    return depth


def _depth(staff_id: uuid.UUID, ctx: _Context) -> int:
    depth, seen, current = 0, set(), ctx.managers.get(staff_id)
    while current is not None and current not in seen:
        seen.add(current)
        depth += 1
        current = ctx.managers.get(current)
    return depth


def _values(scored: Scored, period: Period) -> dict:
    result = scored.result
    return {
        "a": _six(result.a),
        "b": _six(result.b),
        "c": _six(result.c),
        "task_score": _six(result.task_score),
        "task_points": _six(result.task_points),
        "general_points": _six(result.general_points),
        "total": result.total_stored,
        "total_exact": exact_text(result.total),
        "grade": result.grade.value,
        "forced_fail": result.forced_fail,
        "self_total": None if scored.self_total is None else stored(scored.self_total),
        "stage": scored.stage,
        "stage_results": _stage_results(scored),
        "rule_set": result.rule_set,
        "engine_version": result.engine_version,
        "provisional": result.provisional,
        "inputs": scored.snapshot,
        "explanation": [],
        "inputs_digest": scored.digest,
        "computed_at": utcnow(),
    }


def _stage_results(scored: Scored) -> dict | None:
    """Each stage's exact total and grade as stored (JSON): ``{stage: {"total", "grade"}}``."""
    if not scored.stage_results:
        return None
    return {
        stage: {"total": exact_text(total), "grade": grade}
        for stage, (total, grade) in scored.stage_results.items()
    }


def _six(value: Fraction) -> Decimal:
    return round_fraction(value, MAX_PLACES, "ROUND_HALF_EVEN")


def score_people(
    period: Period,
    staff_ids=None,
    *,
    reason: str | None = None,
    force: bool = False,
    managers=None,
) -> dict[uuid.UUID, PeriodScore]:
    """(Re)compute and store the scores of ``staff_ids`` (default: everyone with work).

    Only people whose inputs, rule set, parameters or engine changed are written (all with
    ``force``); those who cannot be scored get a ``ScoringProblem`` naming the field and why.
    ``reason`` is recorded with any change to a published result (a revision after
    publication). Returns the written scores by staff id; the caller commits.
    """
    outcome = compute(period, staff_ids, force=force, managers=managers)
    changed = [s for s in outcome if s.result is not None]
    problems = [s for s in outcome if s.problem is not None]
    _store_problems(period, outcome, problems)
    if not changed:
        return {}
    if len(changed) >= BULK_AT and not _final(period):
        return _write_bulk(period, changed)
    ids = [s.staff_id for s in changed]
    existing = {
        row.staff_id: row
        for row in db.session.execute(
            sa.select(PeriodScore)
            .options(defer(PeriodScore.explanation), defer(PeriodScore.inputs))
            .where(PeriodScore.period_id == period.id, PeriodScore.staff_id.in_(ids))
        ).scalars()
    }
    stored_rows = {}
    for scored in changed:
        row = existing.get(scored.staff_id)
        before = None if row is None else (row.total, row.grade)
        values = _values(scored, period)
        if row is None:
            row = PeriodScore(period_id=period.id, staff_id=scored.staff_id, **values)
            db.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        if _final(period) and before != (row.total, row.grade):
            _record_revision(period, row, before, reason)
        stored_rows[scored.staff_id] = row
    aggregates.mark_changed(period)
    return stored_rows


# From this many changed people on (a unit's recompute), rows are written with two executemany
# statements instead of one ORM object each. Published and locked periods keep the ORM path:
# each change there is a revision with its audit event.
BULK_AT = 20
_TABLE = PeriodScore.__table__
_WRITTEN = (
    "a", "b", "c", "task_score", "task_points", "general_points", "total", "total_exact",
    "grade", "forced_fail", "self_total", "stage", "stage_results", "rule_set", "engine_version",
    "provisional",
    "inputs", "explanation", "inputs_digest", "computed_at",
)  # fmt: skip
# Core statements (no per-row ORM work); the tenant is in every key, and RLS checks it too.
UPDATE_BY_KEY = (
    _TABLE.update()
    .where(_TABLE.c.tenant_id == sa.bindparam("k_tenant"), _TABLE.c.id == sa.bindparam("k_id"))
    .values({name: sa.bindparam(name) for name in _WRITTEN})
)


def _write_bulk(period: Period, changed: list[Scored]) -> Mapping[uuid.UUID, PeriodScore]:
    ids = [s.staff_id for s in changed]
    existing = dict(
        db.session.execute(
            sa.select(PeriodScore.staff_id, PeriodScore.id).where(
                PeriodScore.period_id == period.id, PeriodScore.staff_id.in_(ids)
            )
        ).all()
    )
    inserts, updates = [], []
    for scored in changed:
        values = _values(scored, period)
        values["tenant_id"] = period.tenant_id
        row_id = existing.get(scored.staff_id)
        if row_id is None:
            values |= {"id": uuid7(), "period_id": period.id, "staff_id": scored.staff_id}
            inserts.append(values)
        else:
            values["k_id"], values["k_tenant"] = row_id, values.pop("tenant_id")
            updates.append(values)
    if inserts:
        db.session.execute(PeriodScore.__table__.insert(), inserts)
    if updates:
        db.session.execute(UPDATE_BY_KEY, updates)
    written = set(ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, PeriodScore) and obj.period_id == period.id and obj.staff_id in written:
            db.session.expire(obj)
    aggregates.mark_changed(period)
    return _Written(period.id, ids)


class _Written(Mapping):
    """The scores just written, by staff id; loaded from the database on first access only."""

    def __init__(self, period_id: uuid.UUID, staff_ids: list[uuid.UUID]) -> None:
        self._period_id, self._ids, self._rows = period_id, staff_ids, None

    def _load(self) -> dict[uuid.UUID, PeriodScore]:
        if self._rows is None:
            self._rows = {
                row.staff_id: row
                for row in db.session.execute(
                    sa.select(PeriodScore).where(
                        PeriodScore.period_id == self._period_id,
                        PeriodScore.staff_id.in_(self._ids),
                    )
                ).scalars()
            }
        return self._rows

    def __getitem__(self, staff_id):
        return self._load()[staff_id]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _store_problems(period: Period, outcome: list[Scored], problems: list[Scored]) -> None:
    """Replace the problems of the people just looked at by the ones found now."""
    looked_at = [s.staff_id for s in outcome]
    if not looked_at:
        return
    solved = [s.staff_id for s in outcome if s.problem is None]
    db.session.execute(
        sa.delete(ScoringProblem).where(
            ScoringProblem.period_id == period.id, ScoringProblem.staff_id.in_(solved)
        ),
        execution_options={revisions.STAFF_OPTION: solved},
    )
    if not problems:
        return
    current = {
        row.staff_id: row
        for row in db.session.execute(
            sa.select(ScoringProblem).where(
                ScoringProblem.period_id == period.id,
                ScoringProblem.staff_id.in_([s.staff_id for s in problems]),
            )
        ).scalars()
    }
    for scored in problems:
        row = current.get(scored.staff_id) or ScoringProblem(
            period_id=period.id, staff_id=scored.staff_id
        )
        row.field = scored.problem.field[:200]
        row.message = scored.problem.message[:500]
        row.created_at = utcnow()
        db.session.add(row)


def problems_of(period: Period) -> list[tuple[ScoringProblem, StaffMember]]:
    """The people with work in ``period`` who could not be scored, and why, by name."""
    return list(
        db.session.execute(
            sa.select(ScoringProblem, StaffMember)
            .join(StaffMember, tenant_join(StaffMember.id, ScoringProblem.staff_id))
            .where(ScoringProblem.period_id == period.id)
            .order_by(StaffMember.full_name, StaffMember.code)
        ).all()
    )


def _final(period: Period) -> bool:
    """A published or locked period's results are final: any change to them is a revision."""
    return period.published_at is not None or period.status == PeriodStatus.LOCKED


def _record_revision(period: Period, row: PeriodScore, before, reason: str | None) -> None:
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
            "reason": reason,
            "engine_version": row.engine_version,
        },
    )


def _line_above(staff_id, managers: dict) -> list[uuid.UUID]:
    """The person's managers, nearest first, up to the head (a cycle is cut)."""
    chain: list[uuid.UUID] = []
    current = managers.get(staff_id)
    while current is not None and current not in chain and current != staff_id:
        chain.append(current)
        current = managers.get(current)
    return chain


def rescore_person(period: Period, staff_id, *, reason: str | None = None) -> PeriodScore | None:
    """Re-score one person, then each leader above them; returns the person's stored score.

    The leaders are re-scored nearest first (a deputy before the head), each only if what they
    read changed; the deputies whose fields hold the person (and the line above them) too.
    Returns None when the person has no work or could not be scored.
    """
    managers = dict(db.session.execute(sa.select(StaffMember.id, StaffMember.manager_id)).all())
    line = [staff_id, *_line_above(staff_id, managers)]
    teams = leader_teams(period)
    for deputy, (members, _names) in teams.items():
        if staff_id in members:
            line += [s for s in (deputy, *_line_above(deputy, managers)) if s not in line]
    score_people(period, line, reason=reason, managers=managers)
    db.session.flush()
    return db.session.execute(
        sa.select(PeriodScore).where(
            PeriodScore.period_id == period.id, PeriodScore.staff_id == staff_id
        )
    ).scalar_one_or_none()


def rescore_pending(limit: int = 50) -> int:
    """Re-score now, in this transaction, the people whose re-score the session has asked for.

    For a job that changes many results at once (a feed batch): its people's scores commit with
    the change, with no queue in between, and the re-score jobs are taken back (they would find
    nothing changed, and each costs a place in the ``scoring`` queue). Beyond ``limit`` people
    the jobs do it (a historical import would make one transaction very long). Returns how many
    people were re-scored here.
    """
    wanted = [
        effect
        for effect in background.pending(db.session())
        if effect.path == background.paths.RESCORE_PERSON
    ]
    if not wanted or len(wanted) > limit:
        return 0
    for effect in wanted:
        period_id, staff_id, reason = effect.args
        period = db.session.get(Period, (effect.tenant_id, uuid.UUID(period_id)))
        if period is not None:
            rescore_person(period, uuid.UUID(staff_id), reason=reason)
    background.withdraw(db.session(), wanted)
    return len(wanted)


def explanation_of(score: PeriodScore, period: Period) -> list[dict]:
    """Return the score's explanation steps as JSON-ready dicts, rendered from its inputs.

    Scores of engine 1 kept their explanation; later ones are rendered now, from the inputs,
    rule set and parameters they were computed with.
    """
    if not score.inputs:
        return list(score.explanation or [])
    steps = explanation_to_dict(
        explain_period(period_input(score.inputs), params_of(period), score.rule_set)
    )
    if unit_ratings.SNAPSHOT_KEY in score.inputs:
        before = next((s["result"] for s in reversed(steps) if s["code"] == "grade"), None)
        cap = unit_ratings.explanation_step(score.inputs[unit_ratings.SNAPSHOT_KEY], before)
        if cap is not None:
            steps.append(cap)
    return (
        steps
        + indicators.explanation_steps(score.inputs)
        + exemption_display.explanation_steps(period.id, score.staff_id)
    )


def exact_total(score: PeriodScore) -> Fraction:
    """The exact total of a stored score (its 6-place value for rows of engine 1)."""
    return to_fraction(score.total_exact or score.total, "total")


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
        .join(StaffMember, tenant_join(StaffMember.id, PeriodScore.staff_id))
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


def mark_stale(period: Period, staff_id, reason: str | None = None) -> None:
    """Note that ``staff_id``'s score in ``period`` is stale: re-scored once the session commits.

    Every service that changes what a score depends on (work, reports and their review,
    assessments, discipline) calls this while it writes, so the HTML view, the API, imports and
    jobs all re-score without asking; a rollback re-scores nothing. One re-score per person,
    period and commit (the job re-scores their leaders too). ``reason`` is recorded with any
    change to a published result; of several reasons in one commit the first one given is kept.
    """
    session = db.session()
    key = ("rescore", period.tenant_id, str(period.id), str(staff_id))
    earlier = background.requested(session, key)
    if earlier is not None and (earlier.args[-1] or not reason):
        return
    background.after_commit(
        session,
        background.SCORING,
        background.paths.RESCORE_PERSON,
        period.tenant_id,
        str(period.id),
        str(staff_id),
        reason,
        key=key,
        replace=earlier is not None,
        # A re-score of this person still waiting in Redis reads everything afresh when it runs:
        # it absorbs this one, so a feed sending dossiers all day keeps one job per person
        # queued, not one per batch. A reason (a published result revised) is never absorbed.
        job_id=None if reason else f"kpi-rescore-{period.tenant_id}-{period.id}-{staff_id}",
        absorb=not reason,
    )


def changes(period: Period, staff_ids: Iterable | None = None) -> list[dict]:
    """What a recompute of ``period`` would change, without writing: one dict per person.

    Each: staff_id, before (total, grade, engine version) and after (total, grade), for the
    people whose stored total or grade differs from a fresh computation.
    """
    outcome = compute(period, staff_ids, force=True)
    current = {
        row.staff_id: row
        for row in db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.period_id == period.id)
        ).scalars()
    }
    found = []
    for scored in outcome:
        row = current.get(scored.staff_id)
        if scored.result is None:
            if scored.problem is not None:
                found.append(
                    {
                        "staff_id": scored.staff_id,
                        "before": None if row is None else (row.total, row.grade),
                        "after": None,
                        "problem": f"{scored.problem.field}: {scored.problem.message}",
                    }
                )
            continue
        after = (scored.result.total_stored, scored.result.grade.value)
        before = None if row is None else (row.total, row.grade)
        if before != after:
            found.append(
                {
                    "staff_id": scored.staff_id,
                    "before": before,
                    "before_engine": None if row is None else row.engine_version,
                    "after": after,
                    "problem": None,
                }
            )
    return found
