"""Supplementary income (thu nhập tăng thêm) by grade: pluggable schemes behind a registry.

A person is paid for one or more months (a quarter is three monthly determinations paid
together); each month carries its grade and the salaries in force that month. Amounts stay exact
until the payment, which is rounded once (down to ``round_to`` VND) after any cap.
"""

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
DEFAULT_COEFFICIENTS = {"HTXS": Decimal("0.5"), "HTT": Decimal("0.3"), "HTNV": Decimal("0.1")}
CONCURRENT_RULES = ("highest", "main")
PAYMENTS = ("monthly", "quarterly")


def _salaries(values, field_name: str) -> tuple[Decimal, ...]:
    salaries = tuple(to_decimal(s, f"{field_name}[{i}]") for i, s in enumerate(values))
    for i, salary in enumerate(salaries):
        if salary < 0:
            raise ScoringInputError(f"{field_name}[{i}]", "Lương không được âm.")
    return salaries


@dataclass(frozen=True)
class IncomeMonth:
    """One month to determine: its grade (None: no result that month), the salary of the main
    post in force that month (None: none on record) and those of the concurrent posts held."""

    month: str
    grade: Grade | None
    salary: Decimal | None = None
    concurrent: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        prefix = f"months[{self.month}]"
        if self.grade is not None:
            object.__setattr__(self, "grade", Grade.parse(self.grade, f"{prefix}.grade"))
        if self.salary is not None:
            object.__setattr__(self, "salary", _salaries((self.salary,), f"{prefix}.salary")[0])
        object.__setattr__(self, "concurrent", _salaries(self.concurrent, f"{prefix}.concurrent"))


@dataclass(frozen=True)
class IncomePerson:
    """A person to pay: the grade, and either the months to determine or (one month) the monthly
    salary of each post, the first being the main post."""

    person_id: str
    grade: Grade
    monthly_salaries: tuple[Decimal, ...] = ()
    months: tuple[IncomeMonth, ...] = ()

    def __post_init__(self) -> None:
        prefix = f"people[{self.person_id}]"
        object.__setattr__(self, "grade", Grade.parse(self.grade, f"{prefix}.grade"))
        salaries = _salaries(self.monthly_salaries, f"{prefix}.monthly_salaries")
        object.__setattr__(self, "monthly_salaries", salaries)
        if not self.months:
            month = IncomeMonth("", self.grade, salaries[0] if salaries else None, salaries[1:])
            object.__setattr__(self, "months", (month,))
        object.__setattr__(self, "months", tuple(self.months))


@dataclass(frozen=True)
class MonthIncome:
    """One month's determination (exact): ``missing_salary`` when the grade pays but no salary
    is on record, so nothing is paid for it (never the floor)."""

    month: str
    grade: Grade | None
    base_salary: Decimal | None
    coefficient: Decimal
    floor: Decimal
    amount: Decimal
    missing_salary: bool = False


@dataclass(frozen=True)
class PersonIncome:
    """One person's payment (rounded once), its months and the steps that produced it."""

    person_id: str
    grade: Grade
    amount: Decimal
    explanation: Explanation = field(default=(), hash=False)
    months: tuple[MonthIncome, ...] = ()

    @property
    def missing_salary_months(self) -> tuple[str, ...]:
        """The months not paid because no salary was on record."""
        return tuple(m.month for m in self.months if m.missing_salary)


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


def _round_to(value: object) -> Decimal:
    unit = to_decimal(value, "income.round_to")
    if unit <= 0:
        raise ScoringInputError("income.round_to", "Đơn vị làm tròn phải lớn hơn 0.")
    return unit


def _choice(value: object, field_name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ScoringInputError(field_name, f"Giá trị phải là một trong: {', '.join(allowed)}.")
    return str(value)


@dataclass(frozen=True)
class CoefficientSalarySettings:
    """Da Nang scheme: coefficient per grade × monthly salary, with floors and an optional cap.

    ``coefficients`` overrides only the grades it names; ``concurrent_posts`` is ``highest``
    (the highest salary among the posts held counts) or ``main`` (the main post only);
    ``payment`` is ``monthly`` or ``quarterly`` (monthly determinations paid per quarter);
    the payment is rounded down to a multiple of ``round_to`` VND.
    """

    coefficients: Mapping[str, Decimal] = field(
        hash=False, default_factory=lambda: dict(DEFAULT_COEFFICIENTS)
    )
    floor_good: Decimal = Decimal(1_500_000)
    floor_completed: Decimal = Decimal(500_000)
    cap: Decimal | None = None
    concurrent_posts: str = "highest"
    payment: str = "monthly"
    round_to: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        # A partial override keeps the defaults of the grades it does not name.
        coefficients = dict(DEFAULT_COEFFICIENTS)
        for code, value in dict(self.coefficients or {}).items():
            grade = Grade.parse(code, "income.coefficients")
            coefficients[grade.value] = _money(value, f"income.coefficients.{grade.value}")
        object.__setattr__(self, "coefficients", coefficients)
        object.__setattr__(self, "floor_good", _money(self.floor_good, "income.floor_good"))
        floor_completed = _money(self.floor_completed, "income.floor_completed")
        object.__setattr__(self, "floor_completed", floor_completed)
        object.__setattr__(self, "cap", _money(self.cap, "income.cap", optional=True))
        object.__setattr__(
            self,
            "concurrent_posts",
            _choice(self.concurrent_posts, "income.concurrent_posts", CONCURRENT_RULES),
        )
        object.__setattr__(self, "payment", _choice(self.payment, "income.payment", PAYMENTS))
        object.__setattr__(self, "round_to", _round_to(self.round_to))


@dataclass(frozen=True)
class FundSplitSettings:
    """Hà Nội style: ``equal_share`` of the fund among all passing, the rest among HTT and HTXS."""

    fund: Decimal
    equal_share: Decimal = Decimal("0.5")
    cap: Decimal | None = None
    round_to: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fund", _money(self.fund, "income.fund"))
        share = to_decimal(self.equal_share, "income.equal_share")
        if not 0 <= share <= 1:
            raise ScoringInputError("income.equal_share", "Tỷ lệ phải trong khoảng từ 0 đến 1.")
        object.__setattr__(self, "equal_share", share)
        object.__setattr__(self, "cap", _money(self.cap, "income.cap", optional=True))
        object.__setattr__(self, "round_to", _round_to(self.round_to))


class IncomeScheme(Protocol):
    """What a scheme provides: a code, a Vietnamese label, its settings type and ``compute``."""

    code: str
    label: str
    settings_type: type

    def compute(self, people: tuple[IncomePerson, ...], settings: Any) -> IncomeResult: ...


def _round_down(value: Decimal, unit: Decimal) -> Decimal:
    return ((value / unit).to_integral_value(rounding=ROUND_FLOOR) * unit).quantize(Decimal(1))


def _finish(
    scheme: str,
    amounts: list[PersonIncome],
    cap: Decimal | None,
    round_to: Decimal,
    steps: list[ExplanationStep],
) -> IncomeResult:
    """Cap the exact amounts if needed, then round each payment once (down, so the paid total
    never exceeds the cap)."""
    total = sum((p.amount for p in amounts), ZERO)
    scaled = cap is not None and total > cap
    paid = []
    for person in amounts:
        exact = person.amount * cap / total if scaled else person.amount
        rounded = _round_down(exact, round_to)
        extra: tuple[ExplanationStep, ...] = ()
        if scaled:
            extra = (
                ExplanationStep(
                    "cap",
                    "Điều chỉnh theo mức trần tổng",
                    {"amount": person.amount, "cap": cap, "total": total},
                    f"⌊{person.amount} × {cap} / {total}⌋",
                    rounded,
                ),
            )
        paid.append(
            dataclasses.replace(person, amount=rounded, explanation=(*person.explanation, *extra))
        )
    paid_total = sum((p.amount for p in paid), ZERO)
    if scaled:
        steps.append(
            ExplanationStep(
                "cap",
                "Giảm theo tỷ lệ do vượt mức trần",
                {"total_before": total, "cap": cap},
                f"mỗi khoản × {cap} / {total}, làm tròn xuống {round_to} đồng",
                paid_total,
            )
        )
    return IncomeResult(scheme, tuple(paid), paid_total, cap, scaled, tuple(steps))


class CoefficientSalaryScheme:
    """Per month: coefficient(grade) × the counted salary, raised to the grade's floor; the
    months are summed exactly and the payment rounded once."""

    code = "coefficient_salary"
    label = "Hệ số theo xếp loại × tiền lương (Đà Nẵng)"
    settings_type = CoefficientSalarySettings

    @staticmethod
    def _month(month: IncomeMonth, settings: CoefficientSalarySettings) -> MonthIncome:
        if month.grade is None:
            return MonthIncome(month.month, None, None, ZERO, ZERO, ZERO)
        coefficient = settings.coefficients.get(month.grade.value, ZERO)
        floor = ZERO
        if month.grade in GOOD:
            floor = settings.floor_good
        elif month.grade is Grade.HTNV:
            floor = settings.floor_completed
        counted = () if month.salary is None else (month.salary,)
        if settings.concurrent_posts == "highest":
            counted = (*counted, *month.concurrent)
        base = max(counted, default=None)
        if coefficient <= 0:
            return MonthIncome(month.month, month.grade, base, coefficient, floor, ZERO)
        if base is None:
            # No salary on record: refused, never the floor.
            return MonthIncome(month.month, month.grade, None, coefficient, floor, ZERO, True)
        amount = max(coefficient * base, floor)
        return MonthIncome(month.month, month.grade, base, coefficient, floor, amount)

    @staticmethod
    def _step(month: IncomeMonth, result: MonthIncome) -> ExplanationStep:
        inputs = {
            "month": month.month,
            "grade": None if month.grade is None else month.grade.value,
            "monthly_salaries": tuple(
                s for s in ((month.salary,) if month.salary is not None else ()) + month.concurrent
            ),
            "base_salary": result.base_salary,
            "coefficient": result.coefficient,
            "floor": result.floor,
        }
        label = "Thu nhập tăng thêm theo hệ số"
        when = f"tháng {month.month}: " if month.month else ""
        if month.grade is None:
            formula = f"{when}không có kết quả xếp loại được phê duyệt"
        elif result.missing_salary:
            inputs["missing_salary"] = True
            formula = f"{when}chưa có tiền lương trong hồ sơ: không tính (không áp dụng mức sàn)"
        else:
            formula = (
                f"{when}max({result.coefficient} × {result.base_salary} "
                f"(lương cao nhất của các chức vụ), mức sàn {result.floor})"
            )
        return ExplanationStep("income", label, inputs, formula, result.amount)

    def compute(
        self, people: tuple[IncomePerson, ...], settings: CoefficientSalarySettings
    ) -> IncomeResult:
        """Return per-person payments: each month determined exactly, summed, then capped if a
        cap is set and rounded once."""
        amounts = []
        for person in people:
            months = tuple(self._month(m, settings) for m in person.months)
            steps = tuple(self._step(m, r) for m, r in zip(person.months, months, strict=True))
            exact = sum((m.amount for m in months), ZERO)
            if len(months) > 1:
                steps = (
                    *steps,
                    ExplanationStep(
                        "income_total",
                        "Cộng các tháng, trả một lần",
                        {"months": tuple(m.month for m in months)},
                        " + ".join(str(m.amount) for m in months),
                        exact,
                    ),
                )
            amounts.append(PersonIncome(person.person_id, person.grade, exact, steps, months))
        return _finish(self.code, amounts, settings.cap, settings.round_to, [])


class FundSplitScheme:
    """Equal shares: part of the fund among all passing, the rest among HTT and HTXS."""

    code = "fund_split"
    label = "Chia quỹ: 50% bình quân, 50% cho HTT và HTXS (Hà Nội)"
    settings_type = FundSplitSettings

    def compute(
        self, people: tuple[IncomePerson, ...], settings: FundSplitSettings
    ) -> IncomeResult:
        """Return per-person amounts rounded down once (``round_to``); any remainder stays in the
        fund."""
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
            amount = equal + merit
            step = ExplanationStep(
                "income",
                "Thu nhập tăng thêm theo chia quỹ",
                {"grade": person.grade.value, "equal_part": equal, "merit_part": merit},
                f"{equal} + {merit}",
                amount,
            )
            amounts.append(PersonIncome(person.person_id, person.grade, amount, (step,)))
        return _finish(self.code, amounts, settings.cap, settings.round_to, steps)


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
