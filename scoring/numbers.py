"""Decimal arithmetic policy of the engine: parsing numbers, the fixed context, clean results."""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

from scoring.errors import ScoringInputError

# A private context so a caller changing the global decimal context cannot change a score.
DECIMAL_CONTEXT = Context(prec=28)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def to_decimal(value: object, field: str) -> Decimal:
    """Return ``value`` as a finite Decimal; raise ScoringInputError naming ``field`` otherwise.

    Accepts Decimal, int, str and float (a float goes through ``repr`` so 0.1 stays 0.1);
    booleans and other types are refused.
    """
    if isinstance(value, bool) or value is None:
        raise ScoringInputError(field, "Giá trị phải là một số.")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ScoringInputError(field, f"'{value}' không phải là một số hợp lệ.") from None
    else:
        raise ScoringInputError(field, "Giá trị phải là một số.")
    if not result.is_finite():
        raise ScoringInputError(field, "Giá trị phải là một số hữu hạn.")
    return result


def to_count(value: object, field: str) -> int:
    """Return ``value`` as a non-negative int (integral strings and Decimals accepted)."""
    number = to_decimal(value, field)
    if number != number.to_integral_value():
        raise ScoringInputError(field, "Giá trị phải là số nguyên.")
    if number < 0:
        raise ScoringInputError(field, "Giá trị không được âm.")
    return int(number)


def clean(value: Decimal) -> Decimal:
    """Return ``value`` without trailing zeros and without exponent notation (75.00 -> 75)."""
    normal = value.normalize(DECIMAL_CONTEXT)
    if normal.as_tuple().exponent > 0:
        return normal.quantize(Decimal(1))
    return normal


def dec_str(value: Decimal) -> str:
    """Return the plain string of a Decimal, never in exponent notation."""
    return format(value, "f")
