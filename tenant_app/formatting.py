"""One clock and one way of writing: times in the province's zone, dd/mm/yyyy, 1.234.567,5.

Stored times are naive UTC; people read them in the province's zone (``KPI_TIMEZONE``, default
Asia/Ho_Chi_Minh) as ``dd/mm/yyyy HH:MM``. Dates (no time of day) are never shifted. The Jinja
filters are registered app-wide by ``init_app`` so every template, PDF and e-mail uses the same.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import current_app, has_app_context
from flask_babel import get_locale

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """Return the province's time zone (``KPI_TIMEZONE``; the default outside an app)."""
    name = current_app.config.get("KPI_TIMEZONE") if has_app_context() else None
    return _zone(name or DEFAULT_TIMEZONE)


def to_local(value: datetime) -> datetime:
    """Return a stored time (naive = UTC, or aware) as naive local time."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(local_zone()).replace(tzinfo=None)


def local_day_start(day: date) -> datetime:
    """Return the naive UTC instant at which ``day`` starts in the local zone."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=local_zone())
    return start.astimezone(UTC).replace(tzinfo=None)


def vn_datetime(value: datetime | date | None, empty: str = "—") -> str:
    """Return ``value`` as dd/mm/yyyy HH:MM local time (a bare date as dd/mm/yyyy)."""
    if value is None or value == "":
        return empty
    if not isinstance(value, datetime):
        return value.strftime(DATE_FORMAT)
    return to_local(value).strftime(DATETIME_FORMAT)


def vn_date(value: datetime | date | None, empty: str = "—") -> str:
    """Return ``value`` as dd/mm/yyyy: a stored time by its local day, a date as it is."""
    if value is None or value == "":
        return empty
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime(DATE_FORMAT)


@functools.lru_cache(maxsize=8)
def _separators(locale: str) -> dict[int, str]:
    """The locale's grouping and decimal signs, as a table from Python's "," and "."."""
    return str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})


def _locale() -> str:
    return str(get_locale() or "vi") if has_app_context() else "vi"


def vn_number(value, places: int = 2) -> str:
    """Return ``value`` with ``places`` decimals in the user's language (1.234.567,50 in vi).

    Rounded half up. Formats with Python and swaps in the locale's signs (CLDR's, via Babel).
    """
    if value is None or value == "":
        return "—"
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(str(value)).quantize(quantum, rounding="ROUND_HALF_UP")
    return f"{exact:,.{places}f}".translate(_separators(_locale()))


def number_formatter():
    """Return ``vn_number`` bound to the current language, for formatting thousands of numbers
    in one request (the comparison table) without looking the language up for each one."""
    separators = _separators(_locale())
    quanta = {}

    def number(value, places: int = 2) -> str:
        if value is None or value == "":
            return "—"
        quantum = quanta.get(places)
        if quantum is None:
            quantum = quanta[places] = Decimal(1).scaleb(-places)
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        exact = exact.quantize(quantum, rounding="ROUND_HALF_UP")
        return f"{exact:,.{places}f}".translate(separators)

    return number


def vn_short(value) -> str:
    """Return a number without trailing zeros (1,5 or 118.182.400) in the user's language."""
    if value is None or value == "":
        return "—"
    try:
        exact = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    places = max(-exact.as_tuple().exponent, 0)
    return vn_number(exact, places)


def input_number(value) -> str:
    """Return a number as a form field shows it for editing: decimal comma, no grouping (1,5)."""
    if value is None or value == "":
        return ""
    try:
        exact = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    text = f"{exact:f}"
    return text.replace(".", ",") if _locale().startswith("vi") else text


_GROUPED_DOTS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_GROUPED_DOTS_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_GROUPED_COMMAS_DOT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def normalise_number(text: str) -> str:
    """Return typed number text as Python reads it: "1,5"→"1.5", "9.500.000"→"9500000".

    Vietnamese writes a decimal comma and groups thousands with dots (or spaces). A single dot
    or comma followed by other than exactly three digits is a decimal sign; "1.234.567,5" and
    "1,234,567.5" are read by their last sign. "1.500" (one dot, three digits) stays 1.5 —
    Python's and most spreadsheets' reading — so a pasted decimal never grows a thousandfold.
    """
    text = _SPACES.sub("", text or "")
    if _GROUPED_DOTS_COMMA.match(text):
        return text.replace(".", "").replace(",", ".")
    if _GROUPED_COMMAS_DOT.match(text):
        return text.replace(",", "")
    if _GROUPED_DOTS.match(text) and text.count(".") > 1:
        return text.replace(".", "")
    if text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    return text


def init_app(app) -> None:
    """Register the filters every template uses for times and numbers."""
    app.config.setdefault("KPI_TIMEZONE", DEFAULT_TIMEZONE)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["KPI_TIMEZONE"]
    app.add_template_filter(vn_datetime, "vn_datetime")
    app.add_template_filter(vn_date, "vn_date")
    app.add_template_filter(vn_number, "vn_number")
    app.add_template_filter(vn_short, "vn_short")
    app.add_template_filter(input_number, "input_number")
