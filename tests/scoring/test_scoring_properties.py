"""Invariants of period scoring and the quota, checked as Hypothesis properties."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from scoring import Params, PeriodInput, WorkItem, grade_for_total, quota_allowed, score_period

coefficients = st.decimals(min_value="0.1", max_value="10", places=2)
points = st.decimals(min_value=0, max_value=10, places=3)


@st.composite
def work_items(draw, code="X"):
    """A valid work item: completed ≤ assigned, at most 4 errors/delays per completed product."""
    assigned = draw(st.integers(min_value=1, max_value=40))
    completed = draw(st.integers(min_value=0, max_value=assigned))
    errors = draw(st.integers(min_value=0, max_value=4 * completed))
    delays = draw(st.integers(min_value=0, max_value=4 * completed))
    return WorkItem(
        code,
        assigned,
        draw(coefficients),
        completed,
        major_errors=errors,
        delays=delays,
        exempt_errors=draw(st.integers(min_value=0, max_value=errors)),
        exempt_delays=draw(st.integers(min_value=0, max_value=delays)),
    )


@st.composite
def periods(draw):
    """A valid non-leader period of one to six items."""
    count = draw(st.integers(min_value=1, max_value=6))
    items = tuple(draw(work_items(code=f"T{i}")) for i in range(count))
    general = tuple(draw(points) for _ in range(3))
    return PeriodInput(items=items, general=general)


@given(periods())
def test_property_total_between_0_and_100(period):
    """Without over-completion the total stays within 0–100."""
    result = score_period(period)
    assert 0 <= result.total <= 100


@given(periods(), st.data())
def test_property_more_completed_work_never_lowers_a(period, data):
    """Completing one more product of an item never lowers a."""
    index = data.draw(st.integers(min_value=0, max_value=len(period.items) - 1))
    item = period.items[index]
    if item.completed == item.assigned:
        item = replace(item, assigned=item.assigned + 1)
        period = _with_item(period, index, item)
    better = _with_item(period, index, replace(item, completed=item.completed + 1))
    assert score_period(better).a >= score_period(period).a


@given(periods(), st.data())
def test_property_added_error_never_raises_b(period, data):
    """One more (non-exempt) major error never raises b."""
    candidates = [i for i, it in enumerate(period.items) if it.major_errors < 4 * it.completed]
    if not candidates:
        return
    index = data.draw(st.sampled_from(candidates))
    item = period.items[index]
    worse = _with_item(period, index, replace(item, major_errors=item.major_errors + 1))
    assert score_period(worse).b <= score_period(period).b


@given(periods(), st.randoms(use_true_random=False))
def test_property_item_order_changes_nothing(period, random):
    """Permuting the items leaves every score and the grade unchanged."""
    shuffled = list(period.items)
    random.shuffle(shuffled)
    first, second = score_period(period), score_period(replace(period, items=tuple(shuffled)))
    assert (first.a, first.b, first.c, first.total, first.grade) == (
        second.a,
        second.b,
        second.c,
        second.total,
        second.grade,
    )


@given(
    st.decimals(min_value=0, max_value=100, places=4),
    st.decimals(min_value=0, max_value=100, places=4),
)
def test_property_grade_is_monotone_in_total(low, high):
    """A higher total never gets a lower grade."""
    low, high = sorted((low, high))
    params = Params()
    assert grade_for_total(low, params).rank <= grade_for_total(high, params).rank


@given(
    st.integers(min_value=0, max_value=10_000),
    st.decimals(min_value=0, max_value=1, places=3),
    st.sampled_from(["floor", "ceil", "half_up"]),
)
def test_property_floor_quota_never_exceeds_ratio_times_htt(htt_count, ratio, rounding):
    """Allowed HTXS never exceed ratio × HTT under floor, and exceed it by under 1 otherwise."""
    params = Params(quota_ratio=ratio, quota_rounding=rounding)
    allowed = quota_allowed(htt_count, params)
    exact = ratio * htt_count
    assert 0 <= allowed < exact + 1
    if rounding == "floor":
        assert allowed <= exact


def _with_item(period: PeriodInput, index: int, item: WorkItem) -> PeriodInput:
    items = list(period.items)
    items[index] = item
    return replace(period, items=tuple(items))


def test_deductions_four_per_product_exhaust_credit():
    """Four errors and four delays on each completed product leave b = c = 0 while a = 100."""
    item = WorkItem("T0", 3, Decimal("0.1"), 3, major_errors=12, delays=12)
    result = score_period(PeriodInput((item,), (0, 0, 0)))
    assert (result.a, result.b, result.c) == (100, 0, 0)
