"""What the manager's worklists need to filter and count many people at once: light rows of
report states and assessment stages for a period (read-only, one query each)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assessment, Assignment, Period, Report
from tenant_app.models.vocabulary import AssessmentStage, ReportStatus


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


def waiting_for_manager(facts, stages) -> set[uuid.UUID]:
    """People with something for their manager to do: a submitted report to review, or a
    self-assessment the manager has not assessed yet."""
    waiting = {sid for sid, _item, status in facts if status == ReportStatus.SUBMITTED}
    waiting |= {
        sid
        for sid, done in stages.items()
        if AssessmentStage.SELF in done and AssessmentStage.MANAGER not in done
    }
    return waiting
