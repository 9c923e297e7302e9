"""Precomputed comparison figures of one unit, checked against hand-computed values."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, CatalogueItem, ItemAggregate, PeriodAggregate
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import AnnualClassification, Assignment, PeriodScore, Report
from tenant_app.services.comparison import aggregates
from tenant_app.services.evaluation import scores
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.evaluation.scores_helpers import open_month, stored_score


def _row(scope, visibility="all"):
    return db.session.execute(
        sa.select(PeriodAggregate).where(
            PeriodAggregate.scope == scope, PeriodAggregate.visibility == visibility
        )
    ).scalar_one_or_none()


def _deadline_utc(period) -> datetime:
    # End of the last reporting day in Asia/Ho_Chi_Minh (UTC+7), as naive UTC.
    return datetime.combine(period.report_until + timedelta(days=1), datetime.min.time()) - (
        timedelta(hours=7)
    )


def _work(period, staff_id, item_id, quantity, coefficient, **report):
    assignment = Assignment(
        period_id=period.id,
        staff_id=staff_id,
        item_id=item_id,
        version_id=_version(item_id),
        quantity=Decimal(quantity),
        coefficient=Decimal(coefficient),
        due_on=period.ends_on,
    )
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Report(assignment_id=assignment.id, **report))
    db.session.flush()
    return assignment


def _version(item_id):
    from tenant_app.models import CatalogueVersion

    return db.session.execute(
        sa.select(CatalogueVersion.id).where(CatalogueVersion.item_id == item_id)
    ).scalar()


@pytest.fixture()
def october(factory, tenant_a):
    """October: clerk 95 (self 95), head 80 (self 85); three reports of the clerk."""
    ward = build_ward(factory, tenant_a)
    with tenant_context(tenant_a):
        period = open_month(10)
        db.session.flush()
        clerk = stored_score(period, ward["clerk"], "95", "HTXS")
        clerk.self_total = Decimal("95")
        head = stored_score(period, ward["head"], "80", "HTT")
        head.self_total = Decimal("85")
        for code, canonical in (("T1", "HS01"), ("T2", "HS02")):
            db.session.execute(
                sa.update(CatalogueItem)
                .where(CatalogueItem.id == ward["items"][code])
                .values(canonical_code=canonical)
            )
        deadline = _deadline_utc(period)
        # Accepted: 8 of 10 done, 1 error, 2 delays both exempted by the head; sent 30 min early.
        early = deadline - timedelta(minutes=30)
        _work(period, ward["clerk"], ward["items"]["T1"], "10", "1.0", status="accepted",
              completed=Decimal(8), major_errors=1, delays=2, exempt_delays=2,
              reviewed_by=ward["head_user"], submitted_at=early)  # fmt: skip
        # Submitted after one return: 2 of 2 done, 1 delay not exempted; sent two days early.
        _work(period, ward["clerk"], ward["items"]["T2"], "2", "2.5", status="submitted",
              completed=Decimal(2), delays=1, returned_count=1,
              submitted_at=deadline - timedelta(days=2))  # fmt: skip
        # A draft never sent: no report in the figures (but its assignment counts as work).
        _work(period, ward["clerk"], ward["items"]["T3"], "1", "5.0", status="draft")
        db.session.commit()
    return ward, period


def test_month_figures_by_hand(tenant_a, october):
    _ward, period = october
    with tenant_context(tenant_a):
        aggregates.refresh_period(period)
        db.session.commit()
        row = _row("2026-10")
        assert (row.people, row.htxs, row.htt, row.htnv, row.khtnv) == (2, 1, 1, 0, 0)
        assert row.total_sum == Decimal(175)
        assert row.total_sq_sum == Decimal(95 * 95 + 80 * 80)
        assert (row.total_min, row.total_max, row.distinct_totals) == (80, 95, 2)
        assert row.quota_allowed == 0  # floor(20% × 1 HTT)
        assert row.quota_groups == [{"group": "CV", "htxs": 1, "htt": 0, "allowed": 0}]
        assert (row.self_compared, row.self_gap_sum, row.self_gap_abs_sum, row.self_equal) == (
            2,
            Decimal(5),
            Decimal(5),
            1,
        )
        assert (row.reports, row.reports_late, row.reports_returned) == (2, 1, 1)
        assert (row.submissions, row.deadline_submissions) == (2, 1)
        assert row.exemptions == 2
        assert row.exemptions_top_reviewer == "Lê Văn Chánh"
        assert (row.exemptions_top_count, row.exemptions_top_reviewed) == (2, 1)
        # Not published, not locked: nothing for auditors.
        assert _row("2026-10", "published") is None


def test_item_credits_by_hand(tenant_a, october):
    _ward, period = october
    with tenant_context(tenant_a):
        aggregates.refresh_period(period)
        items = {
            i.canonical_code: i
            for i in db.session.execute(
                sa.select(ItemAggregate).where(
                    ItemAggregate.scope == "2026-10", ItemAggregate.visibility == "all"
                )
            ).scalars()
        }
    assert set(items) == {"HS01", "HS02"}  # T3 has no canonical code
    hs01, hs02 = items["HS01"], items["HS02"]
    # HS01: 10 units; a = 8/10, b = (8 − 0.25×1)/10, c = 8/10 (both delays exempted).
    assert hs01.assigned_units == Decimal(10)
    assert (hs01.a_credit, hs01.b_credit, hs01.c_credit) == (8, Decimal("7.75"), 8)
    assert (hs01.errors, hs01.delays, hs01.exempted) == (1, 2, 2)
    # HS02: 2 × 2.5 = 5 units, all done; one delay takes 0.25 × 2.5 off timeliness.
    assert hs02.assigned_units == Decimal(5)
    assert (hs02.a_credit, hs02.b_credit, hs02.c_credit) == (5, 5, Decimal("4.375"))
    assert (hs01.people, hs01.assignments, hs02.item_name) == (1, 1, "Sản phẩm T2")


def test_published_version_appears_once_published(tenant_a, october):
    _ward, period = october
    with tenant_context(tenant_a):
        period.published_at = utcnow()
        aggregates.refresh_period(period)
        published, everything = _row("2026-10", "published"), _row("2026-10")
        assert published.people == everything.people == 2
        assert published.total_sum == everything.total_sum


def test_quarter_and_year_average_each_person(tenant_a, october):
    ward, october_period = october
    with tenant_context(tenant_a):
        november = open_month(11)
        stored_score(november, ward["clerk"], "85", "HTT")
        stored_score(november, ward["head"], "60", "HTNV")
        db.session.flush()
        aggregates.refresh_period(november)
        quarter = _row("2026-Q4")
        # Clerk (95 + 85)/2 = 90 → HTXS; head (80 + 60)/2 = 70 → HTT.
        assert (quarter.people, quarter.htxs, quarter.htt, quarter.htnv) == (2, 1, 1, 0)
        assert quarter.total_sum == Decimal(160)
        assert quarter.periods == ["2026-10", "2026-11"]
        # Items of the quarter add up each month's own rows (November has no shared work).
        q4_items = {
            i.canonical_code: i
            for i in db.session.execute(
                sa.select(ItemAggregate).where(
                    ItemAggregate.scope == "2026-Q4", ItemAggregate.visibility == "all"
                )
            ).scalars()
        }
        assert set(q4_items) == {"HS01", "HS02"}
        assert (q4_items["HS01"].b_credit, q4_items["HS02"].c_credit) == (
            Decimal("7.75"),
            Decimal("4.375"),
        )
        assert q4_items["HS01"].people == 1
        # The head's yearly decision wins over the computed average: clerk lowered to HTT.
        db.session.add(
            AnnualClassification(
                year=2026, staff_id=ward["clerk"], average=Decimal(90), periods_counted=2,
                proposed_grade="HTXS", final_grade="HTT", status="proposed",
                decision_reason="Vượt tỷ lệ 20% theo nhóm",
            )
        )  # fmt: skip
        db.session.flush()
        aggregates.refresh_scope("2026")
        year = _row("2026")
        assert (year.htxs, year.htt) == (0, 2)
        assert _row("2026", "published") is None  # no period published, no year published


def test_commit_after_a_rescore_rebuilds_the_figures(factory, tenant_a):
    """score_people marks the period; the commit enqueues (here: runs) the refresh."""
    ward = build_ward(factory, tenant_a, "x")
    with tenant_context(tenant_a):
        period = open_month(11)
        _work(period, ward["clerk"], ward["items"]["T1"], "4", "1.0", status="accepted",
              completed=Decimal(4))  # fmt: skip
        scores.score_people(period)
        db.session.commit()
        assert _row("2026-11").people == 1
        assert _row("2026-Q4").people == 1


def test_a_change_after_publication_is_counted_and_audited(factory, tenant_a):
    ward = build_ward(factory, tenant_a, "y")
    with tenant_context(tenant_a):
        period = open_month(11)
        assignment = _work(period, ward["clerk"], ward["items"]["T1"], "4", "1.0",
                           status="accepted", completed=Decimal(4))  # fmt: skip
        scores.score_people(period)
        period.published_at = utcnow()
        db.session.commit()
        scores.score_people(period)  # nothing changed: no revision
        report = db.session.execute(
            sa.select(Report).where(Report.assignment_id == assignment.id)
        ).scalar_one()
        report.completed = Decimal(2)
        scores.score_people(period)
        db.session.commit()
        score = db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == ward["clerk"])
        ).scalar_one()
        assert score.revisions_after_publication == 1
        events = (
            db.session.execute(
                sa.select(AuditEvent).where(AuditEvent.action == "score.changed_after_publication")
            )
            .scalars()
            .all()
        )
        assert len(events) == 1
        assert events[0].after["grade"] == score.grade
        assert _row("2026-11", "published").changed_after_publication == 1


def test_figures_stay_inside_their_unit(factory, tenant_a, tenant_b, october):
    """Refreshing unit A writes rows of A only, and B's refresh sees none of A's scores."""
    _ward, period = october
    with tenant_context(tenant_a):
        aggregates.refresh_period(period)
        db.session.commit()
    with tenant_context(tenant_b):
        open_month(10)
        db.session.flush()
        assert aggregates.refresh_scope("2026-10") == 1
        row = _row("2026-10")
        assert row.people == 0 and row.tenant_id == tenant_b.id
        db.session.commit()
    with tenant_context(tenant_a):
        assert _row("2026-10").people == 2


def test_scopes_of_a_month_and_a_quarter():
    class P:
        def __init__(self, kind, number, code):
            self.kind, self.year, self.number, self.code = kind, 2026, number, code

    assert aggregates.scopes_of(P("month", 11, "2026-11")) == [
        ("2026-11", "month"),
        ("2026-Q4", "quarter"),
        ("2026", "year"),
    ]
    assert aggregates.scopes_of(P("quarter", 2, "2026-Q2")) == [
        ("2026-Q2", "quarter"),
        ("2026", "year"),
    ]


def test_refresh_comparison_command_rebuilds_one_unit(app, tenant_a, tenant_b, october):
    """After an upgrade the figures are empty; the command rebuilds them for the unit named."""
    with tenant_context(tenant_a):
        db.session.execute(sa.delete(PeriodAggregate))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["refresh-comparison", "--tenant", tenant_a.slug])
    assert result.exit_code == 0, result.output
    assert tenant_a.slug in result.output and tenant_b.slug not in result.output
    with tenant_context(tenant_a):
        assert _row("2026-10").people == 2
        assert _row("2026").people == 2
    bad = app.test_cli_runner().invoke(args=["refresh-comparison", "--tenant", "khong-co"])
    assert bad.exit_code != 0


def test_an_unreachable_queue_does_not_undo_the_change(app, factory, tenant_a, caplog):
    """Redis down at commit time: the scores stay committed and the failure is logged."""
    ward = build_ward(factory, tenant_a, "z")
    app.config["KPI_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    with tenant_context(tenant_a):
        period = open_month(11)
        _work(period, ward["clerk"], ward["items"]["T1"], "4", "1.0", status="accepted",
              completed=Decimal(4))  # fmt: skip
        scores.score_people(period)
        db.session.commit()
        assert db.session.execute(sa.select(PeriodScore)).scalars().all()
        assert _row("2026-11") is None
    assert f"jobs.comparison.refresh_period (tenant {tenant_a.id}) not enqueued" in caplog.text
