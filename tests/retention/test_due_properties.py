"""The day arithmetic the purge decides with, stated as properties.

- 0 days means never: no file is ever due under a 0 policy.
- Once due, always due: a later day never brings a file back.
- Due exactly ``days`` after ``since``, not a day before.
- ``add_years`` keeps the day of the month (29 February → 28 February) and is never early.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tenant_app.services.files.retention import add_years, is_due

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2200, 12, 31))
spans = st.integers(min_value=1, max_value=3650)


@given(days, days)
def test_zero_days_is_never_due(since, today):
    assert not is_due(since, 0, today)


@given(days, spans, days, st.integers(min_value=0, max_value=5000))
def test_once_due_always_due(since, span, today, later):
    if is_due(since, span, today):
        assert is_due(since, span, today + timedelta(days=later))


@given(days, spans)
def test_due_exactly_after_the_span(since, span):
    assert is_due(since, span, since + timedelta(days=span))
    assert not is_due(since, span, since + timedelta(days=span - 1))


@given(days, st.integers(min_value=1, max_value=100))
def test_add_years_keeps_the_day_and_is_never_early(day, years):
    later = add_years(day, years)
    assert later.year == day.year + years and later.month == day.month
    assert later.day == day.day or (day.month, day.day, later.day) == (2, 29, 28)
    assert (later - day).days >= 365 * years
