"""KPI indicators: hand-computed golden scores, validation, and Hypothesis invariants."""

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import (
    IndicatorSpec,
    IndicatorValue,
    ScoringInputError,
    aggregate,
    explanation_to_dict,
    result_to_dict,
    score_indicator,
    spec_from_mapping,
    unit_indicator_score,
)


def spec(direction="higher", method="ratio_capped", aggregation="last", **values):
    return IndicatorSpec("CT01", "Chỉ số thử", direction, method, aggregation, **values)


def vals(*numbers):
    return [IndicatorValue(Decimal(str(n))) for n in numbers]


def score(indicator, *numbers):
    return score_indicator(indicator, vals(*numbers)).score


# --- golden: hand-computed ----------------------------------------------------------------------


def test_golden_on_time_share_90_of_target_95():
    """Share settled on time 90 % of a 95 % target: 100 × 90 / 95 = 1800/19 ≈ 94,74."""
    result = score_indicator(spec(target="95"), vals(90))
    assert result.value == 90
    assert result.score == Fraction(1800, 19)
    steps = result.explanation
    assert [s.code for s in steps] == ["indicator.aggregate", "indicator.score"]
    assert steps[1].formula == "min(100; 100 × 90 / 95) ≈ 94,74"
    assert steps[1].result == Fraction(1800, 19)


def test_golden_higher_above_target_is_capped():
    """98 of 95 would be 103,16; the cap 100 limits it; a cap of 80 limits 94,74 to 80."""
    assert score(spec(target="95"), 98) == 100
    assert score(spec(target="95", cap_percent="80"), 90) == 80
    assert score(spec(target="95"), 0) == 0
    assert score(spec(target="95"), -5) == 0


def test_golden_lower_average_of_days():
    """Average processing time (3 + 4 + 5) / 3 = 4 days for a target of 2: 100 × 2 / 4 = 50."""
    indicator = spec("lower", aggregation="average", target="2")
    result = score_indicator(indicator, vals(3, 4, 5))
    assert (result.value, result.score) == (4, 50)
    assert result.explanation[0].formula == "(3 + 4 + 5) / 3 = 4"
    assert result.explanation[1].formula == "min(100; 100 × 2 / 4) = 50"
    assert score(indicator, 0) == 100  # value 0 → the cap
    assert score(indicator, 1) == 100  # 200 capped
    assert score(spec("lower", target="2", cap_percent="90"), 0) == 90


def test_golden_band_ratio():
    """Band [70; 90]: inside 100; 63 → 100 × 63/70 = 90; 120 → 100 × 90/120 = 75."""
    indicator = spec("band", band_low="70", band_high="90")
    assert score(indicator, 70) == score(indicator, 80) == score(indicator, 90) == 100
    assert score(indicator, 63) == 90
    assert score(indicator, 120) == 75
    assert score(indicator, 91) == Fraction(9000, 91)
    assert score(indicator, -7) == 0
    # A ratio to a limit ≤ 0 is undefined → 0.
    assert score(spec("band", band_low="-10", band_high="0"), -20) == 0
    assert score(spec("band", band_low="-10", band_high="0"), 5) == 0
    assert score(spec("band", band_low="-10", band_high="0"), -3) == 100


def test_golden_yes_no_ratio_and_count():
    """yes_no: any non-zero value scores the cap; count of observations is the value."""
    indicator = spec("yes_no", aggregation="count")
    result = score_indicator(indicator, vals(0, 0, 0))
    assert (result.value, result.score) == (3, 100)
    assert score(spec("yes_no"), 0) == 0
    assert score(spec("yes_no", cap_percent="75"), 1) == 75


def test_golden_bands_lower_late_dossiers():
    """Late dossiers summed 1 + 1 = 2 against bands 0→100, 1→80, 3→50, 5→0 → 80."""
    bands = (("0", "100"), ("1", "80"), ("3", "50"), ("5", "0"))
    indicator = spec("lower", "bands", "sum", target="0", bands=bands)
    result = score_indicator(indicator, vals(1, 1))
    assert (result.value, result.score) == (2, 80)
    assert result.explanation[0].formula == "1 + 1 = 2"
    assert result.explanation[1].formula == "2 ≥ 1: khung từ 1 → 80"
    assert score(indicator, 0) == 100
    assert score(indicator, 3) == 50
    assert score(indicator, 7) == 0
    assert score(indicator, -1) == 0  # below the first band
    higher = spec("higher", "bands", bands=(("50", "50"), ("80", "80"), ("95", "100")))
    assert score(higher, 40) == 0
    assert score(higher, Decimal("79.999999")) == 50
    assert score(higher, 95) == 100


def test_golden_pass_fail_every_direction():
    """pass_fail gives 100 or 0; the limits themselves pass."""
    assert score(spec(method="pass_fail", target="95"), 95) == 100
    assert score(spec(method="pass_fail", target="95"), Decimal("94.999999")) == 0
    assert score(spec("lower", "pass_fail", target="0"), 0) == 100
    assert score(spec("lower", "pass_fail", target="0"), Decimal("0.000001")) == 0
    band = spec("band", "pass_fail", band_low="1", band_high="2")
    assert [score(band, v) for v in (0, 1, 2, 3)] == [0, 100, 100, 0]
    assert score(spec("yes_no", "pass_fail"), 0) == 0
    assert score(spec("yes_no", "pass_fail"), -1) == 100


def test_golden_average_is_exact():
    """(1 + 2 + 2) / 3 = 5/3 against target 2: 100 × 5/3 / 2 = 250/3, never 83.33…"""
    indicator = spec(aggregation="average", target="2")
    result = score_indicator(indicator, vals(1, 2, 2))
    assert result.value == Fraction(5, 3)
    assert result.score == Fraction(250, 3)
    assert result.explanation[0].formula == "(1 + 2 + 2) / 3 ≈ 1,666667"
    assert result.explanation[1].formula == "min(100; 100 × 1,666667 / 2) ≈ 83,33"


def test_golden_sum_of_decimals_is_exact():
    """0.1 + 0.2 is 3/10 exactly; 100 × 0.3 / 0.4 = 75."""
    indicator = spec(aggregation="sum", target="0.4")
    assert aggregate(indicator, vals("0.1", "0.2")) == Fraction(3, 10)
    assert score(indicator, "0.1", "0.2") == 75


def test_golden_last_uses_latest_time_then_list_order():
    """'last' takes the latest ``at`` (a date is midnight); ties go to the later in the list."""
    indicator = spec(target="100")
    values = [
        IndicatorValue(Decimal(70), date(2026, 3, 31)),
        IndicatorValue(Decimal(90), date(2026, 1, 31)),
        IndicatorValue(Decimal(80), datetime(2026, 3, 30, 23, 59)),
    ]
    assert aggregate(indicator, values) == 70
    tie = [*values, IndicatorValue(Decimal(60), datetime(2026, 3, 31))]
    assert aggregate(indicator, tie) == 60
    assert aggregate(indicator, vals(1, 2, 3)) == 3  # no time at all: the last in the list
    result = score_indicator(indicator, values)
    assert (
        result.explanation[0].formula == "giá trị ghi nhận sau cùng (lúc 2026-03-31), lần 1/3 = 70"
    )


def test_golden_last_refuses_partial_or_mixed_times():
    indicator = spec(target="100")
    with pytest.raises(ScoringInputError) as err:
        aggregate(indicator, [IndicatorValue(1, date(2026, 1, 1)), IndicatorValue(2)])
    assert err.value.field == "values[1].at"
    mixed = [
        IndicatorValue(1, datetime(2026, 1, 1, tzinfo=UTC)),
        IndicatorValue(2, datetime(2026, 1, 2)),
    ]
    with pytest.raises(ScoringInputError) as err:
        aggregate(indicator, mixed)
    assert err.value.field == "values[1].at"
    # Only 'last' reads the times.
    assert aggregate(spec(aggregation="sum", target="1"), mixed) == 3


def test_golden_no_data():
    """No observation: no value, no score, one step, whatever the aggregation."""
    for aggregation in ("sum", "average", "last", "count"):
        indicator = spec(aggregation=aggregation, target="95")
        assert aggregate(indicator, []) is None
        result = score_indicator(indicator, [])
        assert (result.value, result.score, result.has_data) == (None, None, False)
        assert [s.code for s in result.explanation] == ["indicator.no_data"]


def test_golden_unit_weighted_mean_weights_2_and_1():
    """(2 × 1800/19 + 1 × 50) / 3 = 4550/57 ≈ 79,82; an indicator without data is left out."""
    first = score_indicator(spec(target="95", weight="2"), vals(90))
    second = score_indicator(
        IndicatorSpec("CT02", "Thời gian xử lý", "lower", "ratio_capped", "average", target="2"),
        vals(4),
    )
    empty = score_indicator(IndicatorSpec("CT03", "", "yes_no", "pass_fail", "count"), [])
    unit = unit_indicator_score([first, second, empty])
    assert unit.score == Fraction(4550, 57)
    assert unit.weight_total == 3
    codes = [s.code for s in unit.explanation]
    assert codes == ["unit_indicators.indicator"] * 3 + ["unit_indicators.weighted_mean"]
    assert unit.explanation[0].formula == ("CT01: giá trị 90, chỉ tiêu 95, điểm 94,74, trọng số 2")
    assert unit.explanation[1].formula == "CT02: giá trị 4, chỉ tiêu 2, điểm 50, trọng số 1"
    assert unit.explanation[2].formula == "CT03: không có số liệu → không tính"
    assert unit.explanation[-1].formula == "(2 × 94,74 + 1 × 50) / (2 + 1) ≈ 79,82"
    assert unit.explanation[-1].inputs["weight_total"] == 3


def test_golden_unit_without_any_score():
    unit = unit_indicator_score([score_indicator(spec(target="95"), [])])
    assert unit.score is None
    assert unit.explanation[-1].code == "unit_indicators.no_data"
    assert unit_indicator_score([]).score is None


def test_golden_explanation_and_result_are_jsonable():
    result = score_indicator(spec(target="95"), vals(90))
    steps = explanation_to_dict(result.explanation)
    assert steps[1]["result"] == "94.736842"
    assert steps[1]["inputs"]["target"] == "95"
    data = result_to_dict(unit_indicator_score([result]))
    assert data["score"] == "94.736842"


def test_spec_from_mapping_reads_a_template_item():
    """The CT04 item of docs/templates.md, as the template stores it."""
    item = {
        "canonical_code": "TH.CT04",
        "kind": "indicator",
        "code": "CT04",
        "name": "Số hồ sơ giải quyết quá hạn",
        "target": "0",
        "band_low": None,
        "band_high": None,
        "cap_percent": None,
        "weight": None,
        "bands": [{"from": "0", "score": "100"}, {"from": "1", "score": "80"}],
        "direction": "lower",
        "scoring_method": "bands",
        "aggregation": "sum",
        "positions": ["LD01"],
    }
    indicator = spec_from_mapping(item)
    assert indicator.method == "bands"
    assert indicator.bands == ((Decimal(0), Decimal(100)), (Decimal(1), Decimal(80)))
    assert indicator.target == 0
    assert score(indicator, 0) == 100
    assert score(indicator, 2) == 80
    plain = spec_from_mapping(
        {
            "code": "CT01",
            "direction": "higher",
            "method": "ratio_capped",
            "aggregation": "last",
            "target": 95,
            "cap_percent": Decimal("100.00"),
            "weight": "2.5",
        }
    )
    assert (plain.name, plain.target, plain.weight) == ("", Decimal(95), Decimal("2.5"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"direction": "up"}, "direction"),
        ({"method": "linear"}, "method"),
        ({"aggregation": "median"}, "aggregation"),
        ({"code": ""}, "code"),
        ({"target": None}, "target"),
        ({"target": "0"}, "target"),
        ({"target": "-1"}, "target"),
        ({"target": "1.0000001"}, "target"),
        ({"target": "1e13"}, "target"),
        ({"cap_percent": "0"}, "cap_percent"),
        ({"cap_percent": "120"}, "cap_percent"),
        ({"weight": "0"}, "weight"),
        ({"weight": "-1"}, "weight"),
        ({"weight": "abc"}, "weight"),
        ({"direction": "band"}, "band_low"),
        ({"direction": "band", "band_low": "1"}, "band_high"),
        ({"direction": "band", "band_low": "5", "band_high": "4"}, "band_low"),
        ({"method": "bands"}, "bands"),
        ({"method": "bands", "bands": [{"from": "0", "score": "101"}]}, "bands[0].score"),
        ({"method": "bands", "bands": [{"from": "1", "score": "1"}, ["1", "2"]]}, "bands[1].from"),
        ({"method": "bands", "bands": [{"from": "1"}]}, "bands[0]"),
        ({"method": "bands", "bands": "0:100"}, "bands"),
        ({"method": "pass_fail", "direction": "lower", "target": None}, "target"),
        ({"method": "pass_fail", "scoring_method": "bands"}, "method"),
    ],
)
def test_invalid_spec_names_the_field(data, field):
    base = {
        "code": "CT01",
        "name": "Tỷ lệ",
        "direction": "higher",
        "method": "ratio_capped",
        "aggregation": "last",
        "target": "95",
    }
    with pytest.raises(ScoringInputError) as err:
        spec_from_mapping({**base, **data})
    assert err.value.field == field


def test_invalid_values_name_the_field():
    with pytest.raises(ScoringInputError) as err:
        IndicatorValue("1e13")
    assert err.value.field == "value"
    with pytest.raises(ScoringInputError) as err:
        IndicatorValue(True)
    assert err.value.field == "value"
    with pytest.raises(ScoringInputError) as err:
        IndicatorValue(1, at="2026-01-01")
    assert err.value.field == "at"
    with pytest.raises(ScoringInputError) as err:
        score_indicator(spec(target="1"), [IndicatorValue(1), 2])
    assert err.value.field == "values[1]"
    with pytest.raises(ScoringInputError) as err:
        aggregate(spec(target="1"), [IndicatorValue(1)] * 100_001)
    assert err.value.field == "values"
    with pytest.raises(ScoringInputError) as err:
        unit_indicator_score([score_indicator(spec(target="1"), vals(1)), "x"])
    assert err.value.field == "results[1]"


# --- properties ---------------------------------------------------------------------------------

numbers = st.decimals(min_value=-1000, max_value=1000, places=3)
positive = st.decimals(min_value="0.001", max_value=1000, places=3)
observations = st.lists(numbers.map(IndicatorValue), min_size=1, max_size=8)


@st.composite
def bands_tables(draw):
    starts = draw(st.lists(numbers, min_size=1, max_size=6, unique=True))
    scores = st.decimals(min_value=0, max_value=100, places=2)
    return tuple((start, draw(scores)) for start in sorted(starts))


@st.composite
def specs(draw):
    """A valid spec of any direction, method and aggregation."""
    direction = draw(st.sampled_from(("higher", "lower", "band", "yes_no")))
    method = draw(st.sampled_from(("ratio_capped", "bands", "pass_fail")))
    values = {
        "aggregation": draw(st.sampled_from(("sum", "average", "last", "count"))),
        "weight": draw(st.none() | st.decimals(min_value="0.01", max_value=10, places=2)),
        "cap_percent": draw(st.none() | st.decimals(min_value=1, max_value=100, places=2)),
    }
    if method == "bands":
        values["bands"] = draw(bands_tables())
    if direction in ("higher", "lower"):
        values["target"] = draw(positive if method == "ratio_capped" else positive | st.just(0))
    if direction == "band":
        low, high = sorted((draw(numbers), draw(numbers)))
        values["band_low"], values["band_high"] = low, high
    return IndicatorSpec("P1", "", direction, method, **values)


@given(specs(), observations)
def test_property_score_between_0_and_100(indicator, values):
    result = score_indicator(indicator, values)
    assert isinstance(result.score, Fraction)
    assert 0 <= result.score <= 100
    if indicator.method == "ratio_capped":
        assert result.score <= indicator.cap


@given(positive, st.none() | st.decimals(min_value=1, max_value=100, places=2), numbers, numbers)
def test_property_ratio_higher_is_monotone(target, cap, x, y):
    indicator = spec(target=target, cap_percent=cap)
    low, high = sorted((x, y))
    assert score(indicator, low) <= score(indicator, high)


@given(positive, st.none() | st.decimals(min_value=1, max_value=100, places=2), numbers, numbers)
def test_property_ratio_lower_is_monotone(target, cap, x, y):
    indicator = spec("lower", target=target, cap_percent=cap)
    low, high = sorted((x, y))
    assert score(indicator, low) >= score(indicator, high)


@given(st.lists(st.tuples(specs(), observations), min_size=1, max_size=6))
def test_property_weighted_mean_between_min_and_max(pairs):
    results = [score_indicator(indicator, values) for indicator, values in pairs]
    scores = [r.score for r in results]
    unit = unit_indicator_score(results)
    assert min(scores) <= unit.score <= max(scores)
    if len(set(scores)) == 1:
        assert unit.score == scores[0]


@given(observations)
def test_property_average_between_min_and_max(values):
    mean = aggregate(spec(aggregation="average", target="1"), values)
    assert min(v.value for v in values) <= mean <= max(v.value for v in values)
    total = aggregate(spec(aggregation="sum", target="1"), values)
    assert mean * len(values) == total


@given(specs(), observations, st.randoms(use_true_random=False))
def test_property_order_changes_nothing_but_last(indicator, values, random):
    """Deterministic; the order of observations matters only to 'last' without times."""
    first = score_indicator(indicator, values)
    assert score_indicator(indicator, list(values)) == first
    shuffled = list(values)
    random.shuffle(shuffled)
    if indicator.aggregation != "last":
        again = score_indicator(indicator, shuffled)
        assert (again.value, again.score) == (first.value, first.score)


@given(observations, st.randoms(use_true_random=False))
def test_property_last_with_distinct_times_ignores_order(values, random):
    """With distinct times 'last' is the latest observation, whatever the list order."""
    dated = [IndicatorValue(v.value, datetime(2026, 1, 1 + i, 12)) for i, v in enumerate(values)]
    shuffled = list(dated)
    random.shuffle(shuffled)
    last = spec(aggregation="last", target="1")
    assert aggregate(last, shuffled) == Fraction(values[-1].value)


_INVALID = {
    "direction": st.sampled_from(("", "up", "HIGHER", None, 1)),
    "method": st.sampled_from(("", "ratio", "band", None)),
    "aggregation": st.sampled_from(("", "mean", "max", None)),
    "cap_percent": st.sampled_from(("0", "-5", "100.5", "1e3", "x", "0.0000001")),
    "weight": st.sampled_from(("0", "-1", "1001", "nan", "inf", True)),
    "target": st.sampled_from(("-1", "1e13", "0.1234567", "abc")),
    "band_low": st.sampled_from(("-1e13", "1.1234567", "?")),
}


@given(specs(), st.sampled_from(sorted(_INVALID)), st.data())
def test_property_invalid_field_is_named(indicator, field, data):
    """Replacing one field of a valid spec by an invalid value names that field."""
    bad = data.draw(_INVALID[field])
    fields = {
        name: getattr(indicator, name)
        for name in (
            "code",
            "name",
            "direction",
            "method",
            "aggregation",
            "target",
            "band_low",
            "band_high",
            "cap_percent",
            "weight",
            "bands",
        )
    }
    fields[field] = bad
    with pytest.raises(ScoringInputError) as err:
        IndicatorSpec(**fields)
    assert err.value.field == field
