"""The template version payload: its format, ``validate_payload`` and ``diff_payloads`` (pure).

No database here: rollouts (three-way merge, dry runs) and the console reuse these functions.
The format's keys and ``dec`` live in ``payload_format`` (which the Flask-free merge can import)
and are re-exported here.

Format (version 1; docs/templates.md has the same with examples)::

    {
      "format": 1,
      "positions": [                        # job positions, keyed by "code", sorted by code
        {"code": "CM01", "name": "...", "position_group": "professional_common",
         "description": null}
      ],
      "items": [                            # catalogue items, keyed by "canonical_code", sorted
        {"canonical_code": "TH.VP.SP01", "kind": "work_item" | "indicator",
         "code": "VP.SP01", "name": "...", "unit_of_measure": "...",
         "description": null, "evidence_requirement": null,
         "coefficient": "1.5",              # work items only (decimal string)
         "target": null, "band_low": null, "band_high": null,   # indicators only
         "cap_percent": null, "weight": null,
         "bands": null | [{"from": "0", "score": "100"}, ...],
         "direction": null, "scoring_method": null, "aggregation": null,
         "positions": ["CM01", "CM02"],     # position codes, sorted, each in "positions"
         "mandatory": true, "allowed_min": "1.2", "allowed_max": "1.8"}
      ],
      "sources": [                          # data sources (feeds), keyed by "code", sorted
        {"code": "mot-cua", "name": "Hệ thống một cửa", "kind": "one_stop",
         "closing_day": 3, "closing_time": "17:00", "late_policy": "hold" | "refuse",
         "items": [{"external_code": "1.001", "canonical_code": "TH.VP.SP01"}]}
      ],                                    # items: by external_code, each code in "items"
      "scoring": {"rule_set": "nd335_2025", "params": {"threshold_htxs": "90"}},  # overrides
      "schedule": {"period_kind": "month" | "quarter",
                   "windows": {"report": 3, "self_assessment": 5, "review": 8, "approval": 10},
                   "calendar": {"auto_close": true, "auto_lock": true,   # optional: these are
                                "lock_after_days": 5,                    # the defaults (0–60)
                                "annual_deadline": "12-15" | "01-15"}},
      "approval": {"chain": ["self", "manager", "leader"]},
      "income": {"scheme": "coefficient_salary", "settings": {}}
    }

A *canonical* payload (what ``validate_payload`` returns and what versions store) has every key
above on every position and item (absent optional values are ``null``), decimals as normalised
strings ("1.5", "100"), lists sorted, scoring params and income settings as the scoring package
serialises them. Two canonical payloads are equal exactly when they configure the same thing,
which is what makes ``diff_payloads`` exact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError

from scoring import (
    DEFAULT_RULE_SET,
    Params,
    ScoringInputError,
    compute_income,
    get_rule_set,
    resolve_rule_sets,
)
from tenant_app.errors import translate_validation
from tenant_app.models.vocabulary import DEFAULT_APPROVAL_CHAIN
from tenant_app.schemas.templates import CALENDAR_LABELS, WINDOW_NAMES, PayloadSchema
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import chain as approval_chain
from tenant_app.services.rollout.payload_format import (  # noqa: F401  (the format's vocabulary)
    CALENDAR_DEFAULTS,
    DECIMAL_KEYS,
    FORMAT,
    ITEM_KEYS,
    KEYED_SECTIONS,
    POSITION_KEYS,
    SECTIONS,
    SETTINGS_MAP,
    SOURCE_KEYS,
    calendar_settings,
    dec,
    source_fields,
    with_calendar,
)

DEFAULT_WINDOWS = {"report": 3, "self_assessment": 5, "review": 8, "approval": 10}
DEFAULT_INCOME_SCHEME = "coefficient_salary"


class PayloadInvalid(ServiceError):
    """A payload the format refuses; ``errors`` maps a path ("items.3.coefficient") to messages."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        count = sum(len(v) for v in errors.values())
        super().__init__(
            "invalid_payload",
            _("Cấu hình mẫu chưa hợp lệ: %(n)d lỗi, xem chi tiết từng trường.", n=count),
        )
        self.errors = errors


def default_payload() -> dict:
    """An empty but valid payload: no positions or items, the default rules and schedule."""
    return {
        "format": FORMAT,
        "positions": [],
        "items": [],
        "sources": [],
        "scoring": {"rule_set": DEFAULT_RULE_SET, "params": {}},
        "schedule": {
            "period_kind": "month",
            "windows": dict(DEFAULT_WINDOWS),
            "calendar": dict(CALENDAR_DEFAULTS),
        },
        "approval": {"chain": list(DEFAULT_APPROVAL_CHAIN)},
        "income": {"scheme": DEFAULT_INCOME_SCHEME, "settings": {}},
    }


def _flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = key if key != "_schema" else ""
            path = ".".join(p for p in (prefix, str(name)) if p)
            for k, v in _flatten_errors(value, path).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "_payload"] = [str(m) for m in messages]
        else:
            for m in messages:
                for k, v in _flatten_errors(m, prefix).items():
                    flat.setdefault(k, []).extend(v)
    else:
        flat[prefix or "_payload"] = [str(messages)]
    return flat


def _position(data: dict) -> dict:
    return {key: data.get(key) for key in POSITION_KEYS}


def _item(data: dict) -> dict:
    item = {key: data.get(key) for key in ITEM_KEYS}
    for key in DECIMAL_KEYS:
        item[key] = dec(item[key])
    if item["bands"]:
        item["bands"] = [{"from": dec(b["from_"]), "score": dec(b["score"])} for b in item["bands"]]
    else:
        item["bands"] = None
    if item["kind"] == "indicator" and item["scoring_method"] == "ratio_capped":
        item["cap_percent"] = item["cap_percent"] or "100"  # as the catalogue stores it
    item["positions"] = sorted(set(item["positions"] or []))
    item["mandatory"] = bool(item["mandatory"])
    return item


def _source(data: dict) -> dict:
    source = {key: data.get(key) for key in SOURCE_KEYS}
    source["items"] = sorted(
        ({"external_code": m["external_code"], "canonical_code": m["canonical_code"]}
         for m in data.get("items") or []),
        key=lambda m: m["external_code"],
    )  # fmt: skip
    return source


def validate_payload(data: Any) -> dict:
    """Return the canonical form of payload ``data`` (module docstring), or raise PayloadInvalid.

    Errors are Vietnamese messages keyed by path, e.g. ``items.3.coefficient`` (0-based index of
    the input list), ``scoring.params.threshold_htxs``, ``positions.1.code``.
    """
    if not isinstance(data, dict):
        raise PayloadInvalid({"_payload": [_("Cấu hình mẫu phải là một đối tượng JSON.")]})
    try:
        loaded = PayloadSchema().load(data)
    except ValidationError as exc:
        raise PayloadInvalid(_flatten_errors(translate_validation(exc.messages))) from None
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    codes: dict[str, int] = {}
    for i, position in enumerate(loaded["positions"]):
        if position["code"] in codes:
            add(
                f"positions.{i}.code",
                _("Mã vị trí bị trùng với dòng %(n)d.", n=codes[position["code"]] + 1),
            )
        codes.setdefault(position["code"], i)
    canonical: dict[str, int] = {}
    item_codes: dict[str, int] = {}
    for i, item in enumerate(loaded["items"]):
        for seen, key, message in (
            (canonical, "canonical_code", _("Mã chuẩn bị trùng với dòng %(n)d.")),
            (item_codes, "code", _("Mã mục bị trùng với dòng %(n)d.")),
        ):
            if item[key] in seen:
                add(f"items.{i}.{key}", message % {"n": seen[item[key]] + 1})
            seen.setdefault(item[key], i)
        unknown = sorted(set(item["positions"]) - set(codes))
        if unknown:
            add(
                f"items.{i}.positions",
                _("Vị trí không có trong mẫu: %(codes)s.", codes=", ".join(unknown)),
            )

    source_codes: dict[str, int] = {}
    for i, source in enumerate(loaded["sources"]):
        if source["code"] in source_codes:
            add(
                f"sources.{i}.code",
                _("Mã nguồn bị trùng với dòng %(n)d.", n=source_codes[source["code"]] + 1),
            )
        source_codes.setdefault(source["code"], i)
        externals: dict[str, int] = {}
        for j, mapping in enumerate(source["items"]):
            external = mapping["external_code"]
            if external in externals:
                add(
                    f"sources.{i}.items.{j}.external_code",
                    _("Mã ở hệ thống nguồn bị trùng với ánh xạ %(n)d.", n=externals[external] + 1),
                )
            externals.setdefault(external, j)
            if mapping["canonical_code"] not in canonical:
                add(
                    f"sources.{i}.items.{j}.canonical_code",
                    _("Mã chuẩn “%(code)s” không có trong danh mục của mẫu.",
                      code=mapping["canonical_code"]),
                )  # fmt: skip

    scoring = loaded["scoring"]
    params: dict = {}
    try:
        rule_set = get_rule_set(scoring["rule_set"])
    except ScoringInputError as exc:
        add("scoring.rule_set", exc.message)
    else:
        try:
            parsed = Params.from_dict(scoring["params"], base=rule_set.default_params)
            # every kind of person's rule set must exist (the date only picks vc_2026/nd90_2020)
            resolve_rule_sets(parsed, parsed.effective_from)
            full = parsed.to_dict()
        except ScoringInputError as exc:
            add(f"scoring.{exc.field}" if exc.field.startswith("params") else "scoring.params",
                exc.message)  # fmt: skip
        else:
            params = {name: full[name] for name in sorted(scoring["params"])}

    windows = {**DEFAULT_WINDOWS, **loaded["schedule"]["windows"]}
    ordered = [windows[name] for name in WINDOW_NAMES]
    if ordered != sorted(ordered):
        add(
            "schedule.windows",
            _("Các hạn phải theo thứ tự: báo cáo ≤ tự đánh giá ≤ thẩm định ≤ phê duyệt."),
        )

    chain_error = approval_chain.chain_problem(loaded["approval"]["chain"])
    if chain_error is not None:
        add("approval.chain", chain_error)

    income = loaded["income"]
    try:
        compute_income([], income["scheme"], dict(income["settings"]))
    except ScoringInputError as exc:
        add(f"income.{exc.field.removeprefix('income.')}" if exc.field else "income", exc.message)

    if errors:
        raise PayloadInvalid(errors)
    return {
        "format": FORMAT,
        "positions": sorted((_position(p) for p in loaded["positions"]), key=lambda p: p["code"]),
        "items": sorted((_item(x) for x in loaded["items"]), key=lambda x: x["canonical_code"]),
        "sources": sorted((_source(x) for x in loaded["sources"]), key=lambda x: x["code"]),
        "scoring": {"rule_set": scoring["rule_set"], "params": params},
        "schedule": {
            "period_kind": loaded["schedule"]["period_kind"],
            "windows": windows,
            "calendar": {**CALENDAR_DEFAULTS, **loaded["schedule"]["calendar"]},
        },
        "approval": {"chain": list(loaded["approval"]["chain"])},
        "income": {"scheme": income["scheme"], "settings": _jsonable(income["settings"])},
    }


def _jsonable(value):
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# --- differences


def _flatten(value, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key in sorted(value):
            flat.update(_flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def diff_payloads(old: dict | None, new: dict | None) -> list[dict]:
    """Return the changes from canonical payload ``old`` to ``new``, in a stable order.

    Each change is ``{"section", "key", "change", "field", "old", "new"}``:

    - positions (keyed by ``code``) and items (keyed by ``canonical_code``): ``added`` / ``removed``
      with ``field`` None and the whole entry in ``new`` / ``old``; ``changed`` once per field
      that differs, with the field's old and new value (lists such as ``positions`` or ``bands``
      compare whole);
    - sources (keyed by ``code``): as items, the item mappings compared one by one as fields
      ``mappings.<external_code>`` (the mapped canonical code; None on the side without it);
    - scoring, schedule, approval, income (``key`` is the section name): one change per leaf path
      that differs, e.g. ``field`` "params.threshold_htxs" or "windows.report"; ``added`` /
      ``removed`` when the path exists on one side only.

    Sections missing from a payload count as empty; a schedule without ``calendar`` (a version
    made before it) has the calendar's defaults. Sorted by section (format order), key, field.
    """
    old, new = with_calendar(old) or {}, with_calendar(new) or {}
    changes: list[dict] = []
    for section in SECTIONS:
        if section in KEYED_SECTIONS:
            key_name = KEYED_SECTIONS[section]
            before = {e[key_name]: e for e in old.get(section) or []}
            after = {e[key_name]: e for e in new.get(section) or []}
            for key in sorted(set(before) | set(after)):
                a, b = before.get(key), after.get(key)
                if a is None:
                    changes.append(_change(section, key, "added", None, None, b))
                elif b is None:
                    changes.append(_change(section, key, "removed", None, a, None))
                else:
                    if section == "sources":
                        a, b = source_fields(a), source_fields(b)
                    for name in sorted(set(a) | set(b)):
                        if a.get(name) != b.get(name):
                            changes.append(
                                _change(section, key, "changed", name, a.get(name), b.get(name))
                            )
        else:
            before = _flatten(old.get(section) or {})
            after = _flatten(new.get(section) or {})
            for path in sorted(set(before) | set(after)):
                if path in before and path in after:
                    if before[path] != after[path]:
                        changes.append(
                            _change(section, section, "changed", path, before[path], after[path])
                        )
                elif path in after:
                    changes.append(_change(section, section, "added", path, None, after[path]))
                else:
                    changes.append(_change(section, section, "removed", path, before[path], None))
    return changes


def _change(section, key, change, field, old, new) -> dict:
    return {
        "section": section,
        "key": key,
        "change": change,
        "field": field,
        "old": old,
        "new": new,
    }


def local_change_count(base: dict | None, current: dict | None) -> int:
    """How many positions, items and sources of ``current`` differ from ``base`` (added, removed or
    changed; one per position or item, however many fields changed)."""
    touched = {
        (c["section"], c["key"])
        for c in diff_payloads(base, current)
        if c["section"] in KEYED_SECTIONS
    }
    return len(touched)


# --- tenants: settings and their configuration as a payload


def payload_from_rows(
    settings: dict, positions: list[dict], items: list[dict], sources: list[dict] = ()
) -> dict:
    """Build a canonical payload from a unit's rows (no database access here).

    ``positions``: dicts with POSITION_KEYS; ``items``: dicts with the item's fields, its latest
    values and ``positions`` (codes); ``sources``: payload-shaped source entries (their item
    mappings by canonical code). An item without a canonical code (the unit's own) takes its
    ``code`` as canonical code. Settings the unit never set take the defaults. Raises
    PayloadInvalid if the rows do not make a valid payload.
    """
    settings = settings or {}
    base = default_payload()
    data = {
        "format": FORMAT,
        "positions": [_position(p) for p in positions],
        "items": [],
        "sources": [_source(s) for s in sources],
        "scoring": {
            "rule_set": settings.get("rule_set") or base["scoring"]["rule_set"],
            "params": dict(settings.get("scoring_params") or {}),
        },
        "schedule": {
            "period_kind": settings.get("period_kind") or "month",
            "windows": {**DEFAULT_WINDOWS, **(settings.get("windows") or {})},
            "calendar": calendar_settings(settings.get("calendar")),
        },
        "approval": {"chain": list(settings.get("approval_chain") or DEFAULT_APPROVAL_CHAIN)},
        "income": {
            "scheme": settings.get("income_scheme") or DEFAULT_INCOME_SCHEME,
            "settings": dict(settings.get("income_settings") or {}),
        },
    }
    for row in items:
        item = {key: row.get(key) for key in ITEM_KEYS}
        item["canonical_code"] = row.get("canonical_code") or row["code"]
        item["positions"] = list(row.get("positions") or [])
        item["mandatory"] = bool(row.get("mandatory"))
        for key in DECIMAL_KEYS:
            item[key] = dec(item[key])
        if item["bands"]:
            item["bands"] = [{"from": b["from"], "score": b["score"]} for b in item["bands"]]
        data["items"].append(item)
    return validate_payload(_jsonable(data))


# --- readable texts for the console


FIELD_LABELS = {
    "positions": "Vị trí việc làm",
    "items": "Danh mục",
    "scoring": "Tham số chấm điểm",
    "schedule": "Lịch kỳ đánh giá",
    "approval": "Chuỗi phê duyệt",
    "income": "Thu nhập tăng thêm",
    "sources": "Nguồn dữ liệu",
    "closing_day": "Ngày chốt số liệu",
    "closing_time": "Giờ chốt số liệu",
    "late_policy": "Số liệu gửi muộn",
    "mappings": "Ánh xạ mã thủ tục/loại việc",
    "external_code": "Mã ở hệ thống nguồn",
    "code": "Mã",
    "name": "Tên",
    "position_group": "Nhóm vị trí",
    "description": "Mô tả",
    "canonical_code": "Mã chuẩn",
    "kind": "Loại",
    "unit_of_measure": "Đơn vị tính",
    "evidence_requirement": "Yêu cầu minh chứng",
    "coefficient": "Hệ số quy đổi",
    "target": "Chỉ tiêu",
    "band_low": "Cận dưới",
    "band_high": "Cận trên",
    "cap_percent": "Mức trần (%)",
    "weight": "Trọng số",
    "bands": "Khung điểm",
    "direction": "Chiều đánh giá",
    "scoring_method": "Phương pháp chấm",
    "aggregation": "Cách tổng hợp",
    "mandatory": "Bắt buộc",
    "allowed_min": "Tối thiểu cho phép",
    "allowed_max": "Tối đa cho phép",
    "rule_set": "Bộ quy tắc",
    "params": "Tham số",
    "period_kind": "Loại kỳ",
    "windows": "Hạn (ngày sau cuối kỳ)",
    "calendar": "Lịch tự động",
    "chain": "Các bước",
    "scheme": "Cách tính",
    "settings": "Thiết lập",
}


def rule_sets_by_kind(payload: dict) -> list[tuple[str, str]]:
    """``[(kind of person's label, rule set code)]`` a canonical payload configures (defaults
    included), and the date from which public employees leave Decree 90/2020 last."""
    from tenant_app.models.staff import STAFF_TYPE_LABELS

    scoring = payload.get("scoring") or {}
    try:
        params = Params.from_dict(scoring.get("params") or {})
    except ScoringInputError:
        return []
    rows = [(str(STAFF_TYPE_LABELS.get(k, k)), code) for k, code in params.staff_rule_sets]
    return rows + [(_("vc_2026 áp dụng cho kỳ bắt đầu từ"), params.vc_2026_effective_from)]


def field_label(name: str | None) -> str:
    """The Vietnamese label of a payload field or path ("params.threshold_htxs" → "Tham số:
    threshold_htxs")."""
    if not name:
        return ""
    head, _sep, rest = name.partition(".")
    # The labels are the catalogue's Vietnamese texts: translated when shown.
    label = _(FIELD_LABELS[head]) if head in FIELD_LABELS else head
    if head == "windows" and rest in WINDOW_LABELS:
        rest = _(WINDOW_LABELS[rest])
    if head == "calendar" and rest in CALENDAR_LABELS:
        rest = _(CALENDAR_LABELS[rest])
    return f"{label}: {rest}" if rest else label


WINDOW_LABELS = {
    "report": "Hạn báo cáo kết quả",
    "self_assessment": "Hạn tự đánh giá",
    "review": "Hạn thẩm định",
    "approval": "Hạn phê duyệt",
}


def describe_errors(errors: dict[str, list[str]], data: dict | None = None, *, row_offset=1):
    """Return readable lines for PayloadInvalid.errors: where (section, row, code), field, why.

    ``row_offset`` turns a 0-based list index into the row shown (1 for tables in the console,
    2 for spreadsheet rows under a header).
    """
    lines = []
    for path, messages in errors.items():
        parts = path.split(".")
        where = FIELD_LABELS.get(parts[0], parts[0]) if parts[0] != "_payload" else ""
        field = ""
        if parts[0] in KEYED_SECTIONS and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            entries = (data or {}).get(parts[0]) or []
            entry = entries[index] if index < len(entries) and isinstance(
                entries[index], dict) else {}  # fmt: skip
            key = entry.get(KEYED_SECTIONS[parts[0]])
            where += f" – dòng {index + row_offset}" + (f" ({key})" if key else "")
            if parts[0] == "sources" and len(parts) > 3 and parts[2] == "items":
                # "sources.0.items.2.canonical_code": the source's third item mapping
                where += f" – ánh xạ {int(parts[3]) + 1}" if parts[3].isdigit() else ""
                field = field_label(".".join(parts[4:]))
            else:
                field = field_label(".".join(parts[2:]))
        elif len(parts) > 1:
            field = field_label(".".join(parts[1:]))
        head = ", ".join(x for x in (where, field) if x)
        lines.append(f"{head}: {' '.join(messages)}" if head else " ".join(messages))
    return lines
