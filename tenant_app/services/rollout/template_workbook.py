"""A template version as an Excel workbook: sheets "Vị trí", "Danh mục", "Tham số", "Nguồn dữ
liệu" and "Ánh xạ nguồn" (a row per item mapping of a source), both ways. The two sheets of
sources may be missing from a file (workbooks made before them): the payload has no sources.

Reading goes through ``spreadsheets.check_xlsx`` (size, type, ZIP bombs) and openpyxl read-only
with cached values; the rows become a payload dict for ``validate_payload``. Problems of the file
itself (missing sheet, unknown column) name the sheet and column; problems of values come back
from validation with their sheet row.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time

from flask_babel import force_locale
from flask_babel import gettext as _

from tenant_app.models.catalogue import LABELS as CATALOGUE_LABELS
from tenant_app.models.org import POSITION_GROUP_LABELS
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import spreadsheets
from tenant_app.services.rollout.template_payload import (
    PayloadInvalid,
    describe_errors,
    validate_payload,
    with_calendar,
)

POSITIONS_SHEET, ITEMS_SHEET, PARAMS_SHEET = "Vị trí", "Danh mục", "Tham số"
SOURCES_SHEET, MAPPINGS_SHEET = "Nguồn dữ liệu", "Ánh xạ nguồn"
SOURCE_COLUMNS = (
    ("code", "Mã nguồn"),
    ("name", "Tên nguồn"),
    ("kind", "Loại nguồn"),
    ("closing_day", "Ngày chốt số liệu"),
    ("closing_time", "Giờ chốt số liệu"),
    ("late_policy", "Số liệu gửi muộn"),
)
MAPPING_COLUMNS = (
    ("source", "Mã nguồn"),
    ("external_code", "Mã ở hệ thống nguồn"),
    ("canonical_code", "Mã chuẩn"),
)
POSITION_COLUMNS = (
    ("code", "Mã vị trí"),
    ("name", "Tên vị trí"),
    ("position_group", "Nhóm vị trí"),
    ("description", "Mô tả"),
)
ITEM_COLUMNS = (
    ("canonical_code", "Mã chuẩn"),
    ("kind", "Loại"),
    ("code", "Mã mục"),
    ("name", "Tên mục"),
    ("unit_of_measure", "Đơn vị tính"),
    ("coefficient", "Hệ số quy đổi"),
    ("target", "Chỉ tiêu"),
    ("band_low", "Cận dưới"),
    ("band_high", "Cận trên"),
    ("cap_percent", "Mức trần (%)"),
    ("weight", "Trọng số"),
    ("bands", "Khung điểm"),
    ("direction", "Chiều đánh giá"),
    ("scoring_method", "Phương pháp chấm"),
    ("aggregation", "Cách tổng hợp"),
    ("positions", "Vị trí áp dụng"),
    ("mandatory", "Bắt buộc"),
    ("allowed_min", "Tối thiểu cho phép"),
    ("allowed_max", "Tối đa cho phép"),
    ("description", "Mô tả"),
    ("evidence_requirement", "Yêu cầu minh chứng"),
)
PARAM_COLUMNS = (("key", "Khóa"), ("value", "Giá trị"))
YES = {"có", "co", "x", "1", "true", "yes", "bắt buộc"}


def _norm(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def _choices(labels: dict) -> dict[str, str]:
    with force_locale("vi"):
        lookup = {_norm(str(label)): code for code, label in labels.items()}
    lookup.update({_norm(code): code for code in labels})
    return lookup


def _bands_text(bands) -> str | None:
    return "; ".join(f"{b['from']}:{b['score']}" for b in bands) if bands else None


def _parse_bands(text):
    if text in (None, ""):
        return None
    result = []
    for part in str(text).split(";"):
        if part.strip():
            start, _sep, score = part.partition(":")
            result.append({"from": start.strip(), "score": score.strip()})
    return result


def _param_rows(payload: dict) -> list[tuple[str, object]]:
    payload = with_calendar(payload)  # a version made before the calendar: its defaults
    rows = [("scoring.rule_set", payload["scoring"]["rule_set"])]
    rows += [(f"scoring.params.{k}", v) for k, v in payload["scoring"]["params"].items()]
    rows.append(("schedule.period_kind", payload["schedule"]["period_kind"]))
    rows += [(f"schedule.windows.{k}", v) for k, v in payload["schedule"]["windows"].items()]
    rows += [
        (f"schedule.calendar.{k}", ("Có" if v else "Không") if isinstance(v, bool) else v)
        for k, v in payload["schedule"]["calendar"].items()
    ]
    rows.append(("approval.chain", "; ".join(payload["approval"]["chain"])))
    rows.append(("income.scheme", payload["income"]["scheme"]))
    rows += [(f"income.settings.{k}", v) for k, v in payload["income"]["settings"].items()]
    return [(k, v if isinstance(v, str | int | float) else json.dumps(v, ensure_ascii=False))
            for k, v in rows]  # fmt: skip


def workbook(payload: dict) -> bytes:
    """The .xlsx of a canonical payload (codes, not labels, so that it reads back the same)."""
    item_rows = []
    for item in payload["items"]:
        row = []
        for key, _header in ITEM_COLUMNS:
            value = item.get(key)
            if key == "bands":
                value = _bands_text(value)
            elif key == "positions":
                value = "; ".join(value or [])
            elif key == "mandatory":
                value = "Có" if value else "Không"
            row.append(value)
        item_rows.append(row)
    return spreadsheets.build_workbook(
        [
            spreadsheets.Sheet(
                POSITIONS_SHEET,
                [h for _k, h in POSITION_COLUMNS],
                [[p.get(k) for k, _h in POSITION_COLUMNS] for p in payload["positions"]],
            ),
            spreadsheets.Sheet(ITEMS_SHEET, [h for _k, h in ITEM_COLUMNS], item_rows),
            spreadsheets.Sheet(
                PARAMS_SHEET, [h for _k, h in PARAM_COLUMNS], _param_rows(payload), widths=(36, 60)
            ),
            spreadsheets.Sheet(
                SOURCES_SHEET,
                [h for _k, h in SOURCE_COLUMNS],
                [[s.get(k) for k, _h in SOURCE_COLUMNS] for s in payload.get("sources") or []],
            ),
            spreadsheets.Sheet(
                MAPPINGS_SHEET,
                [h for _k, h in MAPPING_COLUMNS],
                [
                    [s["code"], m["external_code"], m["canonical_code"]]
                    for s in payload.get("sources") or []
                    for m in s["items"]
                ],
            ),
        ]
    )


def _read_sheets(data: bytes) -> dict[str, list[list]]:
    spreadsheets.check_xlsx(data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = {
                _norm(ws.title): [list(r) for r in ws.iter_rows(values_only=True)]
                for ws in book.worksheets
            }
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise ServiceError(
            "unreadable_xlsx", _("Không đọc được bảng tính: tệp bị hỏng."), field="file"
        ) from exc
    return sheets


def _cell(value):
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _table(sheets, title, columns, problems, *, optional=False) -> list[dict]:
    rows = sheets.get(_norm(title))
    if rows is None and optional:
        return []
    if rows is None:
        problems.setdefault(title, []).append(_("Thiếu trang tính “%(s)s”.", s=title))
        return []
    if not rows:
        return []
    by_header = {_norm(h): k for k, h in columns}
    index = {}
    for i, header in enumerate(rows[0]):
        if header in (None, ""):
            continue
        key = by_header.get(_norm(header))
        if key is None:
            problems.setdefault(title, []).append(
                _("Cột “%(c)s” không có trong mẫu.", c=str(header))
            )
        else:
            index[key] = i
    result = []
    for values in rows[1:]:
        row = {k: _cell(values[i]) if i < len(values) else None for k, i in index.items()}
        if any(v is not None for v in row.values()):
            result.append(row)
    return result


def _param_value(text):
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _text(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _sources(sheets, problems) -> list[dict]:
    """The sources sheet and its mappings sheet as payload entries (both optional)."""
    from tenant_app.services.feeds.sources import KIND_LABELS, POLICY_LABELS

    kinds, policies = _choices(KIND_LABELS), _choices(POLICY_LABELS)
    result, by_code = [], {}
    for row in _table(sheets, SOURCES_SHEET, SOURCE_COLUMNS, problems, optional=True):
        entry = {k: _text(row.get(k)) for k in ("code", "name", "closing_time")}
        entry["kind"] = _text(kinds.get(_norm(row.get("kind")), row.get("kind")))
        policy = row.get("late_policy")
        if policy is not None:
            entry["late_policy"] = _text(policies.get(_norm(policy), policy))
        if row.get("closing_day") is not None:
            entry["closing_day"] = row["closing_day"]
        if entry["closing_time"] is None:
            entry.pop("closing_time")
        entry["items"] = []
        by_code.setdefault(entry["code"], entry)
        result.append(entry)
    for row in _table(sheets, MAPPINGS_SHEET, MAPPING_COLUMNS, problems, optional=True):
        code = _text(row.get("source"))
        if code not in by_code:
            problems.setdefault(MAPPINGS_SHEET, []).append(
                _("Nguồn “%(c)s” không có trong trang tính “%(s)s”.", c=code, s=SOURCES_SHEET)
            )
            continue
        by_code[code]["items"].append(
            {"external_code": _text(row.get("external_code")),
             "canonical_code": _text(row.get("canonical_code"))}
        )  # fmt: skip
    return result


def payload_from_workbook(data: bytes) -> dict:
    """Read a workbook into a canonical payload. Raises ServiceError for a refused file and
    PayloadInvalid (messages naming sheet and row, under ``errors["_file"]``) otherwise."""
    sheets = _read_sheets(data)
    problems: dict[str, list[str]] = {}
    groups = _choices(POSITION_GROUP_LABELS)
    choices = _choices(CATALOGUE_LABELS)
    positions = []
    for row in _table(sheets, POSITIONS_SHEET, POSITION_COLUMNS, problems):
        group = row.get("position_group")
        row["position_group"] = groups.get(_norm(group), group)
        positions.append({k: (str(v) if v is not None else None) for k, v in row.items()})
    items = []
    for row in _table(sheets, ITEMS_SHEET, ITEM_COLUMNS, problems):
        for key in ("kind", "direction", "scoring_method", "aggregation"):
            if row.get(key) is not None:
                row[key] = choices.get(_norm(row[key]), row[key])
        for key in ("canonical_code", "code", "name", "unit_of_measure"):
            if row.get(key) is not None:
                row[key] = str(row[key])
        row["bands"] = _parse_bands(row.get("bands"))
        row["positions"] = [p.strip() for p in str(row.get("positions") or "").split(";")
                            if p.strip()]  # fmt: skip
        row["mandatory"] = _norm(row.get("mandatory")) in YES
        items.append(row)
    payload = {
        "positions": positions,
        "items": items,
        "sources": _sources(sheets, problems),
        "scoring": {"params": {}},
        "schedule": {"windows": {}, "calendar": {}},
        "approval": {},
        "income": {"settings": {}},
    }
    for row in _table(sheets, PARAMS_SHEET, PARAM_COLUMNS, problems):
        parts = str(row.get("key") or "").split(".")
        value = _param_value(row.get("value"))
        if parts == ["approval", "chain"]:
            value = [s.strip() for s in str(value or "").split(";") if s.strip()]
        if parts == ["schedule", "calendar", "annual_deadline"] and isinstance(value, date):
            value = f"{value.month:02d}-{value.day:02d}"  # "12-15" typed into Excel: a date
        if len(parts) == 2 and parts[0] in payload and isinstance(payload[parts[0]], dict):
            payload[parts[0]][parts[1]] = value
        elif len(parts) == 3 and isinstance(payload.get(parts[0], {}).get(parts[1]), dict):
            payload[parts[0]][parts[1]][parts[2]] = value
        else:
            problems.setdefault(PARAMS_SHEET, []).append(
                _("Khóa “%(k)s” không hợp lệ.", k=row.get("key"))
            )
    if problems:
        raise PayloadInvalid({f"_file.{sheet}": messages for sheet, messages in problems.items()})
    try:
        return validate_payload(payload)
    except PayloadInvalid as exc:
        lines = describe_errors(exc.errors, payload, row_offset=2)
        raise PayloadInvalid({"_file": lines}) from None
