"""Bounded JSON reading for the sandbox: size, encoding, nesting depth, numbers and strings.

``kpi score`` and ``POST /api/v1/scoring/simulate`` read untrusted documents. Python's ``json``
would turn a 5,000-digit integer into a ValueError (the int-from-string limit), accept ``NaN``,
and raise RecursionError on deep nesting; here every such case is a ScoringInputError naming the
field, decided before or while parsing and at a cost linear in the size of the document.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from scoring.errors import ScoringInputError
from scoring.numbers import MAX_NUMBER_TEXT

MAX_BYTES = 1_000_000
MAX_DEPTH = 20

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class _Unreadable:
    """A number the parser kept as text because it cannot be within any range, or NaN/Infinity."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def load_json(raw: bytes | str) -> Any:
    """Return the JSON document ``raw`` with floats as Decimal and bounded integers.

    Raises ScoringInputError: field ``"json"`` for a document over MAX_BYTES, not UTF-8,
    malformed or nested deeper than MAX_DEPTH; the path of the value (``items[0].assigned``)
    for a number longer than MAX_NUMBER_TEXT characters, NaN or Infinity, or a string with
    characters that cannot be encoded.
    """
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise too_large()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ScoringInputError(
                "json", f"Dữ liệu không phải UTF-8 (byte không hợp lệ ở vị trí {error.start})."
            ) from None
    else:
        if len(raw) > MAX_BYTES:
            raise too_large()
        text = raw.removeprefix("\ufeff")
    _check_depth(text)
    try:
        data = json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except json.JSONDecodeError as error:
        raise ScoringInputError(
            "json", f"JSON không hợp lệ: {error.msg} (dòng {error.lineno}, cột {error.colno})."
        ) from None
    except RecursionError:  # defence in depth: _check_depth already refuses such documents
        raise _too_deep() from None
    _check_values(data, "$")
    return data


def too_large() -> ScoringInputError:
    """Return the error for a document over MAX_BYTES."""
    return ScoringInputError("json", f"Dữ liệu vượt quá {MAX_BYTES:,} byte.".replace(",", "."))


def _too_deep() -> ScoringInputError:
    return ScoringInputError("json", f"JSON lồng nhau quá {MAX_DEPTH} cấp.")


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, counting brackets outside strings."""
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep()
        else:
            depth -= 1


def _parse_int(text: str) -> int | _Unreadable:
    if len(text) > MAX_NUMBER_TEXT:
        return _Unreadable(_long_number(text))
    return int(text)


def _parse_float(text: str) -> Decimal | _Unreadable:
    if len(text) > MAX_NUMBER_TEXT:
        return _Unreadable(_long_number(text))
    number = Decimal(text)
    # 1e-999999999 is as far outside every range as 1e999999999, and would underflow the
    # engine's decimal context on its way to an integer.
    if number and not -MAX_NUMBER_TEXT <= number.adjusted() <= MAX_NUMBER_TEXT:
        return _Unreadable(f"Số '{text}' nằm ngoài khoảng cho phép.")
    return number


def _parse_constant(text: str) -> _Unreadable:
    return _Unreadable(f"Giá trị phải là một số hữu hạn (không nhận {text}).")


def _long_number(text: str) -> str:
    return (
        f"Số '{text[:12]}…' dài {len(text)} ký tự (tối đa {MAX_NUMBER_TEXT}): "
        "giá trị nằm ngoài khoảng cho phép."
    )


def _check_values(value: Any, path: str) -> None:
    """Raise on the first unreadable number or unencodable string, naming its path."""
    if isinstance(value, _Unreadable):
        raise ScoringInputError(path, value.message)
    if isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, path)
            name = key_name(key)
            _check_values(item, name if path == "$" else f"{path}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_values(item, f"{path}[{i}]")


def key_name(key: str) -> str:
    """Return an object key as a field name: ``""`` when empty, shortened when long."""
    if not key.strip():
        return json.dumps(key)
    return key if len(key) <= 100 else key[:100] + "…"


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ScoringInputError(
            path, "Chuỗi chứa ký tự không hợp lệ (nửa cặp thay thế UTF-16)."
        ) from None
