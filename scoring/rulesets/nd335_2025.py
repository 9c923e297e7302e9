"""Period scoring under Decree 335/2025/NĐ-CP: general criteria plus task results a, b, c.

Exact: quantities and coefficients enter as integers × 10^6 (every input has at most 6 decimals),
converted units are integers × 10^12, and the percentages and points are ``Fraction``s of those
integers. Nothing is rounded before the grade is decided. ``score_period`` is the fast path used
in bulk; ``explain_period`` writes the same computation out for a person, on demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from scoring.errors import ScoringInputError
from scoring.explain import Explanation, ExplanationStep
from scoring.grading import check_forced_fail, classify, grade_for_total
from scoring.numbers import (
    DECIMAL_CONTEXT,
    MAX_COEFFICIENT,
    MAX_COUNT,
    MAX_ITEMS,
    MAX_PLACES,
    MAX_POINTS,
    MAX_QUANTITY,
    SCALE,
    ZERO,
    fixed,
    scaled,
    shown,
    stored,
    to_decimal,
)
from scoring.params import Params
from scoring.types import Grade, LeaderCriteria, PeriodInput, PeriodResult, WorkItem

CODE = "nd335_2025"
TITLE = "Nghị định 335/2025/NĐ-CP (thang 100 điểm)"
ENGINE_VERSION = "2.0"

_SCALE2 = SCALE * SCALE  # converted units: quantity × coefficient, each × 10^6


def score_period(period: PeriodInput, params: Params) -> PeriodResult:
    """Return the exact period score of ``period`` under ``params``.

    Raises ScoringInputError (field named, message in Vietnamese) for any invalid input.
    """
    units = _units(
        [item._row for item in period.items],
        params,
        lambda i: _refuse_item(i, period.items[i], params),
    )
    return _result(period, units, params)


def score_rows(
    rows: Sequence[tuple],
    general: Sequence,
    leader: LeaderCriteria | None,
    forced_fail: str | None,
    params: Params,
    indicators: Decimal | Fraction | None = None,
) -> PeriodResult:
    """Return the same result as ``score_period`` from plain rows, without building WorkItems.

    The bulk path: each row is ``(code, assigned, coefficient, completed, major_errors, delays,
    exempt_errors, exempt_delays)`` with Decimals and ints, checked against the same ranges as
    ``WorkItem``. The PeriodInput (for the explanation) is built only if someone reads it. Any
    refusal is raised exactly as ``score_period`` would raise it.
    """

    def full() -> PeriodInput:
        return PeriodInput(
            items=tuple(WorkItem(*row) for row in rows),
            general=tuple(general),
            leader=leader,
            forced_fail=forced_fail,
            indicators=indicators,
        )

    scaled_rows = []
    for row in rows:
        code, assigned, coefficient, completed, errors, delays, exempt_e, exempt_d = row
        q = _fast_scaled(assigned, MAX_QUANTITY)
        k = _fast_scaled(coefficient, MAX_COEFFICIENT)
        done = _fast_scaled(completed, MAX_QUANTITY)
        if (
            q is None
            or not k
            or done is None
            or type(code) is not str
            or not 0 < len(code) <= 100
            or not (
                type(errors) is int
                and type(delays) is int
                and type(exempt_e) is int
                and type(exempt_d) is int
                and 0 <= errors <= MAX_COUNT
                and 0 <= delays <= MAX_COUNT
                and 0 <= exempt_e <= MAX_COUNT
                and 0 <= exempt_d <= MAX_COUNT
            )
        ):
            return score_period(full(), params)  # raises the error naming the field
        scaled_rows.append((q, k, done, errors, delays, exempt_e, exempt_d))
    if len(scaled_rows) > MAX_ITEMS or len(general) > 100 or indicators is not None:
        return score_period(full(), params)
    light = _Light(tuple(_fast_general(general)), leader, forced_fail, full)
    units = _units(scaled_rows, params, lambda i: score_period(full(), params))
    return _result(light, units, params)


class _Light:
    """What ``_result`` reads of a PeriodInput, with the full input built on demand."""

    __slots__ = ("build", "forced_fail", "general", "indicators", "leader")

    def __init__(self, general, leader, forced_fail, build) -> None:
        self.general = general
        self.leader = leader
        self.forced_fail = forced_fail
        self.indicators = None
        self.build = build


def _fast_general(points):
    for i, value in enumerate(points):
        if _fast_scaled(value, MAX_POINTS) is not None:
            yield value
        else:
            yield to_decimal(value, f"general[{i}]", low=ZERO, high=MAX_POINTS)


def _fast_scaled(value, high: Decimal) -> int | None:
    if type(value) is Decimal and value.is_finite() and ZERO <= value <= high:
        shifted = value.scaleb(MAX_PLACES, DECIMAL_CONTEXT)
        whole = int(shifted)
        # (a non-zero value that shifts to 0 underflowed: more than 6 decimals)
        if whole == shifted and (whole or not value):
            return whole
    return None


def _result(period, units: tuple[int, int, int, int], params: Params) -> PeriodResult:
    engine = params._engine
    assigned, completed, quality, timeliness = units
    a = _percent(completed, assigned, engine.cap, engine.cap_fraction)
    b = _percent(quality, assigned, engine.cap, engine.cap_fraction)
    c = _percent(timeliness, assigned, engine.cap, engine.cap_fraction)
    unit_results = organising = None
    indicators = _indicators(period, params)
    if indicators is not None:
        criteria = [a, b, c, indicators]
        if period.leader is not None:
            unit_results, organising = _leader_values(period, params)
            criteria[3:3] = [unit_results, organising]
        task_score = sum(criteria, Fraction(0)) / len(criteria)
    elif period.leader is None:
        if (
            a is not engine.cap_fraction
            and b is not engine.cap_fraction
            and (c is not engine.cap_fraction)
        ):
            # No cap applied: (a + b + c) / 3 as one fraction of the integers.
            task_score = Fraction(100 * (completed + quality + timeliness), 3 * assigned)
        else:
            task_score = (a + b + c) / 3
    else:
        unit_results, organising = _leader_values(period, params)
        task_score = (a + b + c + unit_results + organising) / 5
    general_points = _general_points(period, params)
    task_points = task_score * engine.weight
    total = general_points + task_points
    check_forced_fail(period.forced_fail, params)
    grade = Grade.KHTNV if period.forced_fail is not None else grade_for_total(total, params)
    provisional = period.leader is not None and period.leader.team_pending > 0
    return PeriodResult(
        rule_set=CODE,
        engine_version=ENGINE_VERSION,
        a=a,
        b=b,
        c=c,
        unit_results=unit_results,
        organising=organising,
        task_score=task_score,
        task_points=task_points,
        general_points=general_points,
        total=total,
        total_stored=stored(total),
        total_display=params.display_value(total),
        grade=grade,
        forced_fail=period.forced_fail,
        provisional=provisional,
        indicators=indicators,
        source=(getattr(period, "build", period), params, explain_period),
    )


def _units(rows, params: Params, refuse) -> tuple[int, int, int, int]:
    """Validate scaled rows and return converted units assigned, completed, of quality, on time.

    Each row is ``(assigned, coefficient, completed)`` × 10^6 and the four counts; ``refuse(i)``
    raises the error of row ``i``.
    """
    engine = params._engine
    error_rate, delay_rate = engine.error_rate, engine.delay_rate
    max_deductions = params.max_deductions_per_product
    over = params.allow_over_completion
    assigned = completed = quality = timeliness = 0
    for i, (q, k, done, errors, delays, exempt_errors, exempt_delays) in enumerate(rows):
        limit = max_deductions * done
        if (
            (done > q and not over)
            or errors * SCALE > limit
            or delays * SCALE > limit
            or exempt_errors > errors
            or exempt_delays > delays
        ):
            refuse(i)
        units = done * k
        assigned += q * k
        completed += units
        credit = units - error_rate * k * (errors - exempt_errors)
        quality += credit if credit > 0 else 0
        credit = units - delay_rate * k * (delays - exempt_delays)
        timeliness += credit if credit > 0 else 0
    if assigned <= 0:
        raise ScoringInputError(
            "items", "Cần ít nhất một sản phẩm được giao với số lượng lớn hơn 0."
        )
    return assigned, completed, quality, timeliness


def _percent(part: int, whole: int, cap: int | None, cap_fraction: Fraction | None) -> Fraction:
    # part / whole × 100, capped: compared as integers before any Fraction is built.
    if cap is not None and 100 * part * SCALE > cap * whole:
        return cap_fraction
    return Fraction(100 * part, whole)


def _leader_values(period: PeriodInput, params: Params) -> tuple[Fraction, Fraction]:
    cap = params.effective_cap
    values = []
    for name in ("unit_results", "organising"):
        value = getattr(period.leader, name)
        if cap is not None and value > cap:
            raise ScoringInputError(
                f"leader_criteria.{name}", f"Tỷ lệ ({value}) vượt mức tối đa {cap}%."
            )
        values.append(value if isinstance(value, Fraction) else Fraction(scaled(value), SCALE))
    return values[0], values[1]


def _indicators(period: PeriodInput, params: Params) -> Fraction | None:
    """The position indicators' score when it joins a, b, c (``in_task``), else None."""
    value = period.indicators
    if value is None or params.position_indicators != "in_task":
        return None
    if value > 100:
        raise ScoringInputError("indicators", f"Điểm chỉ số ({value}) vượt mức tối đa 100.")
    return value if isinstance(value, Fraction) else Fraction(scaled(value), SCALE)


def _general_points(period: PeriodInput, params: Params) -> Fraction:
    criteria = params.general_criteria
    if len(period.general) != len(criteria):
        raise ScoringInputError(
            "general", f"Cần đúng {len(criteria)} điểm tiêu chí chung, nhận {len(period.general)}."
        )
    total = 0
    for i, (points, maximum) in enumerate(zip(period.general, params._engine.maxima, strict=True)):
        value = scaled(points)
        if value > maximum:
            criterion = criteria[i]
            raise ScoringInputError(
                f"general[{i}]",
                f"Điểm tiêu chí {criterion.code} ({points}) vượt mức tối đa "
                f"{criterion.max_points}.",
            )
        total += value
    return Fraction(total, SCALE)


def _refuse_item(i: int, item: WorkItem, params: Params) -> None:
    field = f"items[{i}]"
    if item.completed > item.assigned and not params.allow_over_completion:
        raise ScoringInputError(
            f"{field}.completed",
            f"Số lượng hoàn thành ({item.completed}) vượt số lượng được giao ({item.assigned}).",
        )
    limit = params.max_deductions_per_product * item.completed
    for name, label in (("major_errors", "lỗi nội dung lớn"), ("delays", "lần chậm tiến độ")):
        if getattr(item, name) > limit:
            raise ScoringInputError(
                f"{field}.{name}",
                f"Số {label} ({getattr(item, name)}) vượt quá {params.max_deductions_per_product} "
                f"lần trên mỗi sản phẩm hoàn thành (tối đa {limit.normalize():f}).",
            )
    if item.exempt_errors > item.major_errors:
        raise ScoringInputError(
            f"{field}.exempt_errors", "Số lỗi được miễn trừ không được vượt số lỗi nội dung lớn."
        )
    raise ScoringInputError(
        f"{field}.exempt_delays", "Số lần chậm được miễn trừ không được vượt số lần chậm."
    )


# The explanation: the same arithmetic written out, built only when someone looks.


def explain_period(period: PeriodInput, params: Params) -> Explanation:
    """Return the steps of the score of ``period``, numbers as a person reads them.

    Re-runs the exact computation, so each step's ``result`` is exact; formulas show values in
    the display precision with a decimal comma, and every exemption where it applies.
    """
    result = score_period(period, params)
    places = params.display_places

    def n(value) -> str:
        return shown(value, places)

    steps: list[ExplanationStep] = []
    totals = [Fraction(0)] * 4
    error_rate = Fraction(params.error_deduction)
    delay_rate = Fraction(params.delay_deduction)
    for item in period.items:
        k = Fraction(item.coefficient)
        assigned = Fraction(item.assigned) * k
        done = Fraction(item.completed) * k
        errors = item.major_errors - item.exempt_errors
        delays = item.delays - item.exempt_delays
        quality = max(Fraction(0), done - error_rate * k * errors)
        on_time = max(Fraction(0), done - delay_rate * k * delays)
        for index, value in enumerate((assigned, done, quality, on_time)):
            totals[index] += value
        steps.append(
            ExplanationStep(
                f"item:{item.code}",
                f"Sản phẩm {item.code}: quy đổi",
                {
                    "assigned": item.assigned,
                    "coefficient": item.coefficient,
                    "completed": item.completed,
                    "major_errors": item.major_errors,
                    "exempt_errors": item.exempt_errors,
                    "delays": item.delays,
                    "exempt_delays": item.exempt_delays,
                    "assigned_units": assigned,
                    "completed_units": done,
                    "quality_units": quality,
                    "on_time_units": on_time,
                },
                f"giao {n(item.assigned)} × {n(k)} = {n(assigned)}; "
                f"hoàn thành {n(item.completed)} × {n(k)} = {n(done)}; "
                f"chất lượng {n(done)} − "
                f"{_counted(item.major_errors, item.exempt_errors, 'lỗi')} × "
                f"{n(error_rate * 100)}% × {n(k)} = {n(quality)}; "
                f"tiến độ {n(done)} − "
                f"{_counted(item.delays, item.exempt_delays, 'lần chậm')} × "
                f"{n(delay_rate * 100)}% × {n(k)} = {n(on_time)}",
                done,
            )
        )
    assigned, done, quality, on_time = totals
    cap = params.effective_cap
    for code, label, part, value, key in (
        ("a", "a. Số lượng", done, result.a, "completed_units"),
        ("b", "b. Chất lượng", quality, result.b, "quality_units"),
        ("c", "c. Tiến độ", on_time, result.c, "on_time_units"),
    ):
        raw = part / assigned * 100
        capped = f" → tối đa {n(cap)}" if cap is not None and raw > cap else ""
        steps.append(
            ExplanationStep(
                code,
                label,
                {key: part, "assigned_units": assigned},
                f"{n(part)} / {n(assigned)} × 100 {_approx(raw, places)}{capped}",
                value,
            )
        )
    criteria = {"a": result.a, "b": result.b, "c": result.c}
    if period.leader is not None:
        criteria |= {"unit_results": result.unit_results, "organising": result.organising}
        steps.append(_leader_step(period, result, params))
    if result.indicators is not None:
        criteria["indicators"] = result.indicators
        steps.append(
            ExplanationStep(
                "indicators",
                "Chỉ số KPI của vị trí việc làm (tính vào kết quả nhiệm vụ)",
                {"indicators": result.indicators},
                f"điểm bình quân có trọng số các chỉ số {_approx(result.indicators, places)}%",
                result.indicators,
            )
        )
    steps.append(
        ExplanationStep(
            "task_score",
            "Điểm kết quả nhiệm vụ (%)",
            dict(criteria),
            f"({' + '.join(n(v) for v in criteria.values())}) / {len(criteria)} "
            f"{_approx(result.task_score, places)}",
            result.task_score,
        )
    )
    steps.append(
        ExplanationStep(
            "task_points",
            "Điểm kết quả nhiệm vụ (quy đổi)",
            {"task_score": result.task_score, "task_weight": params.task_weight},
            f"{n(result.task_score)} × {n(params.task_weight)} / 100 "
            f"{_approx(result.task_points, places)}",
            result.task_points,
        )
    )
    steps.append(
        ExplanationStep(
            "general_points",
            "Điểm tiêu chí chung",
            {c.code: p for c, p in zip(params.general_criteria, period.general, strict=True)},
            " + ".join(n(p) for p in period.general) + f" = {n(result.general_points)}",
            result.general_points,
        )
    )
    steps.append(
        ExplanationStep(
            "total",
            "Tổng điểm",
            {"general_points": result.general_points, "task_points": result.task_points},
            f"{n(result.general_points)} + {n(result.task_points)} "
            f"{_approx(result.total, places)} (hiển thị {fixed(result.total_display, places)})",
            result.total,
        )
    )
    steps.append(classify(result.total, params, period.forced_fail)[1])
    return tuple(steps)


def _counted(count: int, exempt: int, noun: str) -> str:
    if exempt:
        return f"({count} {noun} − {exempt} được miễn trừ)"
    return f"{count} {noun}"


def _approx(value: Fraction, places: int) -> str:
    """The value in display precision, marked ≈ when that is not its exact value."""
    text = shown(value, places)
    rounded = Fraction(text.replace(",", "."))
    return f"= {text}" if rounded == value else f"≈ {text}"


def _leader_step(period: PeriodInput, result: PeriodResult, params: Params) -> ExplanationStep:
    leader = period.leader
    places = params.display_places
    inputs = {
        "unit_results": result.unit_results,
        "organising": result.organising,
        "team_size": leader.team_size,
        "team_passing": leader.team_passing,
        "team_pending": leader.team_pending,
    }
    if leader.team_size is None:
        team = f"kết quả đơn vị phụ trách {shown(result.unit_results, places)}%"
    elif leader.team_size == 0:
        team = f"đơn vị không có cấp dưới → {shown(result.unit_results, places)}%"
    else:
        rule = (
            "tất cả đạt"
            if leader.team_passing == leader.team_size - leader.team_pending
            else "có người chưa đạt"
        )
        team = (
            f"{leader.team_passing} / {leader.team_size} cấp dưới đạt HTNV trở lên ({rule}) → "
            f"{shown(result.unit_results, places)}%"
        )
        if leader.team_pending:
            team += (
                f"; {leader.team_pending} cấp dưới chưa có điểm: kết quả tạm tính, "
                "tính lại khi họ được chấm"
            )
    if leader.team_units:
        team += f" (người thuộc lĩnh vực phụ trách: {', '.join(leader.team_units)})"
        inputs["team_units"] = ", ".join(leader.team_units)
    return ExplanationStep(
        "leader_criteria",
        "Tiêu chí của lãnh đạo, quản lý",
        inputs,
        f"Kết quả đơn vị: {team}; năng lực tổ chức thực hiện: {shown(result.organising, places)}%",
        result.unit_results + result.organising,
    )
