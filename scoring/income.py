"""Supplementary income (thu nhập tăng thêm) by grade: pluggable schemes behind a registry."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import Any, Protocol

from scoring.errors import ScoringInputError
from scoring.explain import Explanation, ExplanationStep
from scoring.numbers import DECIMAL_CONTEXT, ZERO, to_decimal
from scoring.types import Grade

GOOD = (Grade.HTXS, Grade.HTT)
PASSING = (Grade.HTXS, Grade.HTT, Grade.HTNV)


@dataclass(frozen=True)
class IncomePerson:
    """A person to pay: grade of the month and the monthly salary of each concurrent post."""

    person_id: str
    grade: Grade
    monthly_salaries: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        prefix = f"people[{self.person_id}]"
        object.__setattr__(self, "grade", Grade.parse(self.grade, f"{prefix}.grade"))
        salaries = tuple(
            to_decimal(s, f"{prefix}.monthly_salaries[{i}]")
            for i, s in enumerate(self.monthly_salaries)
        )
        for i, salary in enumerate(salaries):
            if salary < 0:
                raise ScoringInputError(f"{prefix}.monthly_salaries[{i}]", "Lương không được âm.")
        object.__setattr__(self, "monthly_salaries", salaries)


@dataclass(frozen=True)
class PersonIncome:
    """One person's amount in whole VND, with the steps that produced it."""

    person_id: str
    grade: Grade
    amount: Decimal
    explanation: Explanation = field(default=(), hash=False)


@dataclass(frozen=True)
class IncomeResult:
    """Amounts per person (input order), their total, the cap applied if any, and an explanation."""

    scheme: str
    people: tuple[PersonIncome, ...]
    total: Decimal
    cap: Decimal | None
    scaled: bool
    explanation: Explanation = field(default=(), hash=False)


def _money(value: object, field_name: str, *, optional: bool = False) -> Decimal | None:
    if optional and value is None:
        return None
    amount = to_decimal(value, field_name)
    if amount < 0:
        raise ScoringInputError(field_name, "Số tiền không được âm.")
    return amount


@dataclass(frozen=True)
class CoefficientSalarySettings:
    """Da Nang scheme: coefficient per grade × monthly salary, with floors and an optional cap."""

    coefficients: Mapping[str, Decimal] = field(
        hash=False,
        default_factory=lambda: {
            "HTXS": Decimal("0.5"),
            "HTT": Decimal("0.3"),
            "HTNV": Decimal("0.1"),
        },
    )
    floor_good: Decimal = Decimal(1_500_000)
    floor_completed: Decimal = Decimal(500_000)
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        coefficients = {}
        for code, value in dict(self.coefficients).items():
            grade = Grade.parse(code, "income.coefficients")
            coefficients[grade.value] = _money(value, f"income.coefficients.{grade.value}")
        object.__setattr__(self, "coefficients", coefficients)
        object.__setattr__(self, "floor_good", _money(self.floor_good, "income.floor_good"))
        floor_completed = _money(self.floor_completed, "income.floor_completed")
        object.__setattr__(self, "floor_completed", floor_completed)
        object.__setattr__(self, "cap", _money(self.cap, "income.cap", optional=True))


@dataclass(frozen=True)
class FundSplitSettings:
    """Hà Nội style: ``equal_share`` of the fund among all passing, the rest among HTT and HTXS."""

    fund: Decimal
    equal_share: Decimal = Decimal("0.5")
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fund", _money(self.fund, "income.fund"))
        share = to_decimal(self.equal_share, "income.equal_share")
        if not 0 <= share <= 1:
            raise ScoringInputError("income.equal_share", "Tỷ lệ phải trong khoảng từ 0 đến 1.")
        object.__setattr__(self, "equal_share", share)
        object.__setattr__(self, "cap", _money(self.cap, "income.cap", optional=True))


class IncomeScheme(Protocol):
    """What a scheme provides: a code, a Vietnamese label, its settings type and ``compute``."""

    code: str
    label: str
    settings_type: type

    def compute(self, people: tuple[IncomePerson, ...], settings: Any) -> IncomeResult: ...


def _floor_vnd(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_FLOOR)


def _apply_cap(
    scheme: str, amounts: list[PersonIncome], cap: Decimal | None, steps: list[ExplanationStep]
) -> IncomeResult:
    # Proportional scaling rounding each amount down keeps the capped total within the cap.
    total = sum((p.amount for p in amounts), ZERO)
    if cap is None or total <= cap:
        return IncomeResult(scheme, tuple(amounts), total, cap, False, tuple(steps))
    factor = cap / total
    scaled = []
    for person in amounts:
        new_amount = _floor_vnd(person.amount * factor)
        step = ExplanationStep(
            "cap",
            "Điều chỉnh theo mức trần tổng",
            {"amount": person.amount, "cap": cap, "total": total},
            f"⌊{person.amount} × {cap} / {total}⌋",
            new_amount,
        )
        scaled.append(
            dataclasses.replace(person, amount=new_amount, explanation=(*person.explanation, step))
        )
    new_total = sum((p.amount for p in scaled), ZERO)
    steps.append(
        ExplanationStep(
            "cap",
            "Giảm theo tỷ lệ do vượt mức trần",
            {"total_before": total, "cap": cap},
            f"mỗi khoản × {cap} / {total}, làm tròn xuống đồng",
            new_total,
        )
    )
    return IncomeResult(scheme, tuple(scaled), new_total, cap, True, tuple(steps))


class CoefficientSalaryScheme:
    """Amount = coefficient(grade) × highest concurrent salary, raised to the grade's floor."""

    code = "coefficient_salary"
    label = "Hệ số theo xếp loại × tiền lương (Đà Nẵng)"
    settings_type = CoefficientSalarySettings

    def compute(
        self, people: tuple[IncomePerson, ...], settings: CoefficientSalarySettings
    ) -> IncomeResult:
        """Return per-person amounts, floored at whole VND, then capped if a cap is set."""
        amounts = []
        for person in people:
            base = max(person.monthly_salaries, default=ZERO)
            coefficient = settings.coefficients.get(person.grade.value, ZERO)
            raw = coefficient * base
            floor = ZERO
            if person.grade in GOOD:
                floor = settings.floor_good
            elif person.grade is Grade.HTNV:
                floor = settings.floor_completed
            amount = _floor_vnd(max(raw, floor)) if coefficient > 0 else ZERO
            step = ExplanationStep(
                "income",
                "Thu nhập tăng thêm theo hệ số",
                {
                    "grade": person.grade.value,
                    "monthly_salaries": person.monthly_salaries,
                    "base_salary": base,
                    "coefficient": coefficient,
                    "floor": floor,
                },
                f"max({coefficient} × {base} (lương cao nhất của các chức vụ), mức sàn {floor})",
                amount,
            )
            amounts.append(PersonIncome(person.person_id, person.grade, amount, (step,)))
        return _apply_cap(self.code, amounts, settings.cap, [])


class FundSplitScheme:
    """Equal shares: part of the fund among all passing, the rest among HTT and HTXS."""

    code = "fund_split"
    label = "Chia quỹ: 50% bình quân, 50% cho HTT và HTXS (Hà Nội)"
    settings_type = FundSplitSettings

    def compute(
        self, people: tuple[IncomePerson, ...], settings: FundSplitSettings
    ) -> IncomeResult:
        """Return per-person amounts rounded down to whole VND; any remainder stays in the fund."""
        equal_pool = settings.fund * settings.equal_share
        merit_pool = settings.fund - equal_pool
        passing = sum(1 for p in people if p.grade in PASSING)
        good = sum(1 for p in people if p.grade in GOOD)
        equal_each = equal_pool / passing if passing else ZERO
        merit_each = merit_pool / good if good else ZERO
        steps = [
            ExplanationStep(
                "pools",
                "Chia quỹ",
                {"fund": settings.fund, "equal_share": settings.equal_share},
                f"{equal_pool} / {passing} người HTNV trở lên; "
                f"{merit_pool} / {good} người HTT, HTXS",
                settings.fund,
            )
        ]
        amounts = []
        for person in people:
            equal = equal_each if person.grade in PASSING else ZERO
            merit = merit_each if person.grade in GOOD else ZERO
            amount = _floor_vnd(equal + merit)
            step = ExplanationStep(
                "income",
                "Thu nhập tăng thêm theo chia quỹ",
                {"grade": person.grade.value, "equal_part": equal, "merit_part": merit},
                f"⌊{equal} + {merit}⌋",
                amount,
            )
            amounts.append(PersonIncome(person.person_id, person.grade, amount, (step,)))
        return _apply_cap(self.code, amounts, settings.cap, steps)


_SCHEMES: dict[str, IncomeScheme] = {}


def register_income_scheme(scheme: IncomeScheme) -> None:
    """Add ``scheme``; raise ValueError when its code is already registered."""
    if scheme.code in _SCHEMES:
        raise ValueError(f"income scheme {scheme.code!r} is already registered")
    _SCHEMES[scheme.code] = scheme


def get_income_scheme(code: str) -> IncomeScheme:
    """Return the scheme ``code``; raise ScoringInputError when unknown."""
    try:
        return _SCHEMES[code]
    except (KeyError, TypeError):
        known = ", ".join(sorted(_SCHEMES))
        raise ScoringInputError(
            "income.scheme", f"Cách tính '{code}' không tồn tại (hiện có: {known})."
        ) from None


def compute_income(
    people: Iterable[IncomePerson],
    scheme: str = "coefficient_salary",
    settings: Any = None,
) -> IncomeResult:
    """Return each person's supplementary income under ``scheme``.

    ``settings`` is the scheme's settings dataclass, a dict of its fields, or None for defaults.
    Raises ScoringInputError for an unknown scheme, unknown setting or invalid value.
    """
    chosen = get_income_scheme(scheme)
    if settings is None or isinstance(settings, Mapping):
        data = dict(settings or {})
        known = {f.name for f in dataclasses.fields(chosen.settings_type)}
        for name in data:
            if name not in known:
                raise ScoringInputError(f"income.{name}", f"Thiết lập '{name}' không tồn tại.")
        try:
            settings = chosen.settings_type(**data)
        except TypeError:
            raise ScoringInputError("income", "Thiếu thiết lập bắt buộc (ví dụ fund).") from None
    with localcontext(DECIMAL_CONTEXT):
        return chosen.compute(tuple(people), settings)


register_income_scheme(CoefficientSalaryScheme())
register_income_scheme(FundSplitScheme())
