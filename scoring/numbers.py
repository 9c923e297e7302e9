"""Number policy of the engine: bounded inputs, exact rationals, one rounding for display.

Every input is a decimal with at most ``MAX_PLACES`` places inside a documented range; the engine
turns it into an integer scaled by ``SCALE`` and computes with integers and ``Fraction``s, so a
total is exact (30 + 0.7 × 400/7 is 70, not 69.999…). Rounding happens once, for display or
storage, with the functions at the bottom of this module.
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    InvalidOperation,
)
from fractions import Fraction

from scoring.errors import ScoringInputError

# A private context so a caller changing the global decimal context cannot change a score.
# Inputs are bounded far below its precision, so parsing and scaling are always exact.
DECIMAL_CONTEXT = Context(prec=60)

MAX_PLACES = 6
SCALE = 10**MAX_PLACES
MAX_QUANTITY = Decimal(1_000_000)
MAX_COEFFICIENT = Decimal(1_000)
MAX_ITEMS = 500
MAX_COUNT = 10_000_000
MAX_POINTS = Decimal(1_000)
# A number written with more characters than this cannot be within any range above.
MAX_NUMBER_TEXT = 40

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def to_decimal(
    value: object,
    field: str,
    *,
    low: Decimal | None = None,
    high: Decimal | None = None,
    places: int = MAX_PLACES,
) -> Decimal:
    """Return ``value`` as a finite Decimal within [low, high] with at most ``places`` places.

    Accepts Decimal, int, str and float (a float goes through ``repr`` so 0.1 stays 0.1);
    booleans and other types are refused. Raises ScoringInputError naming ``field``.
    """
    kind = type(value)
    if kind is Decimal:
        result = value
    elif kind is int:
        if not -(10**16) < value < 10**16:
            raise ScoringInputError(field, _range_message(low, high))
        result = Decimal(value)
    elif kind is str or kind is float:
        text = repr(value) if kind is float else value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise ScoringInputError(field, _range_message(low, high))
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ScoringInputError(field, f"'{value}' không phải là một số hợp lệ.") from None
    elif isinstance(value, Decimal):
        result = Decimal(value)
    else:
        raise ScoringInputError(field, "Giá trị phải là một số.")
    if not result.is_finite():
        raise ScoringInputError(field, "Giá trị phải là một số hữu hạn.")
    if result and result.adjusted() > 15:
        raise ScoringInputError(field, _range_message(low, high))
    if (low is not None and result < low) or (high is not None and result > high):
        raise ScoringInputError(field, _range_message(low, high))
    if result.as_tuple().exponent < -places and result != result.quantize(
        Decimal(1).scaleb(-places), context=DECIMAL_CONTEXT
    ):
        raise ScoringInputError(field, f"Tối đa {places} chữ số thập phân.")
    return result


def to_count(value: object, field: str, *, high: int = MAX_COUNT) -> int:
    """Return ``value`` as an int in [0, high] (integral strings and Decimals accepted)."""
    if type(value) is int:
        number = value
    else:
        decimal = to_decimal(value, field)
        if decimal != decimal.to_integral_value():
            raise ScoringInputError(field, "Giá trị phải là số nguyên.")
        number = int(decimal)
    if number < 0:
        raise ScoringInputError(field, "Giá trị không được âm.")
    if number > high:
        raise ScoringInputError(field, f"Giá trị tối đa là {high:,}.".replace(",", "."))
    return number


def _range_message(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"Giá trị phải trong khoảng {plain(low)} đến {plain(high)}."
    if high is not None:
        return f"Giá trị không được vượt {plain(high)}."
    return "Giá trị nằm ngoài khoảng cho phép."


def scaled(value: Decimal) -> int:
    """Return ``value × SCALE`` as an int; ``value`` has at most MAX_PLACES places (validated)."""
    return int(value.scaleb(MAX_PLACES, DECIMAL_CONTEXT))


def to_fraction(value: object, field: str) -> Fraction:
    """Return an exact rational from a Fraction, a number, or a string ``"490/7"`` or ``"70.5"``."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        text = value.strip()
        if len(text) > 2 * MAX_NUMBER_TEXT + 1:
            raise ScoringInputError(field, "Giá trị nằm ngoài khoảng cho phép.")
        try:
            result = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ScoringInputError(field, f"'{value}' không phải là một số hợp lệ.") from None
        return result
    return Fraction(to_decimal(value, field, places=28))


def exact_text(value: Fraction) -> str:
    """Return the exact value as ``"70"`` or ``"490/7"`` (the form ``to_fraction`` reads back)."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def round_fraction(value: Fraction, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Return ``value`` rounded to ``places`` decimals by a decimal module rounding mode, exactly.

    Works on the rational itself: no binary or 28-digit intermediate can move a value across
    a rounding boundary.
    """
    negative = value < 0
    magnitude = -value if negative else value
    shifted = magnitude * 10**places
    whole, rest = divmod(shifted.numerator, shifted.denominator)
    denominator = shifted.denominator
    if rest:
        twice = 2 * rest
        if rounding == ROUND_UP:
            whole += 1
        elif rounding == ROUND_DOWN:
            pass
        elif rounding == ROUND_CEILING:
            whole += 0 if negative else 1
        elif rounding == ROUND_FLOOR:
            whole += 1 if negative else 0
        elif twice > denominator or (
            twice == denominator
            and (rounding == ROUND_HALF_UP or (rounding == ROUND_HALF_EVEN and whole % 2))
        ):
            whole += 1
    result = Decimal(-whole if negative else whole).scaleb(-places, DECIMAL_CONTEXT)
    return result


def stored(value: Fraction) -> Decimal:
    """Return ``value`` truncated toward minus infinity to MAX_PLACES places, for storage.

    Flooring keeps every comparison with a threshold of at most MAX_PLACES places true: the
    stored total is ≥ 70 exactly when the exact total is.
    """
    # Python's // is a floor division for negative values too.
    whole = value.numerator * SCALE // value.denominator
    return Decimal(whole).scaleb(-MAX_PLACES, DECIMAL_CONTEXT)


def plain(value: Decimal | Fraction | int) -> str:
    """Return a number as plain text without exponent or trailing zeros (75.00 → "75")."""
    if isinstance(value, Fraction):
        value = round_fraction(value, MAX_PLACES, ROUND_HALF_EVEN)
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def shown(value: Decimal | Fraction | int, places: int) -> str:
    """Return a number for a person to read: at most ``places`` decimals, decimal comma."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        value = Fraction(value)
    text = plain(round_fraction(value, places, ROUND_HALF_UP))
    return text.replace(".", ",")


def fixed(value: Decimal, places: int) -> str:
    """Return a rounded display value with exactly ``places`` decimals and a decimal comma."""
    return format(value, f".{places}f").replace(".", ",")


def clean(value: Decimal) -> Decimal:
    """Return ``value`` without trailing zeros and without exponent notation (75.00 -> 75)."""
    normal = value.normalize(DECIMAL_CONTEXT)
    if normal.as_tuple().exponent > 0:
        return normal.quantize(Decimal(1))
    return normal


def dec_str(value: Decimal) -> str:
    """Return the plain string of a Decimal, never in exponent notation."""
    return format(value, "f")
