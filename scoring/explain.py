"""Explanation steps carried by every result, and their JSON-ready conversion."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from scoring.numbers import dec_str, plain, stored


@dataclasses.dataclass(frozen=True)
class ExplanationStep:
    """One line of a score's explanation, in the order a person reads it.

    ``code`` is stable for programs, ``label`` is Vietnamese for the screen, ``inputs`` holds the
    values the step used, ``formula`` is the calculation written out with numbers as people read
    them (display precision, decimal comma), ``result`` its exact value (a Fraction or Decimal,
    or a grade code for the classification step).
    """

    code: str
    label: str
    inputs: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)
    formula: str = ""
    result: Decimal | Fraction | str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", MappingProxyType(dict(self.inputs)))


Explanation = tuple[ExplanationStep, ...]


def to_jsonable(value: Any) -> Any:
    """Return ``value`` in JSON types: numbers as strings, enums as values, tuples as lists.

    An exact rational is written with at most 6 decimals, truncated (never rounded up across a
    threshold); its exact form is kept elsewhere (``total_exact``).
    """
    if isinstance(value, Decimal):
        return dec_str(value)
    if isinstance(value, Fraction):
        return plain(stored(value))
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr
        }
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [to_jsonable(item) for item in value]
    return value


def explanation_to_dict(explanation: Explanation) -> list[dict[str, Any]]:
    """Return the explanation as a list of ``{code, label, inputs, formula, result}`` dicts."""
    return [to_jsonable(step) for step in explanation]


def result_to_dict(result: Any) -> dict[str, Any]:
    """Return any scoring result dataclass as a JSON-ready dict (Decimals as strings)."""
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        raise TypeError("result_to_dict expects a scoring result dataclass")
    return to_jsonable(result)
