"""Input and output records of period scoring: grades, work items, leader criteria, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from scoring.errors import ScoringInputError
from scoring.explain import Explanation
from scoring.numbers import to_count, to_decimal


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
    objective cause.
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
        prefix = f"items[{self.code}]"
        for name in ("assigned", "coefficient", "completed"):
            value = to_decimal(getattr(self, name), f"{prefix}.{name}")
            object.__setattr__(self, name, value)
        for name in ("major_errors", "delays", "exempt_errors", "exempt_delays"):
            object.__setattr__(self, name, to_count(getattr(self, name), f"{prefix}.{name}"))


@dataclass(frozen=True)
class LeaderCriteria:
    """The extra criteria of a head or deputy, in percent: unit results and capacity to organise."""

    unit_results: Decimal
    organising: Decimal

    def __post_init__(self) -> None:
        for name in ("unit_results", "organising"):
            value = to_decimal(getattr(self, name), f"leader_criteria.{name}")
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class PeriodInput:
    """Everything needed to score one person for one period (month or quarter).

    ``general`` holds the points of each general criterion, in ``Params.general_criteria`` order.
    ``leader`` is None for a non-leader. ``forced_fail`` is a reason code or None.
    """

    items: tuple[WorkItem, ...]
    general: tuple[Decimal, ...]
    leader: LeaderCriteria | None = None
    forced_fail: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        points = tuple(to_decimal(p, f"general[{i}]") for i, p in enumerate(self.general))
        object.__setattr__(self, "general", points)


@dataclass(frozen=True)
class PeriodResult:
    """The score of one period. All values are exact; only ``total_display`` is rounded.

    a, b, c are quantity, quality and timeliness in percent; ``unit_results`` and ``organising`` are
    the leader criteria (None for others); ``grade`` comes from the unrounded total
    (or is KHTNV when ``forced_fail`` is set).
    """

    rule_set: str
    a: Decimal
    b: Decimal
    c: Decimal
    unit_results: Decimal | None
    organising: Decimal | None
    task_score: Decimal
    task_points: Decimal
    general_points: Decimal
    total: Decimal
    total_display: Decimal
    grade: Grade
    forced_fail: str | None
    explanation: Explanation = field(default=(), hash=False)
