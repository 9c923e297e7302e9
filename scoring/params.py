"""Rule-set parameters as data: the frozen ``Params`` record, defaults, coercion, validation."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from fractions import Fraction
from typing import Any

from scoring.errors import ScoringInputError
from scoring.numbers import (
    DECIMAL_CONTEXT,
    HUNDRED,
    MAX_POINTS,
    round_fraction,
    scaled,
    to_count,
    to_decimal,
)

DISPLAY_ROUNDINGS = frozenset(
    {
        ROUND_HALF_UP,
        ROUND_HALF_EVEN,
        ROUND_HALF_DOWN,
        ROUND_DOWN,
        ROUND_UP,
        ROUND_FLOOR,
        ROUND_CEILING,
    }
)
QUOTA_ROUNDINGS = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}


@dataclass(frozen=True)
class Criterion:
    """A general criterion (tiêu chí chung) with its maximum points."""

    code: str
    label: str
    max_points: Decimal

    def __post_init__(self) -> None:
        value = to_decimal(
            self.max_points, f"params.general_criteria[{self.code}].max_points", high=MAX_POINTS
        )
        object.__setattr__(self, "max_points", value)


@dataclass(frozen=True)
class ForcedFailReason:
    """A reason forcing KHTNV whatever the score; ``leaders_only`` ones apply to leaders only."""

    code: str
    label: str
    leaders_only: bool = False


DEFAULT_GENERAL_CRITERIA = (
    Criterion("a", "Phẩm chất chính trị, đạo đức, văn hóa công vụ, kỷ luật, kỷ cương", Decimal(10)),
    Criterion(
        "b", "Năng lực chuyên môn, nghiệp vụ, trách nhiệm, thái độ phục vụ, phối hợp", Decimal(10)
    ),
    Criterion("c", "Tinh thần đổi mới, sáng tạo, dám nghĩ, dám làm", Decimal(10)),
)

DEFAULT_FORCED_FAIL_REASONS = (
    ForcedFailReason("discipline", "Bị xử lý kỷ luật từ khiển trách trở lên"),
    ForcedFailReason("degradation", "Suy thoái tư tưởng chính trị, đạo đức, lối sống"),
    ForcedFailReason(
        "leader_corruption",
        "Để xảy ra tham nhũng, lãng phí trong đơn vị phụ trách",
        leaders_only=True,
    ),
)

ORGANISING_SOURCES = ("manual", "unit_indicators")
POSITION_INDICATOR_MODES = ("info", "in_task")
ABSENCE_POLICIES = ("exclude", "prorate")
EXEMPTION_APPROVERS = ("head", "unit_admin")
# Kinds of person (``StaffMember.staff_type``): cán bộ, công chức, viên chức, contract staff.
STAFF_TYPES = ("can_bo", "cong_chuc", "vien_chuc", "hop_dong")
# Which rule set scores each kind (DOMAIN.md "Public employees"): the civil servants' Decree 335
# for all but public employees, who have the 2026 decree (``vc_2026``; ``nd90_2020`` before it
# took effect, chosen by date when a period opens: scoring.registry.resolve_rule_sets).
DEFAULT_STAFF_RULE_SETS = (
    ("can_bo", "nd335_2025"),
    ("cong_chuc", "nd335_2025"),
    ("vien_chuc", "vc_2026"),
    ("hop_dong", "nd335_2025"),
)
# Who decides and locks a public employee's classification under the 2026 decree (its art. 13,
# "the competent authority"): the head of the unit, or the competent higher level.
DECIDING_ROLES = ("head", "higher_level")

_DECIMAL_FIELDS = (
    "task_weight",
    "error_deduction",
    "delay_deduction",
    "criterion_cap",
    "threshold_htxs",
    "threshold_htt",
    "threshold_htnv",
    "quota_ratio",
    "quota_ratio_outstanding",
    "unit_results_all_pass",
    "unit_results_any_fail",
)


@dataclass(frozen=True)
class Params:
    """Parameters of a rule set; every [choice] of DOMAIN.md is one field here.

    Construct with keyword overrides, ``replace(**overrides)`` or ``from_dict(data)``; values are
    coerced (numbers and strings to Decimal, dicts to Criterion/ForcedFailReason) and validated,
    raising ScoringInputError with a ``params.<name>`` field.
    """

    general_criteria: tuple[Criterion, ...] = DEFAULT_GENERAL_CRITERIA
    task_weight: Decimal = Decimal(70)
    error_deduction: Decimal = Decimal("0.25")
    delay_deduction: Decimal = Decimal("0.25")
    criterion_cap: Decimal = HUNDRED
    allow_over_completion: bool = False
    max_deductions_per_product: int = 4
    threshold_htxs: Decimal = Decimal(90)
    threshold_htt: Decimal = Decimal(70)
    threshold_htnv: Decimal = Decimal(50)
    forced_fail_reasons: tuple[ForcedFailReason, ...] = DEFAULT_FORCED_FAIL_REASONS
    quota_ratio: Decimal = Decimal("0.20")
    quota_ratio_outstanding: Decimal = Decimal("0.25")
    quota_rounding: str = "floor"
    display_places: int = 2
    display_rounding: str = ROUND_HALF_UP
    unit_results_all_pass: Decimal = HUNDRED
    unit_results_any_fail: Decimal = Decimal(50)
    # Indicators (DOMAIN.md "Data feeds and indicators"): the leaders' "capacity to organise"
    # entered by hand (``manual``) or read from the unit's indicator score (``unit_indicators``);
    # a position's indicators shown for information (``info``) or averaged with a, b, c as one
    # more criterion of the task score (``in_task``).
    organising_source: str = "manual"
    position_indicators: str = "info"
    # Periods not worked in the annual average (DOMAIN.md: "the average of the period scores
    # actually worked"): ``exclude`` leaves out a period with no day worked (not yet joined,
    # already left, or absent the whole period) and counts every other period once;
    # ``prorate`` also weights each period by its days worked / days in the period.
    absence_policy: str = "exclude"
    # Who approves an objective-cause exemption proposed by the reviewer (DOMAIN.md: the
    # deductions are waived only for an objective cause, with its proof): ``head`` (the unit's
    # head, default) or ``unit_admin``. Read by the workflow only, never by the engine.
    exemption_approver: str = "head"
    # Rule set per kind of person (``staff_type`` → rule set code), frozen into a period when it
    # opens (``Period.rule_sets``); ``vc_2026`` applies to periods starting on or after
    # ``vc_2026_effective_from`` (ISO date; the 2026 decree's date of effect was not at hand:
    # [choice], confirm), ``nd90_2020`` to earlier ones.
    staff_rule_sets: tuple[tuple[str, str], ...] = DEFAULT_STAFF_RULE_SETS
    vc_2026_effective_from: str = "2026-01-01"
    # The kinds of person counted in the Decree 335 HTXS quota (it concerns civil servants).
    quota_staff_types: tuple[str, ...] = ("cong_chuc",)
    # vc_2026: the head of a public service unit is not rated above the unit (art. 12(7)); the
    # role deciding and locking the classification (art. 13). Both to confirm against the text.
    head_capped_by_unit: bool = True
    vc_deciding_role: str = "head"
    # nd90_2020 (Decree 90/2020 as amended by Decree 48/2023), annual: fewer months worked than
    # ``nd90_min_months_worked`` → not classified (maternity leave excepted); absent from
    # ``nd90_absence_cap_months`` to under ``nd90_min_months_worked`` months → at most HTNV
    # (maternity months count in that absence only with ``nd90_cap_counts_maternity``); the
    # HTXS share of those classified at most ``nd90_htxs_share_limit`` (None: not checked).
    nd90_min_months_worked: int = 6
    nd90_absence_cap_months: int = 3
    nd90_cap_counts_maternity: bool = False
    nd90_htxs_share_limit: Decimal | None = None

    def __post_init__(self) -> None:
        for name in _DECIMAL_FIELDS:
            object.__setattr__(self, name, to_decimal(getattr(self, name), f"params.{name}"))
        object.__setattr__(self, "general_criteria", _coerce_criteria(self.general_criteria))
        object.__setattr__(self, "forced_fail_reasons", _coerce_reasons(self.forced_fail_reasons))
        for name in (
            "max_deductions_per_product",
            "display_places",
            "nd90_min_months_worked",
            "nd90_absence_cap_months",
        ):
            value = to_count(getattr(self, name), f"params.{name}", high=1_000)
            object.__setattr__(self, name, value)
        for name in ("allow_over_completion", "head_capped_by_unit", "nd90_cap_counts_maternity"):
            if not isinstance(getattr(self, name), bool):
                raise ScoringInputError(f"params.{name}", "Giá trị phải là true hoặc false.")
        object.__setattr__(self, "staff_rule_sets", _coerce_staff_rule_sets(self.staff_rule_sets))
        object.__setattr__(self, "quota_staff_types", _coerce_staff_types(self.quota_staff_types))
        if self.nd90_htxs_share_limit is not None:
            object.__setattr__(
                self,
                "nd90_htxs_share_limit",
                to_decimal(self.nd90_htxs_share_limit, "params.nd90_htxs_share_limit"),
            )
        _validate(self)
        # The integers and rationals the engine computes with, derived once per parameter set.
        cap = self.effective_cap
        object.__setattr__(
            self,
            "_engine",
            _EngineParams(
                error_rate=scaled(self.error_deduction),
                delay_rate=scaled(self.delay_deduction),
                cap=None if cap is None else scaled(cap),
                cap_fraction=None if cap is None else Fraction(cap),
                weight=Fraction(self.task_weight) / 100,
                thresholds=(
                    (Fraction(self.threshold_htxs), "HTXS"),
                    (Fraction(self.threshold_htt), "HTT"),
                    (Fraction(self.threshold_htnv), "HTNV"),
                ),
                maxima=tuple(scaled(c.max_points) for c in self.general_criteria),
            ),
        )

    @property
    def general_max(self) -> Decimal:
        """Return the sum of the general criteria maxima (30 by default)."""
        return sum((c.max_points for c in self.general_criteria), Decimal(0))

    @property
    def effective_cap(self) -> Decimal | None:
        """Return the cap on a, b, c and leader criteria; None when over-completion is allowed."""
        return None if self.allow_over_completion else self.criterion_cap

    def forced_fail_reason(self, code: str) -> ForcedFailReason | None:
        """Return the forced-fail reason with ``code``, or None."""
        return next((r for r in self.forced_fail_reasons if r.code == code), None)

    def display(self, value: Decimal | Fraction) -> Decimal:
        """Return ``value`` rounded for display (``display_places``, ``display_rounding``)."""
        if isinstance(value, Fraction):
            return round_fraction(value, self.display_places, self.display_rounding)
        quantum = Decimal(1).scaleb(-self.display_places)
        return value.quantize(quantum, rounding=self.display_rounding, context=DECIMAL_CONTEXT)

    def display_value(self, total: Decimal | Fraction) -> Decimal:
        """Return a total or average rounded for display, never reaching a threshold it misses.

        69.996 rounds to 70.00 by the display rule, but the person is HTNV: such a value is
        shown truncated (69.99) so that the figure on screen and the grade beside it agree.
        """
        exact = total if isinstance(total, Fraction) else Fraction(total)
        shown = round_fraction(exact, self.display_places, self.display_rounding)
        for threshold, _code in self._engine.thresholds:
            if shown >= threshold > exact:
                return round_fraction(exact, self.display_places, "ROUND_FLOOR")
        return shown

    def replace(self, **overrides: Any) -> Params:
        """Return a copy with ``overrides`` applied; raise ScoringInputError on an unknown name."""
        _check_names(overrides)
        return dataclasses.replace(self, **overrides)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Params | None = None) -> Params:
        """Return ``base`` (default: the defaults) with the JSON-like ``data`` overrides applied."""
        if not isinstance(data, Mapping):
            raise ScoringInputError("params", "Tham số phải là một đối tượng JSON.")
        return (base or cls()).replace(**dict(data))

    @property
    def effective_from(self) -> date:
        """Return ``vc_2026_effective_from`` as a date."""
        return date.fromisoformat(self.vc_2026_effective_from)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as JSON-ready data accepted back by ``from_dict``."""
        from scoring.explain import to_jsonable

        data = to_jsonable(self)
        data["staff_rule_sets"] = dict(self.staff_rule_sets)
        return data


@dataclass(frozen=True)
class _EngineParams:
    """Parameters as the engine's integers (× 10^6) and exact rationals."""

    error_rate: int
    delay_rate: int
    cap: int | None
    cap_fraction: Fraction | None
    weight: Fraction
    thresholds: tuple[tuple[Fraction, str], ...]
    maxima: tuple[int, ...]


def _check_names(overrides: Mapping[str, Any]) -> None:
    known = {f.name for f in dataclasses.fields(Params)}
    for name in overrides:
        if name not in known:
            raise ScoringInputError(f"params.{name}", f"Tham số '{name}' không tồn tại.")


def _coerce_criteria(value: Any) -> tuple[Criterion, ...]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise ScoringInputError("params.general_criteria", "Phải là danh sách tiêu chí.")
    result = []
    for i, item in enumerate(value):
        if isinstance(item, Criterion):
            result.append(item)
        elif isinstance(item, Mapping) and set(item) == {"code", "label", "max_points"}:
            result.append(Criterion(str(item["code"]), str(item["label"]), item["max_points"]))
        else:
            raise ScoringInputError(
                f"params.general_criteria[{i}]",
                "Mỗi tiêu chí phải có đúng các khóa code, label, max_points.",
            )
    return tuple(result)


def _coerce_reasons(value: Any) -> tuple[ForcedFailReason, ...]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise ScoringInputError("params.forced_fail_reasons", "Phải là danh sách lý do.")
    result = []
    for i, item in enumerate(value):
        if isinstance(item, ForcedFailReason):
            result.append(item)
        elif isinstance(item, Mapping) and {"code", "label"} <= set(item) <= {
            "code",
            "label",
            "leaders_only",
        }:
            leaders_only = item.get("leaders_only", False)
            if not isinstance(leaders_only, bool):
                raise ScoringInputError(
                    f"params.forced_fail_reasons[{i}].leaders_only", "Phải là true hoặc false."
                )
            result.append(ForcedFailReason(str(item["code"]), str(item["label"]), leaders_only))
        else:
            raise ScoringInputError(
                f"params.forced_fail_reasons[{i}]",
                "Mỗi lý do phải có các khóa code, label (và tùy chọn leaders_only).",
            )
    return tuple(result)


def _coerce_staff_rule_sets(value: Any) -> tuple[tuple[str, str], ...]:
    """``{staff_type: code}`` (or pairs) → pairs in ``STAFF_TYPES`` order, every kind named."""
    field = "params.staff_rule_sets"
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, list | tuple):
        pairs = list(value)
    else:
        raise ScoringInputError(field, "Phải là bảng loại cán bộ → mã bộ quy tắc.")
    result = {}
    for pair in pairs:
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise ScoringInputError(field, "Phải là bảng loại cán bộ → mã bộ quy tắc.")
        staff_type, code = pair
        if staff_type not in STAFF_TYPES:
            raise ScoringInputError(
                f"{field}.{staff_type}",
                f"Loại cán bộ '{staff_type}' không hợp lệ (chỉ nhận: {', '.join(STAFF_TYPES)}).",
            )
        if not isinstance(code, str) or not 0 < len(code) <= 32:
            raise ScoringInputError(f"{field}.{staff_type}", "Mã bộ quy tắc không hợp lệ.")
        result[staff_type] = code
    # A kind not named keeps its default rule set.
    return tuple((t, result.get(t, dict(DEFAULT_STAFF_RULE_SETS)[t])) for t in STAFF_TYPES)


def _coerce_staff_types(value: Any) -> tuple[str, ...]:
    field = "params.quota_staff_types"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
        raise ScoringInputError(field, "Phải là danh sách loại cán bộ.")
    for staff_type in value:
        if staff_type not in STAFF_TYPES:
            raise ScoringInputError(
                field,
                f"Loại cán bộ '{staff_type}' không hợp lệ (chỉ nhận: {', '.join(STAFF_TYPES)}).",
            )
    return tuple(sorted(set(value), key=STAFF_TYPES.index))


def _require(condition: bool, name: str, message: str) -> None:
    if not condition:
        raise ScoringInputError(f"params.{name}", message)


def _validate(p: Params) -> None:
    codes = [c.code for c in p.general_criteria]
    _require(bool(codes), "general_criteria", "Cần ít nhất một tiêu chí chung.")
    _require(all(codes), "general_criteria", "Mã tiêu chí không được để trống.")
    _require(len(set(codes)) == len(codes), "general_criteria", "Mã tiêu chí bị trùng.")
    _require(
        all(c.max_points > 0 for c in p.general_criteria),
        "general_criteria",
        "Điểm tối đa của mỗi tiêu chí phải lớn hơn 0.",
    )
    _require(p.task_weight >= 0, "task_weight", "Trọng số kết quả nhiệm vụ không được âm.")
    _require(
        p.general_max + p.task_weight == HUNDRED,
        "task_weight",
        f"Tổng điểm tối đa tiêu chí chung ({p.general_max}) và trọng số kết quả nhiệm vụ "
        f"({p.task_weight}) phải bằng 100.",
    )
    for name in ("error_deduction", "delay_deduction"):
        value = getattr(p, name)
        _require(0 < value <= 1, name, "Mức trừ phải lớn hơn 0 và không quá 1 (100%).")
    _require(p.criterion_cap > 0, "criterion_cap", "Mức trần phải lớn hơn 0.")
    _require(
        p.max_deductions_per_product >= 1,
        "max_deductions_per_product",
        "Số lần trừ tối đa trên một sản phẩm phải ít nhất là 1.",
    )
    _require(
        0 < p.threshold_htnv < p.threshold_htt < p.threshold_htxs <= HUNDRED,
        "threshold_htxs",
        "Ngưỡng xếp loại phải tăng dần: 0 < HTNV < HTT < HTXS ≤ 100.",
    )
    reason_codes = [r.code for r in p.forced_fail_reasons]
    _require(all(reason_codes), "forced_fail_reasons", "Mã lý do không được để trống.")
    _require(
        len(set(reason_codes)) == len(reason_codes), "forced_fail_reasons", "Mã lý do bị trùng."
    )
    for name in ("quota_ratio", "quota_ratio_outstanding"):
        _require(0 <= getattr(p, name) <= 1, name, "Tỷ lệ phải trong khoảng từ 0 đến 1.")
    _require(
        p.quota_rounding in QUOTA_ROUNDINGS,
        "quota_rounding",
        "Cách làm tròn chỉ nhận: floor, ceil, half_up.",
    )
    _require(p.display_places <= 6, "display_places", "Số chữ số thập phân tối đa là 6.")
    _require(
        p.display_rounding in DISPLAY_ROUNDINGS,
        "display_rounding",
        "Cách làm tròn hiển thị không hợp lệ (ví dụ ROUND_HALF_UP).",
    )
    for name in ("unit_results_all_pass", "unit_results_any_fail"):
        _require(0 <= getattr(p, name) <= HUNDRED, name, "Tỷ lệ phải từ 0 đến 100.")
    _require(
        p.organising_source in ORGANISING_SOURCES,
        "organising_source",
        "Nguồn điểm năng lực tổ chức chỉ nhận: manual, unit_indicators.",
    )
    _require(
        p.position_indicators in POSITION_INDICATOR_MODES,
        "position_indicators",
        "Chỉ số của vị trí chỉ nhận: info, in_task.",
    )
    _require(
        p.absence_policy in ABSENCE_POLICIES,
        "absence_policy",
        "Cách tính kỳ không công tác chỉ nhận: exclude, prorate.",
    )
    try:
        p.effective_from  # noqa: B018  (parses the date)
    except (TypeError, ValueError):
        _require(
            False,
            "vc_2026_effective_from",
            "Ngày hiệu lực phải có dạng YYYY-MM-DD (ví dụ 2026-01-01).",
        )
    _require(
        p.vc_deciding_role in DECIDING_ROLES,
        "vc_deciding_role",
        "Cấp quyết định xếp loại viên chức chỉ nhận: head, higher_level.",
    )
    _require(
        0 < p.nd90_absence_cap_months <= p.nd90_min_months_worked <= 12,
        "nd90_absence_cap_months",
        "Số tháng phải thỏa 0 < số tháng vắng bị giới hạn ≤ số tháng công tác tối thiểu ≤ 12.",
    )
    _require(
        p.nd90_htxs_share_limit is None or 0 <= p.nd90_htxs_share_limit <= 1,
        "nd90_htxs_share_limit",
        "Tỷ lệ phải trong khoảng từ 0 đến 1.",
    )
    _require(
        p.exemption_approver in EXEMPTION_APPROVERS,
        "exemption_approver",
        "Người duyệt miễn trừ chỉ nhận: head, unit_admin.",
    )
