"""One clock and one way of writing: local times, dd/mm/yyyy, Vietnamese numbers, "1,5" typed."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from tenant_app import formatting

TEMPLATES = Path(formatting.__file__).resolve().parent / "templates"


def test_vn_datetime_shows_a_utc_evening_as_the_next_local_morning(app):
    """A stored UTC 17:34 reads 00:34 the next day, dd/mm/yyyy HH:MM, in Asia/Ho_Chi_Minh."""
    with app.test_request_context():
        assert formatting.vn_datetime(datetime(2026, 11, 30, 17, 34)) == "01/12/2026 00:34"
        assert formatting.vn_date(datetime(2026, 11, 30, 17, 34)) == "01/12/2026"


def test_vn_date_never_shifts_a_date(app):
    """A calendar date (no time of day) is written as it is."""
    with app.test_request_context():
        assert formatting.vn_date(date(2026, 3, 5)) == "05/03/2026"
        assert formatting.vn_datetime(None) == "—"


def test_timezone_is_a_setting(app):
    """``KPI_TIMEZONE`` moves every time shown to that zone."""
    app.config["KPI_TIMEZONE"] = "Asia/Tokyo"
    with app.test_request_context():
        assert formatting.vn_datetime(datetime(2026, 11, 30, 17, 34)) == "01/12/2026 02:34"


def test_no_template_formats_times_itself():
    """Templates use the vn_datetime / vn_date filters, never strftime or Babel's own formats."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"strftime|datetimeformat|dateformat\(", line)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1,5", "1.5"), ("9,5", "9.5"), ("1.5", "1.5"), ("9.500.000", "9500000"),
     ("1.234.567,5", "1234567.5"), ("1 234 567", "1234567"), ("118182400", "118182400"),
     ("-0,25", "-0.25"), ("abc", "abc")],
)  # fmt: skip
def test_normalise_number_reads_the_vietnamese_decimal_comma(typed, read):
    """Typed numbers in the Vietnamese way are read as Python reads them, unambiguously."""
    assert formatting.normalise_number(typed) == read


def test_vn_number_groups_with_dots_and_a_decimal_comma(app):
    """Vietnamese pages write 1.234.567,5 and 118.182.400."""
    with app.test_request_context():
        assert formatting.vn_short("1234567.50") == "1.234.567,5"
        assert formatting.vn_short(118182400) == "118.182.400"
        assert formatting.input_number("1.50") == "1,5"


def test_number_formatter_writes_what_vn_number_writes(app):
    """The formatter bound to the request's language (for long tables) writes every number as
    ``vn_number`` does, in Vietnamese and in English, halves rounded up."""
    from decimal import Decimal

    values = [None, 0, 5, "1234567.505", 2.675, Decimal("-0.005"), Decimal("81.666666666667")]
    for language in ("vi", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            number = formatting.number_formatter()
            for value in values:
                for places in (0, 1, 2, 4):
                    assert number(value, places) == formatting.vn_number(value, places)
    with app.test_request_context():
        assert formatting.number_formatter()(Decimal("1234.565")) == "1.234,57"
