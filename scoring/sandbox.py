"""Sandbox entry point: the whole engine from plain JSON (``kpi score FILE``, the simulate API).

Three kinds of document: ``"period"`` (one person's period, the default), ``"annual"`` (a year
graded on its period totals) and ``"quota"`` (the HTXS quota of one agency). Every input is
bounded; anything invalid is a ScoringInputError naming the field, in Vietnamese
(docs/scoring.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scoring.annual import PeriodTotal, classify_year
from scoring.errors import ScoringInputError
from scoring.explain import explanation_to_dict
from scoring.numbers import MAX_ITEMS, dec_str, exact_text, plain
from scoring.params import Params
from scoring.quota import QuotaEntry, check_quota
from scoring.registry import RuleSet, get_rule_set
from scoring.sandbox_input import MAX_BYTES, key_name, load_json, too_large
from scoring.types import Grade, LeaderCriteria, PeriodInput, WorkItem

MAX_PERIODS = 24
MAX_PEOPLE = 100_000
MAX_GENERAL = 100
MAX_TEXT = 100

USAGE = (
    "Cách dùng: kpi score FILE.json (hoặc - để đọc stdin)\n\n"
    'Chấm điểm thử từ JSON, không lưu gì: "kind" là "period" (một kỳ, mặc định), "annual"\n'
    '(xếp loại năm từ tổng điểm các kỳ) hoặc "quota" (tỷ lệ HTXS của một cơ quan).\n'
    "In kết quả JSON ra stdout và thoát 0; dữ liệu không hợp lệ: in\n"
    '{"error": {"field", "message"}} ra stderr và thoát 2. Xem docs/scoring.md.'
)

KINDS = ("period", "annual", "quota")
PERIOD_KEYS = frozenset(
    {"kind", "rule_set", "params", "leader", "items", "general", "leader_criteria", "forced_fail"}
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
ANNUAL_KEYS = frozenset({"kind", "rule_set", "params", "leader", "periods", "forced_fail"})
ANNUAL_PERIOD_KEYS = frozenset({"code", "total", "forced_fail", "source_unit"})
QUOTA_KEYS = frozenset({"kind", "rule_set", "params", "people", "outstanding", "agency"})
PERSON_KEYS = frozenset({"id", "grade", "quota_group"})


def run(data: Any) -> dict[str, Any]:
    """Return the result of the sandbox document ``data`` (parsed JSON) as JSON-ready data.

    ``data["kind"]`` chooses the contract: ``"period"`` (default), ``"annual"`` or ``"quota"``;
    docs/scoring.md lists the keys of each input and output. Raises ScoringInputError on any
    invalid, unknown or out-of-range input.
    """
    _require_mapping(data, "$")
    kind = data.get("kind", "period")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ScoringInputError("kind", f"'kind' chỉ nhận: {', '.join(KINDS)}.")
    return _RUNNERS[kind](data)


def _run_period(data: Mapping[str, Any]) -> dict[str, Any]:
    _check_keys(data, PERIOD_KEYS, "", required=frozenset({"items", "general"}))
    rule_set, params = _rule_set_and_params(data)
    leader = _bool(data.get("leader", False), "leader")
    period = PeriodInput(
        items=_items(data["items"]),
        general=tuple(_list(data["general"], "general", MAX_GENERAL)),
        leader=_leader_criteria(data.get("leader_criteria"), leader),
        forced_fail=_optional_text(data.get("forced_fail"), "forced_fail"),
    )
    result = rule_set.score_period(period, params)
    output: dict[str, Any] = {"kind": "period", "rule_set": result.rule_set}
    for name in ("a", "b", "c", "task_score", "task_points", "general_points"):
        output[name] = plain(getattr(result, name))
    if leader:
        output["unit_results"] = plain(result.unit_results)
        output["organising"] = plain(result.organising)
    output["total"] = plain(result.total_stored)
    output["total_exact"] = exact_text(result.total)
    output["total_display"] = dec_str(result.total_display)
    output["grade"] = result.grade.value
    output["grade_label"] = result.grade.label
    output["forced_fail"] = result.forced_fail
    output["engine_version"] = result.engine_version
    output["explanation"] = explanation_to_dict(result.explanation)
    return output


def _run_annual(data: Mapping[str, Any]) -> dict[str, Any]:
    _check_keys(data, ANNUAL_KEYS, "", required=frozenset({"periods"}))
    _rule_set, params = _rule_set_and_params(data)
    leader = _bool(data.get("leader", False), "leader")
    periods = []
    for i, raw in enumerate(_list(data["periods"], "periods", MAX_PERIODS)):
        field = f"periods[{i}]"
        _require_mapping(raw, field)
        _check_keys(raw, ANNUAL_PERIOD_KEYS, f"{field}.", required=frozenset({"code", "total"}))
        code = _text(raw["code"], f"{field}.code")
        source = _optional_text(raw.get("source_unit"), f"{field}.source_unit")
        forced = _optional_text(raw.get("forced_fail"), f"{field}.forced_fail")
        try:
            periods.append(PeriodTotal(code, raw["total"], source_unit=source, forced_fail=forced))
        except ScoringInputError as error:
            # PeriodTotal names the period by its code; the sandbox user needs the row number.
            raise ScoringInputError(f"{field}.total", error.message) from None
    result = classify_year(
        periods,
        params,
        forced_fail=_optional_text(data.get("forced_fail"), "forced_fail"),
        leader=leader,
    )
    return {
        "kind": "annual",
        "average": plain(result.average_stored),
        "average_exact": exact_text(result.average),
        "average_display": dec_str(result.average_display),
        "grade": result.grade.value,
        "grade_label": result.grade.label,
        "forced_fail": result.forced_fail,
        "period_count": result.period_count,
        "explanation": explanation_to_dict(result.explanation),
    }


def _run_quota(data: Mapping[str, Any]) -> dict[str, Any]:
    _check_keys(data, QUOTA_KEYS, "", required=frozenset({"people"}))
    _rule_set, params = _rule_set_and_params(data)
    outstanding = _bool(data.get("outstanding", False), "outstanding")
    agency = _text(data.get("agency", "đơn vị"), "agency")
    entries = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(data["people"], "people", MAX_PEOPLE)):
        field = f"people[{i}]"
        _require_mapping(raw, field)
        _check_keys(raw, PERSON_KEYS, f"{field}.", required=frozenset({"id", "grade"}))
        person = raw["id"]
        if type(person) is int and abs(person) < 10**15:
            person = str(person)
        person = _text(person, f"{field}.id")
        if person in seen:
            raise ScoringInputError(f"{field}.id", f"Mã người '{person}' bị trùng.")
        seen.add(person)
        grade = _grade(raw["grade"], f"{field}.grade")
        group = _optional_text(raw.get("quota_group"), f"{field}.quota_group")
        entries.append(QuotaEntry(person, grade, agency, group))
    report = check_quota(entries, params, outstanding_agencies=(agency,) if outstanding else ())
    checks = report.checks
    whole = next((c for c in checks if c.scope == "agency"), None)
    ratio = params.quota_ratio_outstanding if outstanding else params.quota_ratio
    return {
        "kind": "quota",
        "ratio": plain(ratio),
        "allowed": whole.allowed if whole else 0,
        "htxs": whole.htxs_count if whole else 0,
        "htt": whole.htt_count if whole else 0,
        "must_lower": whole.must_lower if whole else 0,
        "allowed_after": whole.allowed_after if whole else 0,
        "groups": [
            {
                "group": c.group,
                "htxs": c.htxs_count,
                "htt": c.htt_count,
                "allowed": c.allowed,
                "must_lower": c.must_lower,
                "allowed_after": c.allowed_after,
                "people": list(c.htxs_person_ids),
            }
            for c in checks
            if c.scope == "quota_group"
        ],
        "explanation": explanation_to_dict(report.explanation),
    }


_RUNNERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "period": _run_period,
    "annual": _run_annual,
    "quota": _run_quota,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox on FILE.json (or ``-`` for stdin), print the result as JSON, return 0.

    ``--help`` prints the usage and returns 0. On invalid input print
    ``{"error": {"field", "message"}}`` to stderr and return 2.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--help"], ["-h"]):
        _write(sys.stdout, USAGE)
        return 0
    try:
        if len(args) != 1:
            raise ScoringInputError("argv", USAGE.split("\n", 1)[0] + ".")
        output = run(load_json(_read(args[0])))
    except ScoringInputError as error:
        _write(sys.stderr, json.dumps({"error": error.to_dict()}, ensure_ascii=False, indent=2))
        return 2
    _write(sys.stdout, json.dumps(output, ensure_ascii=False, indent=2))
    return 0


def _read(path: str) -> bytes | str:
    """Return at most MAX_BYTES + 1 bytes of the file (or stdin): enough to refuse a larger one."""
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", sys.stdin)
            data = stream.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ScoringInputError("file", f"Không đọc được tệp '{path}': {error.strerror}.") from None
    if len(data) > MAX_BYTES:
        raise too_large()
    return data


def _write(stream: Any, text: str) -> None:
    """Write UTF-8 whatever the locale: Vietnamese must not fail on a C-locale terminal."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text + "\n")
        return
    stream.flush()
    buffer.write((text + "\n").encode("utf-8"))
    buffer.flush()


def _rule_set_and_params(data: Mapping[str, Any]) -> tuple[RuleSet, Params]:
    code = data.get("rule_set")
    if code is not None and (not isinstance(code, str) or len(code) > MAX_TEXT):
        raise ScoringInputError("rule_set", "Mã bộ quy tắc phải là chuỗi.")
    rule_set = get_rule_set(code)
    overrides = data.get("params")
    if overrides is None:
        return rule_set, rule_set.default_params
    _require_mapping(overrides, "params")
    return rule_set, Params.from_dict(overrides, base=rule_set.default_params)


def _require_mapping(value: Any, field: str) -> None:
    if not isinstance(value, Mapping):
        raise ScoringInputError(field, "Phải là một đối tượng JSON.")


def _check_keys(
    value: Mapping[str, Any], allowed: frozenset[str], prefix: str, required: frozenset[str]
) -> None:
    for key in value:
        if key not in allowed:
            shown = key_name(key)
            raise ScoringInputError(f"{prefix}{shown}", f"Khóa '{shown}' không được hỗ trợ.")
    for key in sorted(required):
        if key not in value:
            raise ScoringInputError(f"{prefix}{key}", f"Thiếu khóa bắt buộc '{key}'.")


def _list(value: Any, field: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise ScoringInputError(field, "Phải là một danh sách.")
    if len(value) > limit:
        raise ScoringInputError(field, f"Tối đa {limit:,} phần tử.".replace(",", "."))
    return value


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ScoringInputError(field, "Giá trị phải là true hoặc false.")
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScoringInputError(field, "Phải là chuỗi không rỗng.")
    if len(value) > MAX_TEXT:
        raise ScoringInputError(field, f"Tối đa {MAX_TEXT} ký tự.")
    return value


def _grade(value: Any, field: str) -> Grade:
    if not isinstance(value, str):
        codes = ", ".join(g.value for g in Grade)
        raise ScoringInputError(field, f"Xếp loại phải là một mã: {codes}.")
    return Grade.parse(value[:MAX_TEXT], field)


def _optional_text(value: Any, field: str) -> str | None:
    return None if value is None else _text(value, field)


def _items(value: Any) -> tuple[WorkItem, ...]:
    items = []
    for i, raw in enumerate(_list(value, "items", MAX_ITEMS)):
        field = f"items[{i}]"
        _require_mapping(raw, field)
        _check_keys(raw, ITEM_KEYS, f"{field}.", required=ITEM_REQUIRED)
        _text(raw["code"], f"{field}.code")
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
