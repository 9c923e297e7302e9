"""``kpi recompute --period``: re-scores a whole period in every unit, prints counts and time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assignments, reports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward


def _reported_work(tenant, ward):
    """Assign T2 to the clerk and have it reported and accepted, without scoring it."""
    with tenant_context(tenant):
        head = db.session.get(User, (tenant.id, ward["head_user"]))
        clerk_user = db.session.get(User, (tenant.id, ward["clerk_user"]))
        period = db.session.get(Period, (tenant.id, ward["period"]))
        clerk = db.session.get(StaffMember, (tenant.id, ward["clerk"]))
        item = db.session.get(CatalogueItem, (tenant.id, ward["items"]["T2"]))
        assignment = assignments.assign(
            period, clerk, item, quantity=2, due_on=date(2026, 11, 25), actor=head
        )
        report = reports.save_report(
            assignment,
            actor=clerk_user,
            completed=2,
            completed_on=date(2026, 11, 20),
            submit=True,
            today=TODAY,
        )
        reports.review_report(report, actor=head, accept=True, today=TODAY)
        db.session.commit()  # the report's review re-scores the clerk at once: undo that
        db.session.execute(sa.delete(PeriodScore))
        db.session.commit()


def _scores(tenant):
    with tenant_context(tenant):
        return db.session.execute(sa.select(PeriodScore.staff_id, PeriodScore.total)).all()


def test_recompute_scores_the_period_in_every_unit(app, factory, tenant_a, tenant_b, ward_a):
    """Both units' clerks get a score (task 100% × 0.70 = 70, no assessment yet) and the
    summary counts two people in two units."""
    ward_b = build_ward(factory, tenant_b)
    _reported_work(tenant_a, ward_a)
    _reported_work(tenant_b, ward_b)
    result = app.test_cli_runner().invoke(args=["recompute", "--period", "2026-11"])
    assert result.exit_code == 0, result.output
    assert "period 2026-11: 2 people scored in 2 units (0 failed)" in result.output
    assert [str(total) for _sid, total in _scores(tenant_a)] == ["70.000000"]
    assert len(_scores(tenant_b)) == 1


def test_recompute_one_tenant_only(app, factory, tenant_a, tenant_b, ward_a):
    """``--tenant`` limits the run to that unit; the other is untouched."""
    ward_b = build_ward(factory, tenant_b)
    _reported_work(tenant_a, ward_a)
    _reported_work(tenant_b, ward_b)
    result = app.test_cli_runner().invoke(
        args=["recompute", "--period", "2026-11", "--tenant", "phuong-a"]
    )
    assert result.exit_code == 0, result.output
    assert len(_scores(tenant_a)) == 1 and _scores(tenant_b) == []


def test_recompute_unknown_period_is_skipped(app, tenant_a, ward_a):
    """A unit without the period is reported as skipped, not as an error."""
    result = app.test_cli_runner().invoke(args=["recompute", "--period", "2025-01"])
    assert result.exit_code == 0
    assert "phuong-a" in result.output and "skipped (no period)" in result.output


def test_recompute_dry_run_lists_changes_and_writes_nothing(app, tenant_a, ward_a):
    """A score stored by engine 1 as 69.999999 HTNV is listed as becoming 70 HTT; not written."""
    _reported_work(tenant_a, ward_a)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["recompute", "--period", "2026-11"]).exit_code == 0
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(PeriodScore).values(
                total=Decimal("69.999999"), grade="HTNV", total_exact=None, engine_version="1"
            )
        )
        db.session.commit()
    result = runner.invoke(args=["recompute", "--period", "2026-11", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "69.999999 HTNV (engine 1) → 70.000000 HTT" in result.output
    assert "Trần Thị Văn" in result.output
    assert "period 2026-11: 1 people would change (dry run)" in result.output
    assert [str(total) for _sid, total in _scores(tenant_a)] == ["69.999999"]


def test_recompute_dry_run_unknown_unit_is_refused(app, tenant_a, ward_a):
    """--dry-run with an unknown --tenant exits 2 naming the option."""
    result = app.test_cli_runner().invoke(
        args=["recompute", "--period", "2026-11", "--tenant", "khong-co", "--dry-run"]
    )
    assert result.exit_code == 2 and "--tenant" in result.output
