"""One unit seen from the province comparison: its people, its org units, one person's record.

Everything here reads the tenant in context only (the province console calls it inside
``tenancy.door.read_one_tenant``) and writes nothing. Which periods count is decided first
(``periods_for``): an auditor sees a period once it is published or locked, unless granted more.
Over a quarter or a year a person's figure is the average of the periods counted, graded the way
the unit's comparison figures are (``services.aggregates``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.comparison import GRADES
from tenant_app.models.evaluation import (
    Assessment,
    Period,
    PeriodScore,
    label,
)
from tenant_app.models.staff import StaffMember
from tenant_app.services.audit import audit_log
from tenant_app.services.comparison import aggregates
from tenant_app.services.evaluation import scores
from tenant_app.services.evaluation.periods import params_of
from tenant_app.services.workspace import org, staff

SCORE_OBJECTS = ("period_score", "assessment")


@dataclass
class ScopePeriods:
    """The unit's periods of a scope: all of them, and those the reader may see."""

    all: list[Period]
    visible: list[Period]

    @property
    def hidden(self) -> bool:
        """The scope has periods, none of which the reader may see."""
        return bool(self.all) and not self.visible


def periods_for(scope: str, visibility: str) -> ScopePeriods:
    """The periods counted in ``scope``; ``visible`` keeps the published or locked ones unless
    ``visibility`` is ``all``."""
    found = aggregates.periods_in(scope)
    shown = [p for p in found if visibility == "all" or aggregates.visible(p)]
    return ScopePeriods(found, shown)


@dataclass
class PersonRow:
    person: StaffMember
    position: str
    org_unit_id: uuid.UUID | None
    org_unit: str
    total: Decimal
    grade: str
    periods: int  # periods with a score, among those counted
    stage: str  # the evaluation step reached (one period), else ""
    approved: bool  # every score counted is approved
    forced_fail: bool


def people(scope: str, periods: list[Period], visibility: str, org_unit_id=None) -> list[PersonRow]:
    """Everyone scored in ``periods`` (by name), with their post at the end of the last one.

    ``org_unit_id`` keeps the people posted in that org unit or one below it.
    """
    if not periods:
        return []
    rows = scores.with_people([p.id for p in periods])
    by_person: dict[uuid.UUID, list[PeriodScore]] = defaultdict(list)
    persons: dict[uuid.UUID, StaffMember] = {}
    for score, person in rows:
        by_person[person.id].append(score)
        persons[person.id] = person
    last = max(periods, key=lambda p: p.ends_on)
    posts = staff.assignments_at(persons, last.ends_on)
    params = params_of(last)
    annual = (
        aggregates.annual_grades(int(scope[:4]), visibility)
        if aggregates.scope_kind(scope) == "year"
        else {}
    )
    units = org.subtree_ids([org_unit_id]) if org_unit_id is not None else None
    out = []
    for sid, person in persons.items():
        post = posts.get(sid)
        if units is not None and (post is None or post.org_unit_id not in units):
            continue
        own = by_person[sid]
        failed = any(s.forced_fail for s in own)
        total, grade = aggregates.scope_grade(
            [s.total for s in own], [s.grade for s in own], failed, params
        )
        if sid in annual:
            total, grade = annual[sid]
        out.append(
            PersonRow(
                person=person,
                position=post.position.name if post else "",
                org_unit_id=post.org_unit_id if post else None,
                org_unit=post.org_unit.name if post else "",
                total=total,
                grade=grade,
                periods=len(own),
                stage=label(own[0].stage) if len(own) == 1 and own[0].stage != "none" else "",
                approved=all(s.approved_at is not None for s in own),
                forced_fail=failed,
            )
        )
    return out


@dataclass
class OrgUnitRow:
    unit: object  # OrgUnit
    depth: int
    people: int = 0
    grades: dict = field(default_factory=lambda: {g: 0 for g in GRADES})
    total_sum: Decimal = Decimal(0)

    @property
    def mean(self) -> Decimal | None:
        return self.total_sum / self.people if self.people else None


def org_units(rows: list[PersonRow]) -> list[OrgUnitRow]:
    """The org chart (parents first) with, per unit, the people posted directly in it."""
    out = [OrgUnitRow(unit, depth) for unit, depth in org.tree(include_inactive=True)]
    by_id = {r.unit.id: r for r in out}
    for row in rows:
        target = by_id.get(row.org_unit_id)
        if target is None:
            continue
        target.people += 1
        target.grades[row.grade] = target.grades.get(row.grade, 0) + 1
        target.total_sum += row.total
    return [r for r in out if r.people or r.unit.active]


# --- one person


def history(person: StaffMember, visibility: str) -> list[tuple[Period, PeriodScore]]:
    """The person's scores of every period the reader may see, oldest first."""
    rows = db.session.execute(
        sa.select(Period, PeriodScore)
        .join(PeriodScore, tenant_join(PeriodScore.period_id, Period.id))
        .where(PeriodScore.staff_id == person.id)
        .order_by(Period.starts_on)
    ).all()
    return [(p, s) for p, s in rows if visibility == "all" or aggregates.visible(p)]


def score_events(person: StaffMember, periods: list[Period]) -> list[audit_log.EventView]:
    """The unit's audit events about the person's scores and assessments in ``periods``,
    newest first (approvals, changes after publication, each assessment step)."""
    ids = [p.id for p in periods]
    if not ids:
        return []
    score_ids = db.session.execute(
        sa.select(PeriodScore.id).where(
            PeriodScore.staff_id == person.id, PeriodScore.period_id.in_(ids)
        )
    ).scalars()
    assessment_ids = db.session.execute(
        sa.select(Assessment.id).where(
            Assessment.staff_id == person.id, Assessment.period_id.in_(ids)
        )
    ).scalars()
    return audit_log.about_objects(SCORE_OBJECTS, [*score_ids, *assessment_ids])
