"""A public service unit's own rating caps its head's grade (decree on public employees 2026,
art. 12(7)); entered by the province administrator through the door's narrow write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from scoring import Grade
from scoring.errors import ScoringInputError
from scoring.grading import cap_grade
from tenant_app.extensions import db
from tenant_app.models import AuditEvent, ProvinceAuditEvent, User
from tenant_app.models.evaluation import Assessment, Period, PeriodScore
from tenant_app.models.unit_rating import UnitRating
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import annual, scores, unit_ratings
from tenant_app.tenancy import tenant_context
from tenant_app.tenancy.door import DoorRefused, unit_rating_write
from tests.evaluation.scores_helpers import open_month, stored_score
from tests.evaluation.test_scores_exact import _work

REASON = "Kết quả kiểm tra cuối tháng của Sở Nội vụ"


@pytest.mark.parametrize(
    ("grade", "cap", "expected"),
    [
        ("HTXS", "HTT", "HTT"),  # above the unit: lowered to it
        ("HTNV", "HTT", "HTNV"),  # below the unit: unchanged
        ("HTT", "HTT", "HTT"),
        ("KHTNV", "HTXS", "KHTNV"),
        ("HTXS", None, "HTXS"),  # no rating: no cap
        ("HTXS", "KHTNV", "KHTNV"),
    ],
)
def test_cap_grade_is_never_above_the_cap(grade, cap, expected):
    assert cap_grade(grade, cap) == Grade(expected)


def test_cap_grade_refuses_an_unknown_grade():
    with pytest.raises(ScoringInputError):
        cap_grade("HTXS", "TOT")


def _public_service_unit(tenant, **extra):
    tenant.settings = {**(tenant.settings or {}), "public_service_unit": True, **extra}
    db.session.commit()


def _head_scored(tenant, ward, *, quantity=1, general=(10, 10, 10), organising=100):
    """The clerk 1 of 1 done (HTXS) and the head ``quantity`` assigned, 1 done, with the
    manager-stage ``general`` points and ``organising`` percent; both scored."""
    with tenant_context(tenant):
        _work(tenant, ward, quantity=1, completed=1)
        period = _work(tenant, ward, quantity=quantity, completed=1, staff="head")
        db.session.execute(
            sa.update(Assessment)
            .where(Assessment.staff_id == ward["head"])
            .values(general=list(general), organising=Decimal(organising))
        )
        db.session.commit()
        scores.score_people(period)
        db.session.commit()
        return period


def _head_excellent(tenant, ward):
    """Head 1 of 1 done, 10/10/10, organising 100%, team all passing (100%): task score
    (100 + 100 + 100 + 100 + 100) / 5 = 100, 70 + 30 = 100 → HTXS before any cap."""
    return _head_scored(tenant, ward)


def _score(staff_id) -> PeriodScore:
    return db.session.execute(
        sa.select(PeriodScore).where(PeriodScore.staff_id == staff_id)
    ).scalar_one()


def _rate(tenant, admin, code="2026-11", grade="HTT", **kwargs):
    return unit_rating_write(
        tenant, code, grade, kwargs.pop("reason", REASON), kwargs.pop("decision_ref", "QĐ 12/SNV"),
        actor=admin, **kwargs,
    )  # fmt: skip


def _cap_step(tenant, staff_id):
    with tenant_context(tenant):
        row = _score(staff_id)
        period = db.session.get(Period, (tenant.id, row.period_id))
        steps = scores.explanation_of(row, period)
    return row, next((s for s in steps if s["code"] == "unit_cap"), None)


def test_not_a_public_service_unit_never_capped(tenant_a, ward_a, province_admin):
    """A ward (not a public service unit) keeps its head's HTXS even with a rating of HTT on
    record, and the explanation has no cap line."""
    _head_excellent(tenant_a, ward_a)
    _rate(tenant_a, province_admin, grade="HTT")
    with tenant_context(tenant_a):
        scores.score_people(db.session.get(Period, (tenant_a.id, ward_a["period"])), force=True)
        db.session.commit()
    row, step = _cap_step(tenant_a, ward_a["head"])
    assert row.grade == "HTXS" and step is None and "unit_cap" not in row.inputs


def test_no_rating_no_cap_and_the_explanation_says_so(tenant_a, ward_a):
    """A public service unit with no rating and no indicators: the head stays HTXS and the
    explanation says the unit has no rating yet."""
    _public_service_unit(tenant_a)
    _head_excellent(tenant_a, ward_a)
    row, step = _cap_step(tenant_a, ward_a["head"])
    assert row.grade == "HTXS"
    assert row.inputs["unit_cap"] == {"grade": None, "source": None, "decision_ref": None}
    assert "chưa có xếp loại đơn vị" in step["formula"]
    assert step["result"] == "HTXS"


def test_head_at_htxs_with_unit_htt_is_htt_after_the_rescore(tenant_a, ward_a, province_admin):
    """Head HTXS, the province rates the unit HTT: the head's score is re-scored after the
    commit (the existing job) and is HTT with its total unchanged; the clerk is not capped."""
    _public_service_unit(tenant_a)
    _head_excellent(tenant_a, ward_a)
    with tenant_context(tenant_a):
        total_before = _score(ward_a["head"]).total
    _rate(tenant_a, province_admin, grade="HTT")
    row, step = _cap_step(tenant_a, ward_a["head"])
    assert (row.grade, row.total) == ("HTT", total_before)
    assert row.inputs["unit_cap"] == {
        "grade": "HTT", "source": "authority", "decision_ref": "QĐ 12/SNV",
    }  # fmt: skip
    assert step["result"] == "HTT"
    assert step["label"] == "Xếp loại của người đứng đầu không cao hơn xếp loại của đơn vị"
    assert step["inputs"] == {"grade_before": "HTXS", "unit_grade": "HTT"}
    assert "HTXS hạ xuống HTT" in step["formula"]
    with tenant_context(tenant_a):
        assert _score(ward_a["clerk"]).grade == "HTXS"


def test_head_at_htnv_with_unit_htt_is_unchanged(tenant_a, ward_a, province_admin):
    """Head 1 of 2 done (a = b = c = 50), 5/5/5, organising 0%, team all passing (100):
    task (50 + 50 + 50 + 100 + 0) / 5 = 50, 50 × 70% = 35, + 15 = 50 → HTNV (threshold 50);
    a unit rated HTT leaves it HTNV."""
    _public_service_unit(tenant_a)
    _head_scored(tenant_a, ward_a, quantity=2, general=(5, 5, 5), organising=0)
    with tenant_context(tenant_a):
        assert (_score(ward_a["head"]).total, _score(ward_a["head"]).grade) == (50, "HTNV")
    _rate(tenant_a, province_admin, grade="HTT")
    row, step = _cap_step(tenant_a, ward_a["head"])
    assert row.grade == "HTNV" and step["result"] == "HTNV"
    assert "không cao hơn, giữ nguyên" in step["formula"]


def test_setting_off_leaves_the_head_uncapped(tenant_a, ward_a, province_admin):
    """``head_capped_by_unit: false`` on a public service unit: no cap."""
    _public_service_unit(tenant_a, head_capped_by_unit=False)
    _head_excellent(tenant_a, ward_a)
    _rate(tenant_a, province_admin, grade="HTT")
    row, step = _cap_step(tenant_a, ward_a["head"])
    assert row.grade == "HTXS" and step is None


def test_rating_write_audited_on_both_chains(tenant_a, ward_a, province_admin):
    _rate(tenant_a, province_admin, grade="HTNV", decision_date=date(2026, 12, 1), score="72.5")
    _rate(tenant_a, province_admin, grade="HTT")
    with tenant_context(tenant_a):
        row = db.session.execute(sa.select(UnitRating)).scalar_one()
        assert (row.grade, row.source, row.decided_by) == ("HTT", "authority", "tinh.admin")
        events = list(
            db.session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "unit_rating.set")
                .order_by(AuditEvent.id)
            ).scalars()
        )
    assert [e.after["grade"] for e in events] == ["HTNV", "HTT"]
    assert events[1].before["grade"] == "HTNV" and events[1].before["score"] == "72.500000"
    province = list(
        db.session.execute(
            sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "unit_rating.set")
        ).scalars()
    )
    assert len(province) == 2 and province[0].after["tenant"] == "phuong-a"
    assert province[0].subject_tenant_id == tenant_a.id


def test_rating_write_refused_for_unit_users_and_auditors(tenant_a, ward_a, admin_a, auditor):
    """A unit administrator or manager cannot set the rating; nor can a province auditor."""
    with tenant_context(tenant_a):
        head_user = db.session.get(User, (tenant_a.id, ward_a["head_user"]))
    for actor in (admin_a, head_user, auditor):
        with pytest.raises(DoorRefused):
            _rate(tenant_a, actor)
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(UnitRating)).first() is None


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reason": "ngắn"}, "reason_required"),
        ({"decision_ref": " "}, "decision_required"),
        ({"grade": "TOT"}, "invalid_grade"),
        ({"score": "101"}, "invalid_score"),
        ({"code": "2026-05"}, "not_found"),
        ({"code": "1999"}, "not_found"),
        ({"code": "2026-11\x00"}, "not_found"),
    ],
)
def test_rating_write_validates_and_writes_nothing(tenant_a, ward_a, province_admin, kwargs, code):
    with pytest.raises(ServiceError) as error:
        _rate(tenant_a, province_admin, **kwargs)
    assert error.value.code == code
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(UnitRating)).first() is None
    assert not db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "unit_rating.set")
    ).first()


def test_rating_frozen_once_the_period_is_locked(tenant_a, ward_a, province_admin):
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        period.status = "locked"
        db.session.commit()
    with pytest.raises(ServiceError) as error:
        _rate(tenant_a, province_admin)
    assert error.value.code == "rating_frozen" and error.value.status == 409


def test_indicator_proposal_graded_on_the_period_thresholds(tenant_a, ward_a, monkeypatch):
    """No authority rating: the unit's indicator score proposes it (87.5 → HTT on 90/70/50)."""
    from fractions import Fraction

    from tenant_app.services.evaluation import indicators

    monkeypatch.setattr(indicators, "unit_score", lambda period: Fraction(175, 2))
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        found = unit_ratings.rating_of_period(period)
    assert (found["grade"], found["score"], found["source"]) == ("HTT", "175/2", "indicators")


def test_annual_head_capped_by_the_year_rating(tenant_a, ward_a, province_admin):
    """The head averages 95 (HTXS); the unit's 2026 rating is HTT: proposed HTT, with the cap
    line in the explanation; the clerk (also 95) stays HTXS."""
    _public_service_unit(tenant_a)
    with tenant_context(tenant_a):
        period = open_month(10)
        stored_score(period, ward_a["head"], "95", "HTXS")
        stored_score(period, ward_a["clerk"], "95", "HTXS")
        db.session.commit()
    _rate(tenant_a, province_admin, code="2026", grade="HTT")
    with tenant_context(tenant_a):
        head_user = db.session.get(User, (tenant_a.id, ward_a["head_user"]))
        annual.compute_year(2026, actor=head_user)
        rows = {r.staff_id: r for r in annual.rows_of(2026)}
    head, clerk = rows[ward_a["head"]], rows[ward_a["clerk"]]
    assert (head.proposed_grade, head.final_grade) == ("HTT", "HTT")
    assert clerk.proposed_grade == "HTXS"
    assert head.explanation[-1]["code"] == "unit_cap"
    assert head.explanation[-1]["result"] == "HTT"


def test_a_rule_set_parameter_frozen_in_the_period_decides_over_the_setting(
    tenant_a, ward_a, province_admin, monkeypatch
):
    """When the period's rule-set parameters carry ``head_capped_by_unit`` (the viên chức rule
    set), it decides over the tenant setting: false there leaves the head uncapped."""
    from types import SimpleNamespace

    _public_service_unit(tenant_a)
    monkeypatch.setattr(
        unit_ratings, "params_of", lambda period: SimpleNamespace(head_capped_by_unit=False)
    )
    _head_excellent(tenant_a, ward_a)
    _rate(tenant_a, province_admin, grade="HTT")
    row, step = _cap_step(tenant_a, ward_a["head"])
    assert row.grade == "HTXS" and step is None
