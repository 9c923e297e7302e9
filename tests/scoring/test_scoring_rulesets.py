"""The public employees' rule sets: vc_2026 (2026 decree) and nd90_2020 (Decree 90/2020 as
amended by Decree 48/2023), and the choice of rule set per kind of person.

Expected values are computed by hand from DOMAIN.md ("Public employees", "Old regime", the
worked check), never by the code under test.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import (
    Absence,
    Grade,
    Params,
    PeriodInput,
    PeriodTotal,
    ScoringInputError,
    WorkItem,
    cap_grade,
    explain_period,
    resolve_rule_sets,
    rule_set_codes,
    score_period,
    score_rows,
    year_service,
)
from scoring.rulesets.nd90_2020 import NotClassified, classify_year_nd90, htxs_share_allowed

GRADES = list(Grade)


def _done(golden_period):
    t1, t2, t3 = golden_period.items
    return replace(golden_period, items=(t1, t2, replace(t3, completed=Decimal(1))))


# --- vc_2026: the same 30 + 70 frame, the unit's rating capping its head


def test_vc_2026_scores_the_domain_month_like_decree_335(golden_period):
    """The worked check: 27 + 0.7 × 73.75 = 78.625 → HTT, recorded under vc_2026."""
    result = score_period(golden_period, rule_set="vc_2026")
    assert result.rule_set == "vc_2026"
    assert result.total == Fraction("78.625")
    assert result.grade is Grade.HTT
    assert score_period(golden_period).rule_set == "nd335_2025"  # nd335 unchanged
    assert score_period(golden_period).total == Fraction("78.625")


def test_vc_2026_head_capped_by_the_units_rating(golden_period):
    """T3 done: 96.125 → HTXS; the unit rated HTT caps its head at HTT, and the explanation
    says so; the total itself is not changed."""
    period = replace(_done(golden_period), unit_cap=Grade.HTT)
    result = score_period(period, rule_set="vc_2026")
    assert result.total == Fraction("96.125")
    assert result.grade is Grade.HTT
    step = next(s for s in result.explanation if s.code == "unit_cap")
    assert "HTXS hạ xuống HTT" in step.formula
    assert step.inputs["grade_before_cap"] == "HTXS"
    # the rule set and the deciding role are named last
    assert result.explanation[-1].code == "rule_set"
    assert "người đứng đầu đơn vị sự nghiệp công lập" in result.explanation[-1].formula


def test_vc_2026_cap_not_applied_when_the_unit_is_rated_higher(golden_period):
    """78.625 → HTT; the unit rated HTXS: the head stays HTT ("giữ nguyên")."""
    period = replace(golden_period, unit_cap="HTXS")
    result = score_period(period, rule_set="vc_2026")
    assert result.grade is Grade.HTT
    step = next(s for s in result.explanation if s.code == "unit_cap")
    assert "giữ nguyên" in step.formula


def test_vc_2026_cap_is_a_parameter(golden_period):
    """head_capped_by_unit = false: 96.125 stays HTXS although the unit is HTNV."""
    period = replace(_done(golden_period), unit_cap=Grade.HTNV)
    params = Params(head_capped_by_unit=False)
    assert score_period(period, params, rule_set="vc_2026").grade is Grade.HTXS
    assert score_period(period, rule_set="vc_2026").grade is Grade.HTNV
    steps = explain_period(period, params, rule_set="vc_2026")
    assert "không áp dụng giới hạn" in next(s for s in steps if s.code == "unit_cap").formula


def test_vc_2026_deciding_role_is_a_parameter(golden_period):
    steps = explain_period(golden_period, Params(vc_deciding_role="higher_level"), "vc_2026")
    assert "cấp có thẩm quyền cấp trên" in steps[-1].formula
    with pytest.raises(ScoringInputError) as error:
        Params(vc_deciding_role="someone")
    assert error.value.field == "params.vc_deciding_role"


def test_nd335_ignores_the_unit_cap(golden_period):
    """Only vc_2026 has the rule: a civil servant's 96.125 stays HTXS."""
    period = replace(_done(golden_period), unit_cap=Grade.KHTNV)
    assert score_period(period).grade is Grade.HTXS


def test_bulk_path_with_a_unit_cap_matches_the_full_input():
    """score_rows with unit_cap: 10 of 10 done, general 30 → 100 → HTXS, capped to HTNV."""
    rows = [("T1", Decimal(10), Decimal(1), Decimal(10), 0, 0, 0, 0)]
    plain = score_rows(rows, [10, 10, 10], rule_set="vc_2026")
    capped = score_rows(rows, [10, 10, 10], rule_set="vc_2026", unit_cap=Grade.HTNV)
    assert (plain.total, plain.grade) == (100, Grade.HTXS)
    assert (capped.total, capped.grade) == (100, Grade.HTNV)
    assert plain.rule_set == capped.rule_set == "vc_2026"
    assert [s.code for s in plain.explanation][-2:] == ["grade", "rule_set"]


def test_cap_grade_golden():
    assert cap_grade("HTXS", "HTT") is Grade.HTT
    assert cap_grade(Grade.HTNV, Grade.HTT) is Grade.HTNV
    assert cap_grade(Grade.HTT, None) is Grade.HTT
    assert cap_grade(Grade.HTXS, Grade.KHTNV) is Grade.KHTNV


@given(st.sampled_from(GRADES), st.sampled_from(GRADES))
def test_a_capped_grade_is_never_above_the_cap(grade, cap):
    capped = cap_grade(grade, cap)
    assert capped.rank <= cap.rank
    assert capped.rank <= grade.rank
    assert capped.rank == min(grade.rank, cap.rank)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10),
    st.integers(0, 10),
    st.integers(0, 10),
    st.integers(0, 20),
    st.sampled_from(GRADES),
)
def test_a_head_is_never_rated_above_the_unit(g1, g2, g3, done, cap):
    period = PeriodInput(
        items=(WorkItem("T", Decimal(20), Decimal(1), Decimal(done)),),
        general=(g1, g2, g3),
        unit_cap=cap,
    )
    capped = score_period(period, rule_set="vc_2026")
    free = score_period(period)  # nd335: the same total, no cap
    assert capped.total == free.total
    assert capped.grade.rank <= cap.rank
    assert capped.grade.rank == min(free.grade.rank, cap.rank)


# --- which rule set for whom


def test_rule_sets_by_kind_of_person_and_date():
    """Default: cán bộ, công chức, contract staff under Decree 335; viên chức under the 2026
    decree from 2026-01-01, Decree 90/2020 before."""
    assert set(rule_set_codes()) >= {"nd335_2025", "vc_2026", "nd90_2020"}
    assert resolve_rule_sets(Params(), date(2026, 1, 1)) == {
        "can_bo": "nd335_2025",
        "cong_chuc": "nd335_2025",
        "vien_chuc": "vc_2026",
        "hop_dong": "nd335_2025",
    }
    assert resolve_rule_sets(Params(), date(2025, 12, 1))["vien_chuc"] == "nd90_2020"
    later = Params(vc_2026_effective_from="2026-07-01")
    assert resolve_rule_sets(later, date(2026, 6, 1))["vien_chuc"] == "nd90_2020"
    assert resolve_rule_sets(later, date(2026, 7, 1))["vien_chuc"] == "vc_2026"


def test_staff_rule_sets_override_keeps_the_other_defaults():
    params = Params.from_dict({"staff_rule_sets": {"hop_dong": "vc_2026"}})
    assert dict(params.staff_rule_sets)["hop_dong"] == "vc_2026"
    assert dict(params.staff_rule_sets)["cong_chuc"] == "nd335_2025"
    assert Params.from_dict(params.to_dict()) == params
    assert params.to_dict()["staff_rule_sets"]["hop_dong"] == "vc_2026"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"staff_rule_sets": {"giao_vien": "vc_2026"}}, "params.staff_rule_sets.giao_vien"),
        ({"staff_rule_sets": "vc_2026"}, "params.staff_rule_sets"),
        ({"vc_2026_effective_from": "01/01/2026"}, "params.vc_2026_effective_from"),
        ({"quota_staff_types": ["vien_chuc", "x"]}, "params.quota_staff_types"),
        ({"nd90_absence_cap_months": 7}, "params.nd90_absence_cap_months"),
        ({"nd90_htxs_share_limit": "1.5"}, "params.nd90_htxs_share_limit"),
        ({"head_capped_by_unit": "yes"}, "params.head_capped_by_unit"),
    ],
)
def test_invalid_settings_are_refused_in_vietnamese(data, field):
    with pytest.raises(ScoringInputError) as error:
        Params.from_dict(data)
    assert error.value.field == field


def test_unknown_rule_set_for_a_kind_of_person_is_refused():
    params = Params.from_dict({"staff_rule_sets": {"vien_chuc": "nd999"}})
    with pytest.raises(ScoringInputError) as error:
        resolve_rule_sets(params, date(2026, 1, 1))
    assert error.value.field == "params.staff_rule_sets.vien_chuc"
    assert "nd999" in error.value.message


def test_quota_population_default_is_civil_servants():
    assert Params().quota_staff_types == ("cong_chuc",)
    both = Params(quota_staff_types=["vien_chuc", "cong_chuc", "cong_chuc"])
    assert both.quota_staff_types == ("cong_chuc", "vien_chuc")


# --- nd90_2020: the old regime's annual rules


def _year(total="95", n=12):
    return [PeriodTotal(f"2025-{m:02d}", total) for m in range(1, n + 1)]


def test_nd90_period_score_is_decree_335s_under_its_own_name(golden_period):
    result = score_period(golden_period, rule_set="nd90_2020")
    assert (result.rule_set, result.total, result.grade) == ("nd90_2020", 78.625, Grade.HTT)
    assert result.explanation[-1].code == "rule_set"


def test_nd90_under_six_months_worked_is_not_classified():
    """Joined 1 Aug 2025: 5 months in post (Aug–Dec), no maternity leave → not classified."""
    service = year_service(2025, joined=date(2025, 8, 1))
    assert service.months_worked == 5
    result = classify_year_nd90(_year(n=5), service)
    assert isinstance(result, NotClassified)
    assert result.reason == "under_min_months"
    assert "dưới 6 tháng" in result.explanation[-1].formula


def test_nd90_maternity_leave_is_excepted():
    """Maternity leave 1 Jan – 31 Aug 2025: 4 months worked, classified all the same: the four
    periods worked at 95 → HTXS (maternity months are not counted as absence for the cap)."""
    leave = Absence("maternity", date(2025, 1, 1), date(2025, 8, 31))
    service = year_service(2025, absences=[leave])
    assert service.months_worked == 4
    result = classify_year_nd90(_year()[8:], service)
    assert not isinstance(result, NotClassified)
    assert result.grade is Grade.HTXS
    assert "nghỉ thai sản" in result.explanation[-1].formula


def test_nd90_absent_three_months_is_at_most_htnv():
    """Sick 1 Mar – 31 May 2025: exactly 3 months absent → the 95 average (HTXS) is HTNV."""
    leave = Absence("sickness", date(2025, 3, 1), date(2025, 5, 31))
    result = classify_year_nd90(_year(), year_service(2025, absences=[leave]))
    assert result.average == 95
    assert result.grade is Grade.HTNV
    step = result.explanation[-1]
    assert step.code == "old_regime"
    assert "không cao hơn HTNV: HTXS → HTNV" in step.formula


def test_nd90_absent_just_under_three_months_is_not_capped():
    """Sick 1 Mar – 30 May 2025: 2 + 30/31 months absent → no cap, HTXS."""
    leave = Absence("sickness", date(2025, 3, 1), date(2025, 5, 30))
    service = year_service(2025, absences=[leave])
    assert service.months_absent == 2 + Fraction(30, 31)
    assert classify_year_nd90(_year(), service).grade is Grade.HTXS


def test_nd90_absence_cap_keeps_a_lower_grade():
    """Absent 4 months with a 60 average: HTNV already, stays HTNV (never raised)."""
    leave = Absence("training", date(2025, 1, 1), date(2025, 4, 30))
    result = classify_year_nd90(_year("60"), year_service(2025, absences=[leave]))
    assert result.grade is Grade.HTNV


def test_nd90_maternity_counts_in_the_cap_only_when_set():
    """Maternity 1 Mar – 31 May (3 months): no cap by default; capped with the setting."""
    leave = Absence("maternity", date(2025, 3, 1), date(2025, 5, 31))
    service = year_service(2025, absences=[leave])
    assert classify_year_nd90(_year(), service).grade is Grade.HTXS
    counted = Params(nd90_cap_counts_maternity=True)
    assert classify_year_nd90(_year(), service, counted).grade is Grade.HTNV


def test_nd90_discipline_is_a_fail_whatever_else():
    """Discipline in the year → KHTNV, even with a 95 average and under 6 months worked."""
    full = classify_year_nd90(_year(), year_service(2025), forced_fail="discipline")
    assert full.grade is Grade.KHTNV
    assert "kỷ luật" in full.explanation[-1].formula
    short = classify_year_nd90(
        _year(n=3), year_service(2025, joined=date(2025, 10, 1)), forced_fail="discipline"
    )
    assert short.grade is Grade.KHTNV


def test_nd90_thresholds_are_parameters():
    """With a 4-month minimum, 5 months worked are classified."""
    service = year_service(2025, joined=date(2025, 8, 1))
    params = Params(nd90_min_months_worked=4, nd90_absence_cap_months=2)
    assert classify_year_nd90(_year(n=5), service, params).grade is Grade.HTXS


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 364),
    st.integers(0, 200),
    st.sampled_from(["sickness", "training", "other"]),
    st.integers(50, 100),
)
def test_absent_three_to_under_six_months_is_never_above_htnv(start, length, kind, total):
    first = date(2025, 1, 1).toordinal() + start
    last = min(first + length, date(2025, 12, 31).toordinal())
    leave = Absence(kind, date.fromordinal(first), date.fromordinal(last))
    service = year_service(2025, absences=[leave])
    result = classify_year_nd90(_year(str(total)), service)
    if 3 <= service.months_absent < 6:
        assert result.grade.rank <= Grade.HTNV.rank
    elif service.months_absent < 3:
        assert result.grade.rank >= Grade.HTNV.rank  # a 50+ average, no cap


def test_htxs_share_limit():
    """Limit 0.25 of 10 classified → at most 2 HTXS (floored); not set → None."""
    assert htxs_share_allowed(10, Params(nd90_htxs_share_limit="0.25")) == 2
    assert htxs_share_allowed(10, Params()) is None
