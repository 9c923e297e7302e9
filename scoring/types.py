"""Input and output records of period scoring: grades, work items, leader criteria, results."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from scoring.errors import ScoringInputError
from scoring.explain import Explanation
from scoring.numbers import (
    DECIMAL_CONTEXT,
    MAX_COEFFICIENT,
    MAX_COUNT,
    MAX_ITEMS,
    MAX_PLACES,
    MAX_POINTS,
    MAX_QUANTITY,
    ZERO,
    scaled,
    to_count,
    to_decimal,
)


class Grade(StrEnum):
    """Classification codes, best first; ``label`` is the Vietnamese text shown to people."""

    HTXS = "HTXS"
    HTT = "HTT"
    HTNV = "HTNV"
    KHTNV = "KHTNV"

    @property
    def label(self) -> str:
        """Return the Vietnamese label of the grade."""
        return _GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        """Return 3 for HTXS down to 0 for KHTNV, so grades compare by ``rank``."""
        return _GRADE_RANKS[self]

    @classmethod
    def parse(cls, value: object, field_name: str) -> Grade:
        """Return the grade for a code such as ``"HTT"``; raise ScoringInputError otherwise."""
        try:
            return cls(value)
        except ValueError:
            codes = ", ".join(g.value for g in cls)
            raise ScoringInputError(
                field_name, f"Xếp loại '{value}' không hợp lệ (chỉ nhận: {codes})."
            ) from None


_GRADE_LABELS = {
    Grade.HTXS: "Hoàn thành xuất sắc nhiệm vụ",
    Grade.HTT: "Hoàn thành tốt nhiệm vụ",
    Grade.HTNV: "Hoàn thành nhiệm vụ",
    Grade.KHTNV: "Không hoàn thành nhiệm vụ",
}
_GRADE_RANKS = {Grade.HTXS: 3, Grade.HTT: 2, Grade.HTNV: 1, Grade.KHTNV: 0}


@dataclass(frozen=True)
class WorkItem:
    """A product or work item assigned in the period (sản phẩm/công việc).

    Quantities are in the item's own unit; ``coefficient`` (hệ số quy đổi) converts them into
    standard units. ``exempt_errors``/``exempt_delays`` are errors and delays with an approved
    objective cause. Ranges (docs/scoring.md): quantities 0–1,000,000 and coefficient above 0 up
    to 1,000, each with at most 6 decimals; counts 0–10,000,000. The scaled integers the engine
    computes with are kept beside the Decimals.
    """

    code: str
    assigned: Decimal
    coefficient: Decimal
    completed: Decimal
    major_errors: int = 0
    delays: int = 0
    exempt_errors: int = 0
    exempt_delays: int = 0

    def __post_init__(self) -> None:
        code = self.code
        if type(code) is not str or not 0 < len(code) <= 100 or not code.strip():
            raise ScoringInputError(f"items[{code}].code", "Mã sản phẩm phải là chuỗi 1–100 ký tự.")
        setattr_ = object.__setattr__
        assigned, q = _quantity(self.assigned, code, "assigned", MAX_QUANTITY)
        completed, done = _quantity(self.completed, code, "completed", MAX_QUANTITY)
        coefficient, k = _quantity(self.coefficient, code, "coefficient", MAX_COEFFICIENT)
        if not k:
            raise ScoringInputError(f"items[{code}].coefficient", "Hệ số quy đổi phải lớn hơn 0.")
        setattr_(self, "assigned", assigned)
        setattr_(self, "completed", completed)
        setattr_(self, "coefficient", coefficient)
        for name in ("major_errors", "delays", "exempt_errors", "exempt_delays"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= MAX_COUNT:
                setattr_(self, name, to_count(value, f"items[{code}].{name}"))
        # The engine's row: quantities and coefficient × 10^6, then the four counts.
        setattr_(
            self,
            "_row",
            (q, k, done, self.major_errors, self.delays, self.exempt_errors, self.exempt_delays),
        )


def _quantity(value: object, code: str, name: str, high: Decimal) -> tuple[Decimal, int]:
    """Return a bounded quantity and its value × 10^6; the common Decimal case is checked fast."""
    if type(value) is Decimal and value.is_finite() and ZERO <= value <= high:
        shifted = value.scaleb(MAX_PLACES, DECIMAL_CONTEXT)
        whole = int(shifted)
        # (a non-zero value that shifts to 0 underflowed: more than 6 decimals)
        if whole == shifted and (whole or not value):
            return value, whole
    checked = to_decimal(value, f"items[{code}].{name}", low=ZERO, high=high)
    return checked, scaled(checked)


def _percent_input(value: object, field: str) -> Decimal | Fraction:
    """A criterion in percent: a bounded decimal, or an exact ``Fraction`` computed elsewhere
    (an indicator score) kept exact, within the same range."""
    if type(value) is Fraction:
        if not ZERO <= value <= MAX_POINTS:
            raise ScoringInputError(field, f"Giá trị phải trong khoảng 0 – {MAX_POINTS}.")
        return value
    return to_decimal(value, field, low=ZERO, high=MAX_POINTS)


@dataclass(frozen=True)
class LeaderCriteria:
    """The extra criteria of a head or deputy, in percent: unit results and capacity to organise.

    ``team_size``, ``team_passing`` and ``team_pending`` are what the unit result was read from
    (subordinates, those at HTNV or better, those not scored yet); they only feed the
    explanation, and a pending subordinate makes the leader's score provisional. ``team_units``
    names the divisions assigned to a deputy (lĩnh vực phụ trách) when the team is theirs.
    """

    unit_results: Decimal
    organising: Decimal
    team_size: int | None = None
    team_passing: int | None = None
    team_pending: int = 0
    team_units: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("unit_results", "organising"):
            object.__setattr__(
                self, name, _percent_input(getattr(self, name), f"leader_criteria.{name}")
            )
        for name in ("team_size", "team_passing", "team_pending"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, to_count(value, f"leader_criteria.{name}"))
        if self.team_units is not None:
            object.__setattr__(self, "team_units", tuple(str(u) for u in self.team_units))


@dataclass(frozen=True)
class PeriodInput:
    """Everything needed to score one person for one period (month or quarter).

    ``general`` holds the points of each general criterion, in ``Params.general_criteria`` order.
    ``leader`` is None for a non-leader. ``forced_fail`` is a reason code or None. At most
    ``MAX_ITEMS`` items.
    """

    items: tuple[WorkItem, ...]
    general: tuple[Decimal, ...]
    leader: LeaderCriteria | None = None
    forced_fail: str | None = None
    # The weighted score of the person's position indicators (0–100), or None; it counts in the
    # task score only when the parameters say ``position_indicators = in_task``.
    indicators: Decimal | Fraction | None = None
    # The unit's own rating when a rule caps this person's grade by it (the head of a public
    # service unit under ``vc_2026``); None: no cap. Rule sets without such a rule ignore it.
    unit_cap: Grade | None = None

    def __post_init__(self) -> None:
        if self.unit_cap is not None:
            object.__setattr__(self, "unit_cap", Grade.parse(self.unit_cap, "unit_cap"))
        if self.indicators is not None:
            object.__setattr__(self, "indicators", _percent_input(self.indicators, "indicators"))
        items = tuple(self.items)
        if len(items) > MAX_ITEMS:
            raise ScoringInputError("items", f"Tối đa {MAX_ITEMS} sản phẩm trong một kỳ.")
        for i, item in enumerate(items):
            if not isinstance(item, WorkItem):
                raise ScoringInputError(f"items[{i}]", "Sản phẩm không hợp lệ.")
        object.__setattr__(self, "items", items)
        general = tuple(self.general)
        if len(general) > 100:
            raise ScoringInputError("general", "Quá nhiều điểm tiêu chí chung.")
        points = tuple(
            to_decimal(p, f"general[{i}]", low=ZERO, high=MAX_POINTS) for i, p in enumerate(general)
        )
        object.__setattr__(self, "general", points)
        if self.leader is not None and not isinstance(self.leader, LeaderCriteria):
            raise ScoringInputError("leader_criteria", "Tiêu chí lãnh đạo không hợp lệ.")
        if self.forced_fail is not None and not isinstance(self.forced_fail, str):
            raise ScoringInputError("forced_fail", "Phải là mã lý do (chuỗi) hoặc null.")


@dataclass(frozen=True)
class PeriodResult:
    """The score of one period, exact: every number is a ``Fraction``, rounded nowhere.

    a, b, c are quantity, quality and timeliness in percent; ``unit_results`` and ``organising``
    are the leader criteria (None for others). ``grade`` is decided on the exact ``total`` (or is
    KHTNV when ``forced_fail`` is set). ``total_stored`` is the total floored to 6 places (so a
    stored total never disagrees with its grade) and ``total_display`` the total rounded for
    people, never shown at or above a grade threshold the exact total does not reach.
    ``explanation`` is built on first access from the input and parameters kept with the result.
    """

    rule_set: str
    engine_version: str
    a: Fraction
    b: Fraction
    c: Fraction
    unit_results: Fraction | None
    organising: Fraction | None
    task_score: Fraction
    task_points: Fraction
    general_points: Fraction
    total: Fraction
    total_stored: Decimal
    total_display: Decimal
    grade: Grade
    forced_fail: str | None
    provisional: bool = False
    # The position indicators' score when it counted in the task score (else None).
    indicators: Fraction | None = None
    source: tuple[Any, Any, Callable[..., Explanation]] | None = field(
        default=None, repr=False, compare=False, hash=False
    )

    @functools.cached_property
    def explanation(self) -> Explanation:
        """Return the steps of this score, built from its input by the rule set's explainer."""
        if self.source is None:
            return ()
        period, params, explain = self.source
        return explain(period() if callable(period) else period, params)
