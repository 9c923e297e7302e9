"""A rule set per kind of person: frozen in the period, picked by staff_type when scoring, the
Decree 335 quota counting civil servants only, the old regime's annual rules for public
employees before the 2026 decree. Hand-computed expectations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from scoring import Params
from tenant_app.extensions import db
from tenant_app.models import Absence, StaffMember, User
from tenant_app.models.audit import AuditEvent
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assessment, Assignment, Period, PeriodScore, Report
from tenant_app.services.evaluation import annual, periods, scores
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import open_month, stored_score

CIVIL_AND_VC = {
    "can_bo": "nd335_2025",
    "cong_chuc": "nd335_2025",
    "vien_chuc": "vc_2026",
    "hop_dong": "nd335_2025",
}


def _kind(staff_id, staff_type):
    db.session.execute(
        sa.update(StaffMember).where(StaffMember.id == staff_id).values(staff_type=staff_type)
    )


def _work(tenant, ward, staff, *, quantity, completed):
    period = db.session.get(Period, (tenant.id, ward["period"]))
    item = db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"]))
    assignment = Assignment(
        period_id=period.id, staff_id=ward[staff], item_id=item.id,
        version_id=catalogue.version_at(item, period.starts_on).id, quantity=quantity,
        coefficient=1, due_on=date(2026, 11, 25),
    )  # fmt: skip
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Report(assignment_id=assignment.id, completed=completed, status="accepted"))
    db.session.add(
        Assessment(period_id=period.id, staff_id=ward[staff], stage="manager", general=[10, 10, 10])
    )
    return period


def _score(staff_id) -> PeriodScore:
    return db.session.execute(
        sa.select(PeriodScore).where(PeriodScore.staff_id == staff_id)
    ).scalar_one()


def test_a_period_freezes_each_kinds_rule_set_when_it_opens(tenant_a, ward_a):
    """2026-11 (after 2026-01-01): viên chức under vc_2026; 2025-12 (before): nd90_2020."""
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        assert period.rule_sets == CIVIL_AND_VC
        old = periods.open_period(year=2025, number=12, kind="month")
        assert old.rule_sets == {**CIVIL_AND_VC, "vien_chuc": "nd90_2020"}
        event = db.session.execute(
            sa.select(AuditEvent).where(
                AuditEvent.action == "period.opened", AuditEvent.object_id == str(old.id)
            )
        ).scalar_one()
        assert event.after["rule_sets"]["vien_chuc"] == "nd90_2020"


def test_a_public_employee_and_a_civil_servant_in_one_period(tenant_a, ward_a):
    """The clerk (viên chức) 4 of 7 done + 30 → 70 HTT under vc_2026; the head (công chức, a
    leader) 7 of 7, the team passing (100) and no organising score (0): task (4 × 100 + 0) / 5
    = 80 → 30 + 56 = 86 HTT under nd335_2025; the explanation names the rule set."""
    with tenant_context(tenant_a):
        _kind(ward_a["clerk"], "vien_chuc")
        period = _work(tenant_a, ward_a, "clerk", quantity=7, completed=4)
        _work(tenant_a, ward_a, "head", quantity=7, completed=7)
        db.session.commit()
        scores.score_people(period)
        db.session.commit()
        clerk, head = _score(ward_a["clerk"]), _score(ward_a["head"])
        assert (clerk.rule_set, clerk.total_exact, clerk.grade) == ("vc_2026", "70", "HTT")
        assert (head.rule_set, head.total, head.grade) == ("nd335_2025", Decimal(86), "HTT")
        assert clerk.engine_version == "1.0" and head.engine_version == "2.0"
        steps = scores.explanation_of(clerk, period)
        assert steps[-1]["code"] == "rule_set"
        assert "233/2026" in steps[-1]["formula"]
        # nothing changed: nobody is written again (the digests are stable)
        assert scores.score_people(period) == {}


def test_closed_period_keeps_its_rule_sets_when_the_setting_changes(tenant_a, ward_a):
    """The unit maps viên chức to nd335_2025 later: the open 2026-11 keeps vc_2026 (its clerk
    is rescored under it), a period opened afterwards takes the new mapping."""
    with tenant_context(tenant_a):
        _kind(ward_a["clerk"], "vien_chuc")
        period = _work(tenant_a, ward_a, "clerk", quantity=7, completed=4)
        db.session.commit()
        tenant_a.settings = {
            **(tenant_a.settings or {}),
            "scoring_params": {"staff_rule_sets": {"vien_chuc": "nd335_2025"}},
        }
        db.session.commit()
        periods.close_period(period)
        scores.score_people(period, force=True)
        db.session.commit()
        assert period.rule_sets["vien_chuc"] == "vc_2026"
        assert _score(ward_a["clerk"]).rule_set == "vc_2026"
        later = periods.open_period(year=2026, number=12, kind="month")
        assert later.rule_sets["vien_chuc"] == "nd335_2025"


def test_a_period_opened_before_0020_scores_everyone_under_its_rule_set(tenant_a, ward_a):
    """rule_sets null (opened before the migration): the viên chức stays under nd335_2025."""
    with tenant_context(tenant_a):
        _kind(ward_a["clerk"], "vien_chuc")
        period = _work(tenant_a, ward_a, "clerk", quantity=7, completed=4)
        period.rule_sets = None
        db.session.commit()
        scores.score_people(period)
        db.session.commit()
        assert _score(ward_a["clerk"]).rule_set == "nd335_2025"


def test_unknown_rule_set_in_the_configuration_refuses_to_open(tenant_a, ward_a):
    with tenant_context(tenant_a):
        tenant_a.settings = {
            **(tenant_a.settings or {}),
            "scoring_params": {"staff_rule_sets": {"vien_chuc": "nd999"}},
        }
        db.session.commit()
        try:
            periods.open_period(year=2026, number=12, kind="month")
        except periods.ServiceError as error:
            assert error.code == "invalid_rule_set"
            assert "nd999" in error.message
        else:
            raise AssertionError("opened with an unknown rule set")


def _head(tenant, ward):
    return db.session.get(User, (tenant.id, ward["head_user"]))


def test_annual_quota_counts_civil_servants_only_by_default(tenant_a, ward_a):
    """The clerk (viên chức) HTXS all year, the head (công chức) HTT: by default only the head
    counts, 0 HTXS → no violation; with viên chức in the population, 1 HTXS > floor(0.2 × 1)
    = 0 → a violation naming one person to lower."""
    with tenant_context(tenant_a):
        _kind(ward_a["clerk"], "vien_chuc")
        for month in (11, 12):
            stored_score(open_month(month), ward_a["clerk"], 95, "HTXS")
            stored_score(open_month(month), ward_a["head"], 80, "HTT")
        annual.compute_year(2026, actor=_head(tenant_a, ward_a))
        assert not annual.quota(2026).violations
        open_month(12).params = {
            **open_month(12).params,
            "quota_staff_types": ["cong_chuc", "vien_chuc"],
        }
        report = annual.quota(2026)
        assert sum(v.must_lower for v in report.violations) >= 1


def _old_year(tenant, ward, totals, *, joined=None):
    """2025 months scored for the clerk (viên chức) under nd90_2020, as the periods froze it."""
    _kind(ward["clerk"], "vien_chuc")
    if joined is not None:
        db.session.execute(
            sa.update(StaffMember).where(StaffMember.id == ward["clerk"]).values(start_date=joined)
        )
    for month, total in totals.items():
        period = open_month(month, 2025)
        row = stored_score(period, ward["clerk"], total, "HTXS")
        row.rule_set = periods.rule_set_for(period, "vien_chuc")
    db.session.flush()


def _clerk_row(ward):
    return {r.staff_id: r for r in annual.rows_of(2025)}.get(ward["clerk"])


def test_old_regime_under_six_months_worked_is_not_classified(tenant_a, ward_a):
    """Joined 1 Aug 2025: 5 months worked, no maternity leave → no row, named in the audit."""
    with tenant_context(tenant_a):
        _old_year(tenant_a, ward_a, {m: 95 for m in range(8, 13)}, joined=date(2025, 8, 1))
        annual.compute_year(2025, actor=_head(tenant_a, ward_a))
        assert _clerk_row(ward_a) is None
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "annual.computed")
        ).scalar_one()
        assert event.after["not_classified"] == [str(ward_a["clerk"])]


def test_old_regime_absent_three_months_is_at_most_htnv(tenant_a, ward_a):
    """In post all 2025, sick 1 Sep – 30 Nov (3 months): 9 months worked, 3 absent → the 95
    average (HTXS) is capped at HTNV, and the explanation says so."""
    with tenant_context(tenant_a):
        _old_year(tenant_a, ward_a, {m: 95 for m in range(1, 13)}, joined=date(2025, 1, 1))
        db.session.add(
            Absence(
                staff_id=ward_a["clerk"], kind="sickness", starts_on=date(2025, 9, 1),
                ends_on=date(2025, 11, 30), reference="7/GCN",
            )
        )  # fmt: skip
        db.session.flush()
        annual.compute_year(2025, actor=_head(tenant_a, ward_a))
        row = _clerk_row(ward_a)
        assert row.proposed_grade == "HTNV"
        assert row.explanation[-1]["code"] == "old_regime"
        assert "không cao hơn HTNV" in row.explanation[-1]["formula"]


def test_the_quota_population_is_frozen_in_the_periods_params(tenant_a, ward_a):
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        assert periods.params_of(period).quota_staff_types == ("cong_chuc",)
        assert Params.from_dict(period.params) == periods.params_of(period)


def test_period_report_quota_counts_civil_servants_only(tenant_a, ward_a):
    """2026-11: the clerk HTXS, the head HTT. Clerk a công chức: 1 HTXS > floor(0.2 × 1) = 0,
    over the limit; clerk a viên chức: 0 HTXS of 1 HTT in the quota, within it."""
    from tenant_app.services.files import pdf_context

    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        stored_score(period, ward_a["clerk"], 95, "HTXS")
        stored_score(period, ward_a["head"], 80, "HTT")
        db.session.commit()
        quota = pdf_context.unit_report(period.id)["quota"]
        assert (quota["htxs"], quota["htt"], quota["allowed"], quota["within"]) == (1, 1, 0, False)
        _kind(ward_a["clerk"], "vien_chuc")
        db.session.commit()
        quota = pdf_context.unit_report(period.id)["quota"]
        assert (quota["htxs"], quota["htt"], quota["allowed"], quota["within"]) == (0, 1, 0, True)
