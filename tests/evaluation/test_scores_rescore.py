"""Re-scoring one person reads only their rows but still sees the team's stored grades."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, PeriodScore
from tenant_app.services.evaluation import scores
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import stored_score


def test_scores_rescore_leader_alone_uses_team_grades(tenant_a, ward_a):
    """With the clerk's stored grade KHTNV, re-scoring only the head gives unit results 50%
    (any subordinate failing), and the clerk's row is left as it was."""
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        item = db.session.get(CatalogueItem, (tenant_a.id, ward_a["items"]["T1"]))
        db.session.add(
            Assignment(
                period_id=period.id, staff_id=ward_a["head"], item_id=item.id,
                version_id=catalogue.version_at(item, period.starts_on).id, quantity=1,
                coefficient=1, due_on=date(2026, 11, 25), directing=True,
            )
        )  # fmt: skip
        stored_score(period, ward_a["clerk"], "40", "KHTNV")
        db.session.commit()
        stored = scores.score_people(period, [ward_a["head"]])
        steps = {s["code"]: s for s in scores.explanation_of(stored[ward_a["head"]], period)}
        assert "50" in str(steps["leader_criteria"]["inputs"]["unit_results"])
        clerk = db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == ward_a["clerk"])
        ).scalar_one()
        assert clerk.grade == "KHTNV" and clerk.inputs_digest == "test"
