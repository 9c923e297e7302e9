"""What the manager's worklists need to filter and count many people at once: light rows of
report states and assessment stages for a period (read-only, one query each)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assessment, Assignment, Period, Report
from tenant_app.models.vocabulary import DEFAULT_APPROVAL_CHAIN, AssessmentStage, ReportStatus
from tenant_app.services.evaluation import chain


def work_facts(period: Period, staff_ids) -> list[tuple[uuid.UUID, uuid.UUID, str | None]]:
    """(staff id, item id, report status or None) of every assignment of ``staff_ids``."""
    stmt = (
        sa.select(Assignment.staff_id, Assignment.item_id, Report.status)
        .outerjoin(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(Assignment.period_id == period.id, Assignment.staff_id.in_(list(staff_ids)))
    )
    return [tuple(row) for row in db.session.execute(stmt).all()]


def assessment_stages(period: Period, staff_ids) -> dict[uuid.UUID, set[str]]:
    """{staff id: the stages assessed so far} in ``period`` for ``staff_ids``."""
    stmt = sa.select(Assessment.staff_id, Assessment.stage).where(
        Assessment.period_id == period.id, Assessment.staff_id.in_(list(staff_ids))
    )
    stages: dict[uuid.UUID, set[str]] = {}
    for staff_id, stage in db.session.execute(stmt).all():
        stages.setdefault(staff_id, set()).add(stage)
    return stages


def waiting_for_manager(facts, stages, chains=None) -> set[uuid.UUID]:
    """People with something for their manager to do: a submitted report to review, or a
    self-assessment whose next stage in their chain (``chains``: {staff id: stages}; the
    default chain when not given) is the manager's."""
    waiting = {sid for sid, _item, status in facts if status == ReportStatus.SUBMITTED}
    chains = chains or {}
    waiting |= {
        sid
        for sid, done in stages.items()
        if AssessmentStage.SELF in done
        and chain.next_stage(chains.get(sid, DEFAULT_APPROVAL_CHAIN), done)
        == AssessmentStage.MANAGER
    }
    return waiting


def waiting_for_deputy(stages, chains, deputies, me) -> set[uuid.UUID]:
    """People whose next stage is the deputy's and whose deputy in charge is ``me`` (a staff
    id; ``deputies``: {staff id: their deputies' staff ids})."""
    if me is None:
        return set()
    return {
        sid
        for sid, done in stages.items()
        if me in deputies.get(sid, ())
        and chain.next_stage(chains.get(sid, DEFAULT_APPROVAL_CHAIN), done)
        == AssessmentStage.DEPUTY
    }


def waiting_in_chain(period: Period, people, facts, stages, me) -> set[uuid.UUID]:
    """Everyone among ``people`` with something for the user (staff id ``me``) to do at the
    manager's or the deputy's stage of ``period``'s chain."""
    chains = chain.chains_for(period, people)
    deputies = {}
    if any(AssessmentStage.DEPUTY in stages_of for stages_of in chains.values()):
        deputies = chain.deputies_in_charge([p.id for p in people])
    return waiting_for_manager(facts, stages, chains) | waiting_for_deputy(
        stages, chains, deputies, me
    )
