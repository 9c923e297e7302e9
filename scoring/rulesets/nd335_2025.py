"""Period scoring under Decree 335/2025/NĐ-CP: general criteria plus task results a, b, c."""

from __future__ import annotations

from decimal import Decimal, localcontext

from scoring.errors import ScoringInputError
from scoring.explain import ExplanationStep
from scoring.grading import check_forced_fail, classify
from scoring.numbers import DECIMAL_CONTEXT, HUNDRED, ZERO, clean
from scoring.params import Params
from scoring.types import PeriodInput, PeriodResult, WorkItem

CODE = "nd335_2025"
TITLE = "Nghị định 335/2025/NĐ-CP (thang 100 điểm)"


def score_period(period: PeriodInput, params: Params) -> PeriodResult:
    """Return the period score of ``period`` under ``params``.

    Raises ScoringInputError (field named, message in Vietnamese) for any invalid input.
    """
    with localcontext(DECIMAL_CONTEXT):
        _validate(period, params)
        return _score(period, params)


def _score(period: PeriodInput, params: Params) -> PeriodResult:
    steps: list[ExplanationStep] = []
    assigned = completed = quality = timeliness = ZERO
    for item in period.items:
        item_assigned = item.assigned * item.coefficient
        item_completed = item.completed * item.coefficient
        item_quality = _credit(item, item_completed, params.error_deduction, "errors")
        item_timeliness = _credit(item, item_completed, params.delay_deduction, "delays")
        assigned += item_assigned
        completed += item_completed
        quality += item_quality
        timeliness += item_timeliness
        steps.append(
            _item_step(item, params, item_assigned, item_completed, item_quality, item_timeliness)
        )

    cap = params.effective_cap
    a = _percent(completed, assigned, cap)
    b = _percent(quality, assigned, cap)
    c = _percent(timeliness, assigned, cap)
    cap_text = f", tối đa {cap}" if cap is not None else ""
    steps += [
        ExplanationStep(
            "a",
            "a. Số lượng",
            {"completed_units": clean(completed), "assigned_units": clean(assigned)},
            f"{clean(completed)} / {clean(assigned)} × 100{cap_text}",
            a,
        ),
        ExplanationStep(
            "b",
            "b. Chất lượng",
            {"quality_units": clean(quality), "assigned_units": clean(assigned)},
            f"{clean(quality)} / {clean(assigned)} × 100{cap_text}",
            b,
        ),
        ExplanationStep(
            "c",
            "c. Tiến độ",
            {"on_time_units": clean(timeliness), "assigned_units": clean(assigned)},
            f"{clean(timeliness)} / {clean(assigned)} × 100{cap_text}",
            c,
        ),
    ]

    criteria = {"a": a, "b": b, "c": c}
    unit_results = organising = None
    if period.leader is not None:
        unit_results = _capped(period.leader.unit_results, cap)
        organising = _capped(period.leader.organising, cap)
        criteria |= {"unit_results": unit_results, "organising": organising}
        steps.append(
            ExplanationStep(
                "leader_criteria",
                "Tiêu chí của lãnh đạo, quản lý",
                {"unit_results": unit_results, "organising": organising},
                "Kết quả của đơn vị phụ trách; năng lực tổ chức thực hiện (%)",
                unit_results + organising,
            )
        )

    task_score = clean(sum(criteria.values(), ZERO) / len(criteria))
    steps.append(
        ExplanationStep(
            "task_score",
            "Điểm kết quả nhiệm vụ (%)",
            dict(criteria),
            f"({' + '.join(str(v) for v in criteria.values())}) / {len(criteria)}",
            task_score,
        )
    )
    task_points = clean(task_score * params.task_weight / HUNDRED)
    steps.append(
        ExplanationStep(
            "task_points",
            "Điểm kết quả nhiệm vụ (quy đổi)",
            {"task_score": task_score, "task_weight": params.task_weight},
            f"{task_score} × {params.task_weight} / 100",
            task_points,
        )
    )
    general_points = clean(sum(period.general, ZERO))
    steps.append(
        ExplanationStep(
            "general_points",
            "Điểm tiêu chí chung",
            {c.code: p for c, p in zip(params.general_criteria, period.general, strict=True)},
            " + ".join(str(p) for p in period.general),
            general_points,
        )
    )
    total = clean(general_points + task_points)
    total_display = params.display(total)
    steps.append(
        ExplanationStep(
            "total",
            "Tổng điểm",
            {"general_points": general_points, "task_points": task_points},
            f"{general_points} + {task_points} (hiển thị {total_display})",
            total,
        )
    )
    grade, grade_step = classify(total, params, period.forced_fail)
    steps.append(grade_step)
    return PeriodResult(
        rule_set=CODE,
        a=a,
        b=b,
        c=c,
        unit_results=unit_results,
        organising=organising,
        task_score=task_score,
        task_points=task_points,
        general_points=general_points,
        total=total,
        total_display=total_display,
        grade=grade,
        forced_fail=period.forced_fail,
        explanation=tuple(steps),
    )


def _credit(item: WorkItem, completed_units: Decimal, rate: Decimal, kind: str) -> Decimal:
    # Each counted error (or delay) takes `rate` of ONE product's converted units; never below 0.
    if kind == "errors":
        counted = item.major_errors - item.exempt_errors
    else:
        counted = item.delays - item.exempt_delays
    return max(ZERO, completed_units - rate * item.coefficient * counted)


def _percent(part: Decimal, whole: Decimal, cap: Decimal | None) -> Decimal:
    return _capped(clean(part / whole * HUNDRED), cap)


def _capped(value: Decimal, cap: Decimal | None) -> Decimal:
    return value if cap is None else min(value, cap)


def _item_step(
    item: WorkItem,
    params: Params,
    assigned: Decimal,
    completed: Decimal,
    quality: Decimal,
    timeliness: Decimal,
) -> ExplanationStep:
    errors = item.major_errors - item.exempt_errors
    delays = item.delays - item.exempt_delays
    return ExplanationStep(
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
            "assigned_units": clean(assigned),
            "quality_units": clean(quality),
            "on_time_units": clean(timeliness),
        },
        f"giao {item.assigned} × {item.coefficient} = {clean(assigned)}; "
        f"hoàn thành {item.completed} × {item.coefficient} = {clean(completed)}; "
        f"chất lượng {clean(completed)} − {errors} lỗi × {params.error_deduction} × "
        f"{item.coefficient} "
        f"= {clean(quality)}; "
        f"tiến độ {clean(completed)} − {delays} lần chậm × {params.delay_deduction} × "
        f"{item.coefficient} "
        f"= {clean(timeliness)}",
        clean(completed),
    )


def _validate(period: PeriodInput, params: Params) -> None:
    leader = period.leader is not None
    for i, item in enumerate(period.items):
        _validate_item(i, item, params)
    if sum((it.assigned * it.coefficient for it in period.items), ZERO) <= 0:
        raise ScoringInputError(
            "items", "Cần ít nhất một sản phẩm được giao với số lượng lớn hơn 0."
        )
    criteria = params.general_criteria
    if len(period.general) != len(criteria):
        raise ScoringInputError(
            "general", f"Cần đúng {len(criteria)} điểm tiêu chí chung, nhận {len(period.general)}."
        )
    for i, (criterion, points) in enumerate(zip(criteria, period.general, strict=True)):
        if points < 0:
            raise ScoringInputError(
                f"general[{i}]", f"Điểm tiêu chí {criterion.code} không được âm."
            )
        if points > criterion.max_points:
            raise ScoringInputError(
                f"general[{i}]",
                f"Điểm tiêu chí {criterion.code} ({points}) vượt mức tối đa "
                f"{criterion.max_points}.",
            )
    if leader:
        cap = params.effective_cap
        for name in ("unit_results", "organising"):
            value = getattr(period.leader, name)
            if value < 0:
                raise ScoringInputError(f"leader_criteria.{name}", "Tỷ lệ không được âm.")
            if cap is not None and value > cap:
                raise ScoringInputError(
                    f"leader_criteria.{name}", f"Tỷ lệ ({value}) vượt mức tối đa {cap}%."
                )
    check_forced_fail(period.forced_fail, params, leader=leader)


def _validate_item(i: int, item: WorkItem, params: Params) -> None:
    field = f"items[{i}]"
    if not isinstance(item, WorkItem):
        raise ScoringInputError(field, "Sản phẩm không hợp lệ.")
    if not item.code:
        raise ScoringInputError(f"{field}.code", "Mã sản phẩm không được để trống.")
    for name in ("assigned", "completed"):
        if getattr(item, name) < 0:
            raise ScoringInputError(f"{field}.{name}", f"Số lượng ({name}) không được âm.")
    if item.coefficient <= 0:
        raise ScoringInputError(f"{field}.coefficient", "Hệ số quy đổi phải lớn hơn 0.")
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
                f"lần trên mỗi sản phẩm hoàn thành (tối đa {limit}).",
            )
    if item.exempt_errors > item.major_errors:
        raise ScoringInputError(
            f"{field}.exempt_errors", "Số lỗi được miễn trừ không được vượt số lỗi nội dung lớn."
        )
    if item.exempt_delays > item.delays:
        raise ScoringInputError(
            f"{field}.exempt_delays", "Số lần chậm được miễn trừ không được vượt số lần chậm."
        )
