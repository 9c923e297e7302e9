"""Part-period service and absences in the annual classification (issue 17, item 4).

Hand-computed: a person on maternity leave 16/02–15/06/2026 (four months), someone who joined
on 15/10/2026, someone who left on 10/03/2026; ``exclude`` (the default) and ``prorate``.
"""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import (
    Absence,
    Grade,
    Params,
    PeriodTotal,
    ScoringInputError,
    classify_year,
    period_service,
    year_service,
)

MATERNITY = Absence("maternity", date(2026, 2, 16), date(2026, 6, 15), "15/QĐ-UBND")
# Monthly totals of the year: Jan 80, Feb 70, Mar 20 (work assigned before the leave, not done),
# no score Apr–May, Jun 60, Jul–Dec 90.
MATERNITY_TOTALS = {1: 80, 2: 70, 3: 20, 6: 60, **{m: 90 for m in range(7, 13)}}


def _month(month: int, year: int = 2026) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def _periods(totals, **service):
    periods = []
    for month, total in totals.items():
        start, end = _month(month)
        periods.append(
            PeriodTotal(f"2026-{month:02d}", total, service=period_service(start, end, **service))
        )
    return periods


def test_period_service_counts_days_worked_exactly():
    """February 2026 with maternity leave from the 16th: 28 days, 13 absent, 15 worked → 15/28."""
    service = period_service(date(2026, 2, 1), date(2026, 2, 28), absences=[MATERNITY])
    assert (service.days_in_period, service.days_absent, service.days_worked) == (28, 13, 15)
    assert service.share == Fraction(15, 28)
    assert service.absences == (MATERNITY,)


def test_period_service_joined_mid_period():
    """Joined on 15 October: 17 of October's 31 days in post and worked."""
    service = period_service(date(2026, 10, 1), date(2026, 10, 31), joined=date(2026, 10, 15))
    assert (service.days_in_post, service.days_worked, service.share) == (17, 17, Fraction(17, 31))


def test_period_service_overlapping_leaves_counted_once():
    """Two leaves covering 1–10 and 5–14 March take 14 days, not 20."""
    leaves = [
        Absence("sickness", date(2026, 3, 1), date(2026, 3, 10)),
        Absence("other", date(2026, 3, 5), date(2026, 3, 14)),
    ]
    service = period_service(date(2026, 3, 1), date(2026, 3, 31), absences=leaves)
    assert service.days_absent == 14 and service.days_worked == 17


def test_period_service_leave_outside_service_takes_nothing():
    """A leave after the person left takes no day: left 10 March, leave from 20 March."""
    leave = Absence("sickness", date(2026, 3, 20), date(2026, 3, 25))
    service = period_service(
        date(2026, 3, 1), date(2026, 3, 31), left=date(2026, 3, 10), absences=[leave]
    )
    assert (service.days_in_post, service.days_absent, service.absences) == (10, 0, ())


def test_annual_maternity_leave_excluded_by_default():
    """Four months of maternity leave (16/02–15/06), exclude: March (fully absent, scored 20)
    leaves the average; Jan 80, Feb 70, Jun 60 and six months of 90 count once each:
    (80 + 70 + 60 + 540) / 9 = 250/3 ≈ 83.33 → HTT (the old code gave 770/10 = 77)."""
    result = classify_year(_periods(MATERNITY_TOTALS, absences=[MATERNITY]))
    assert result.average == Fraction(250, 3)
    assert (result.period_count, result.excluded, result.grade) == (9, ("2026-03",), Grade.HTT)


def test_annual_maternity_leave_prorated():
    """Prorate: weights Jan 1, Feb 15/28, Jun 15/30, Jul–Dec 1 each; March excluded.
    Σw = 225/28; Σw·t = 80 + 70 × 15/28 + 60 × 1/2 + 540 = 1375/2;
    average = (1375/2) / (225/28) = 770/9 ≈ 85.56 → HTT."""
    params = Params(absence_policy="prorate")
    result = classify_year(_periods(MATERNITY_TOTALS, absences=[MATERNITY]), params)
    assert result.average == Fraction(770, 9)
    assert result.period_count == 9 and result.grade is Grade.HTT
    assert str(result.average_display) == "85.56"


def test_annual_explanation_names_the_leave_and_its_document():
    """The excluded month says why, with the kind, dates and document; a partly worked month
    says its days; the average says it is weighted by days under prorate."""
    params = Params(absence_policy="prorate")
    steps = {
        s.code: s
        for s in classify_year(_periods(MATERNITY_TOTALS, absences=[MATERNITY]), params).explanation
    }
    march = steps["period:2026-03"]
    assert march.inputs["counted"] is False
    assert (
        "không tính vào bình quân: vắng mặt cả kỳ: nghỉ thai sản từ 16/02/2026 đến 15/06/2026"
        in march.formula
    )
    assert "văn bản số 15/QĐ-UBND" in march.formula
    assert "công tác 15/28 ngày" in steps["period:2026-02"].formula
    assert "tính theo tỷ lệ 15/28" in steps["period:2026-02"].formula
    assert steps["average"].label == "Điểm bình quân các kỳ đã công tác, theo tỷ lệ ngày công tác"
    assert steps["average"].formula.startswith("(1 × 80,00 + 15/28 × 70,00 + 1/2 × 60,00")


def test_annual_joined_in_october_exclude_and_prorate():
    """Joined 15/10: October 60 (17/31 days), November and December 90.
    Exclude: (60 + 90 + 90) / 3 = 80 → HTT.
    Prorate: (17/31 × 60 + 180) / (17/31 + 2) = 6600/79 ≈ 83.54 → HTT."""
    totals = {10: 60, 11: 90, 12: 90}
    periods = _periods(totals, joined=date(2026, 10, 15))
    assert classify_year(periods).average == 80
    prorated = classify_year(periods, Params(absence_policy="prorate"))
    assert prorated.average == Fraction(6600, 79)
    october = prorated.explanation[0]
    assert "công tác 17/31 ngày (vào làm hoặc thôi việc trong kỳ)" in october.formula


def test_annual_period_before_joining_is_excluded():
    """A score in September for someone who joined on 15/10 (no day in post) leaves the average:
    (60 + 90 + 90) / 3 = 80, not (100 + 60 + 90 + 90) / 4 = 85."""
    periods = _periods({9: 100, 10: 60, 11: 90, 12: 90}, joined=date(2026, 10, 15))
    result = classify_year(periods)
    assert result.average == 80 and result.excluded == ("2026-09",)
    assert "chưa vào làm hoặc đã thôi việc" in result.explanation[0].formula


def test_annual_no_period_worked_is_refused():
    """Absent for the whole of every period scored: nothing to average, not classified."""
    periods = _periods({4: 50, 5: 50}, absences=[MATERNITY])
    with pytest.raises(ScoringInputError) as error:
        classify_year(periods)
    assert error.value.field == "periods"


def test_annual_without_service_behaves_as_before():
    """Periods without service information count whole under either policy."""
    periods = [PeriodTotal("2026-01", 80), PeriodTotal("2026-02", 90)]
    assert classify_year(periods, Params(absence_policy="prorate")).average == 85


def test_params_absence_policy_is_validated():
    """Only ``exclude`` and ``prorate`` are accepted."""
    with pytest.raises(ScoringInputError) as error:
        Params.from_dict({"absence_policy": "zero"})
    assert error.value.field == "params.absence_policy"
    assert Params().absence_policy == "exclude"


def test_year_service_maternity_four_months():
    """Leave 16/02–15/06: absent 13/28 + 3 + 15/30 = 111/28 months (all maternity), worked
    12 − 111/28 = 225/28 months (≈ 8.04)."""
    figures = year_service(2026, absences=[MATERNITY])
    assert figures.months_in_post == 12
    assert figures.months_absent == figures.months_absent_maternity == Fraction(111, 28)
    assert figures.months_worked == Fraction(225, 28)
    assert figures.maternity is True


def test_year_service_joined_in_october():
    """Joined 15/10: in post 17/31 + 2 = 79/31 months (under 6), nothing absent, no maternity."""
    figures = year_service(2026, joined=date(2026, 10, 15))
    assert figures.months_in_post == figures.months_worked == Fraction(79, 31)
    assert figures.months_absent == 0 and figures.maternity is False


def test_year_service_sickness_is_not_maternity():
    """Three months of sick leave (1/3–31/5): absent exactly 3 months, none of it maternity."""
    leave = Absence("sickness", date(2026, 3, 1), date(2026, 5, 31), "01/GCN")
    figures = year_service(2026, absences=[leave])
    assert figures.months_absent == 3 and figures.months_absent_maternity == 0
    assert figures.months_worked == 9 and figures.maternity is False


_DAY = st.integers(min_value=0, max_value=120).map(
    lambda n: date.fromordinal(date(2026, 1, 1).toordinal() + n)
)


@st.composite
def _leave(draw):
    start = draw(_DAY)
    length = draw(st.integers(min_value=0, max_value=60))
    end = date.fromordinal(start.toordinal() + length)
    return Absence(
        draw(st.sampled_from(["maternity", "sickness", "training", "other"])), start, end
    )


@given(
    st.lists(_leave(), max_size=6),
    st.one_of(st.none(), _DAY),
    st.one_of(st.none(), _DAY),
)
def test_period_service_matches_counting_each_day(leaves, joined, left):
    """Days in post and absent equal a day-by-day count over February–March 2026, for any
    leaves (overlapping or not) and any join and leave dates; days worked never go negative."""
    start, end = date(2026, 2, 1), date(2026, 3, 31)
    service = period_service(start, end, joined=joined, left=left, absences=leaves)
    days = [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)]
    in_post = [d for d in days if (joined is None or d >= joined) and (left is None or d <= left)]
    absent = [d for d in in_post if any(a.starts_on <= d <= a.ends_on for a in leaves)]
    assert (service.days_in_post, service.days_absent) == (len(in_post), len(absent))
    assert 0 <= service.days_worked <= service.days_in_period == 59
    assert all(any(a.starts_on <= d <= a.ends_on for d in in_post) for a in service.absences)
