"""Sandbox entry point: score one period from plain JSON (``kpi score FILE``, the simulate API)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from scoring.errors import ScoringInputError
from scoring.explain import explanation_to_dict
from scoring.numbers import dec_str
from scoring.params import Params
from scoring.registry import get_rule_set
from scoring.types import LeaderCriteria, PeriodInput, WorkItem

TOP_KEYS = frozenset(
    {"rule_set", "params", "leader", "items", "general", "leader_criteria", "forced_fail"}
)
ITEM_KEYS = frozenset(
    {
        "code",
        "assigned",
        "coefficient",
        "completed",
        "major_errors",
        "delays",
        "exempt_errors",
        "exempt_delays",
    }
)
ITEM_REQUIRED = frozenset({"code", "assigned", "coefficient", "completed"})
LEADER_KEYS = frozenset({"unit_results", "organising"})


def run(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the period score of the sandbox JSON ``data`` as JSON-ready data.

    Keys of the result: rule_set, a, b, c, task_score, task_points, general_points, total,
    total_display, grade, grade_label, forced_fail, explanation (and unit_results, organising for a
    leader). Raises ScoringInputError on any invalid or unknown input.
    """
    _require_mapping(data, "$")
    _check_keys(data, TOP_KEYS, "", required=frozenset({"items", "general"}))
    rule_set = get_rule_set(data.get("rule_set"))
    params = Params.from_dict(data.get("params") or {}, base=rule_set.default_params)
    leader = data.get("leader", False)
    if not isinstance(leader, bool):
        raise ScoringInputError("leader", "Giá trị phải là true hoặc false.")
    period = PeriodInput(
        items=_items(data["items"]),
        general=_list(data["general"], "general"),
        leader=_leader_criteria(data.get("leader_criteria"), leader),
        forced_fail=_forced_fail(data.get("forced_fail")),
    )
    result = rule_set.score_period(period, params)
    output: dict[str, Any] = {"rule_set": result.rule_set}
    for name in ("a", "b", "c", "task_score", "task_points", "general_points", "total"):
        output[name] = dec_str(getattr(result, name))
    if leader:
        output["unit_results"] = dec_str(result.unit_results)
        output["organising"] = dec_str(result.organising)
    output["total_display"] = dec_str(result.total_display)
    output["grade"] = result.grade.value
    output["grade_label"] = result.grade.label
    output["forced_fail"] = result.forced_fail
    output["explanation"] = explanation_to_dict(result.explanation)
    return output


def main(argv: Sequence[str] | None = None) -> int:
    """Score FILE.json (or ``-`` for stdin), print the result as JSON and return 0.

    On invalid input print ``{"error": {"field", "message"}}`` to stderr and return 2.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(args) != 1:
            raise ScoringInputError("argv", "Cách dùng: kpi score FILE.json (hoặc - để đọc stdin).")
        output = run(_load(args[0]))
    except ScoringInputError as error:
        print(json.dumps({"error": error.to_dict()}, ensure_ascii=False, indent=2), file=sys.stderr)
        return 2
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


def _load(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise ScoringInputError("file", f"Không đọc được tệp '{path}': {error.strerror}.") from None
    except UnicodeDecodeError:
        raise ScoringInputError("file", f"Tệp '{path}' không phải UTF-8.") from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ScoringInputError(
            "json", f"JSON không hợp lệ: {error.msg} (dòng {error.lineno}, cột {error.colno})."
        ) from None


def _require_mapping(value: Any, field: str) -> None:
    if not isinstance(value, Mapping):
        raise ScoringInputError(field, "Phải là một đối tượng JSON.")


def _check_keys(
    value: Mapping[str, Any], allowed: frozenset[str], prefix: str, required: frozenset[str]
) -> None:
    for key in value:
        if key not in allowed:
            raise ScoringInputError(f"{prefix}{key}", f"Khóa '{key}' không được hỗ trợ.")
    for key in sorted(required):
        if key not in value:
            raise ScoringInputError(f"{prefix}{key}", f"Thiếu khóa bắt buộc '{key}'.")


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScoringInputError(field, "Phải là một danh sách.")
    return value


def _items(value: Any) -> tuple[WorkItem, ...]:
    items = []
    for i, raw in enumerate(_list(value, "items")):
        field = f"items[{i}]"
        _require_mapping(raw, field)
        _check_keys(raw, ITEM_KEYS, f"{field}.", required=ITEM_REQUIRED)
        if not isinstance(raw["code"], str) or not raw["code"].strip():
            raise ScoringInputError(f"{field}.code", "Mã sản phẩm phải là chuỗi không rỗng.")
        try:
            items.append(WorkItem(**raw))
        except ScoringInputError as error:
            # WorkItem names fields by code; the sandbox user needs the row number.
            name = error.field.rsplit(".", 1)[-1]
            raise ScoringInputError(f"{field}.{name}", error.message) from None
    return tuple(items)


def _leader_criteria(value: Any, leader: bool) -> LeaderCriteria | None:
    if not leader:
        if value is not None:
            raise ScoringInputError(
                "leader_criteria", "Chỉ nhập tiêu chí lãnh đạo khi leader là true."
            )
        return None
    if value is None:
        raise ScoringInputError("leader_criteria", "Lãnh đạo cần unit_results và organising.")
    _require_mapping(value, "leader_criteria")
    _check_keys(value, LEADER_KEYS, "leader_criteria.", required=LEADER_KEYS)
    return LeaderCriteria(**value)


def _forced_fail(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ScoringInputError("forced_fail", "Phải là mã lý do (chuỗi) hoặc null.")
    return value
