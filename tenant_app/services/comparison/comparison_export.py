"""The province comparison as tables: unit figures, warning signs, one shared item; CSV and .xlsx.

One column list per table serves the page's sorting and both downloads, so the three always
agree. Cells keep their type: numbers are numbers (an .xlsx shows them with the reader's own
separators, per its locale), percentages are percent points (33.3333 for 33,33 %), times are
``datetime``. The CSV is the Vietnamese kind Excel opens directly: UTF-8 with a byte-order mark,
``;`` between cells, a decimal comma, dates as dd/mm/yyyy, user text made formula-safe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenant_app.services.audit.audit_export import csv_safe
from tenant_app.services.audit.audit_log import format_local, to_local
from tenant_app.services.comparison.comparison import Comparison, ItemFigures, UnitFigures
from tenant_app.services.files.spreadsheets import Sheet, build_workbook, write_workbook

CSV_MIMETYPE = "text/csv; charset=utf-8"
# Decimal places written per kind of number (the exact value stays in .xlsx cells).
PLACES = {"num": 2, "pct": 2}
XLSX_FORMATS = {"int": "#,##0", "num": "#,##0.00", "pct": "0.00%", "time": "dd/mm/yyyy hh:mm"}
WIDTHS = {"text": 32, "int": 12, "num": 14, "pct": 14, "time": 18}
SAFE_NAME = re.compile(r"[^A-Za-z0-9.-]+")
CSV_CHUNK_ROWS = 500


@dataclass(frozen=True)
class Table:
    """A table ready to write: sheet title, header, the kind of each column, rows of values."""

    title: str
    header: list[str]
    kinds: list[str]
    rows: list[list]


@dataclass(frozen=True)
class Column:
    """One column: its key (``?sort=``), Vietnamese header, kind and how to read a row."""

    key: str
    header: object  # a lazy string: the header in the reader's language
    kind: str  # text | int | num | pct | time
    get: Callable


def _agg(name: str) -> Callable[[UnitFigures], object]:
    return lambda u: getattr(u.agg, name) if u.agg is not None else None


def _grade(code: str, share: bool) -> Callable[[UnitFigures], object]:
    if share:
        return lambda u: u.shares[code] if u.agg is not None else None
    return lambda u: u.grades[code] if u.agg is not None else None


def _quota_use(unit: UnitFigures):
    value = unit.quota_use
    if value is not None and value.is_infinite():
        return _("vượt (cho phép 0)")
    return value


def _computed(unit: UnitFigures):
    return unit.agg.computed_at if unit.agg is not None and unit.tenant is not None else None


UNIT_COLUMNS: tuple[Column, ...] = (
    Column("name", _l("Đơn vị"), "text", lambda u: u.tenant.name if u.tenant else _("Toàn tỉnh")),
    Column("people", _l("Số người được đánh giá"), "int", lambda u: u.people),
    *(Column(g.lower(), _l("%(g)s (người)", g=g), "int", _grade(g, False)) for g in
      ("HTXS", "HTT", "HTNV", "KHTNV")),
    *(Column(f"{g.lower()}_share", _l("%(g)s (%%)", g=g), "pct", _grade(g, True)) for g in
      ("HTXS", "HTT", "HTNV", "KHTNV")),
    Column("mean", _l("Điểm bình quân"), "num", lambda u: u.mean),
    Column("stdev", _l("Độ lệch chuẩn"), "num", lambda u: u.stdev),
    Column("min", _l("Thấp nhất"), "num", _agg("total_min")),
    Column("max", _l("Cao nhất"), "num", _agg("total_max")),
    Column("htxs_of_htt", _l("HTXS so với HTT (%)"), "pct", lambda u: u.htxs_of_htt),
    Column("quota_allowed", _l("HTXS tối đa theo tỷ lệ"), "int", _agg("quota_allowed")),
    Column("quota_use", _l("Sử dụng tỷ lệ HTXS (%)"), "pct", _quota_use),
    Column("late", _l("Báo cáo chậm (%)"), "pct", lambda u: u.late_share),
    Column("returned", _l("Báo cáo bị trả lại (%)"), "pct", lambda u: u.returned_share),
    Column("self_gap", _l("Tự đánh giá − quản lý, bình quân (điểm)"), "num", lambda u: u.self_gap),
    Column("self_gap_abs", _l("Chênh lệch tuyệt đối bình quân (điểm)"), "num",
           lambda u: u.self_gap_abs),
    Column("self_equal", _l("Tự đánh giá trùng điểm quản lý (%)"), "pct",
           lambda u: u.self_equal_share),
    Column("flags", _l("Số dấu hiệu cảnh báo"), "int", lambda u: len(u.flags)),
    Column("computed_at", _l("Số liệu tính lúc"), "time", _computed),
)  # fmt: skip
UNIT_SORT_KEYS = tuple(c.key for c in UNIT_COLUMNS if c.kind != "time")

FLAG_COLUMNS: tuple[Column, ...] = (
    Column("unit", _l("Đơn vị"), "text", lambda r: r[0].tenant.name),
    Column("code", _l("Mã dấu hiệu"), "text", lambda r: r[1].code),
    Column("title", _l("Dấu hiệu"), "text", lambda r: r[1].title),
    Column("detail", _l("Chi tiết"), "text", lambda r: r[1].detail),
    Column("numbers", _l("Số liệu"), "text", lambda r: numbers_text(r[1].numbers)),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    Column("unit", _l("Đơn vị"), "text", lambda r: r.tenant.name),
    Column("item_name", _l("Tên chỉ tiêu tại đơn vị"), "text", lambda r: r.agg.item_name),
    Column("assignments", _l("Số lượt giao"), "int", lambda r: r.agg.assignments),
    Column("people", _l("Số người"), "int", lambda r: r.agg.people),
    Column("assigned_qty", _l("Số lượng giao"), "num", lambda r: r.agg.assigned_qty),
    Column("completed_qty", _l("Số lượng hoàn thành"), "num", lambda r: r.agg.completed_qty),
    Column("errors", _l("Lỗi"), "int", lambda r: r.agg.errors),
    Column("delays", _l("Chậm"), "int", lambda r: r.agg.delays),
    Column("exempted", _l("Miễn trừ"), "int", lambda r: r.agg.exempted),
    Column("a", _l("a – số lượng (%)"), "pct", lambda r: r.a),
    Column("b", _l("b – chất lượng (%)"), "pct", lambda r: r.b),
    Column("c", _l("c – tiến độ (%)"), "pct", lambda r: r.c),
    Column("score", _l("Điểm (%)"), "pct", lambda r: r.score),
    Column("rank", _l("Hạng"), "int", lambda r: r.rank or None),
)


def numbers_text(numbers: dict) -> str:
    """A flag's numbers as ``name=value; …`` (decimals with a comma, groups listed)."""
    parts = []
    for key, value in numbers.items():
        if isinstance(value, list):
            value = ", ".join(
                "/".join(f"{k}={csv_number(v)}" for k, v in item.items())
                if isinstance(item, dict)
                else str(item)
                for item in value
            )
        parts.append(f"{key}={csv_number(value)}")
    return "; ".join(parts)


# --- rows


def sort_units(units: Sequence[UnitFigures], key: str | None) -> list[UnitFigures]:
    """``units`` ordered by column ``key`` (``-key``: descending); units without a value last."""
    key = key or "name"
    descending = key.startswith("-")
    column = next((c for c in UNIT_COLUMNS if c.key == key.lstrip("-")), UNIT_COLUMNS[0])

    def value(unit):
        v = column.get(unit)
        if isinstance(v, Decimal) and v.is_infinite():
            return Decimal("1e9")
        if isinstance(v, str) and column.kind == "pct":  # "vượt (cho phép 0)": above every %
            return Decimal("1e9")
        return v.casefold() if isinstance(v, str) else v

    known = [u for u in units if value(u) is not None]
    missing = [u for u in units if value(u) is None]
    known.sort(key=value, reverse=descending)
    return known + missing


def unit_table(comparison: Comparison, sort: str | None = None, total_label=None) -> Table:
    """The unit table: every unit (sorted by ``sort``), then the total of them all, named
    ``total_label`` (default: Toàn tỉnh)."""
    units = [*sort_units(comparison.units, sort), comparison.province]
    table = _table(_("So sánh đơn vị"), UNIT_COLUMNS, units)
    if total_label:
        table.rows[-1][0] = str(total_label)
    return table


def flag_table(comparison: Comparison) -> Table:
    """One row per warning sign of every unit, with the numbers behind it."""
    pairs = [(unit, flag) for unit in comparison.units for flag in unit.flags]
    return _table(_("Dấu hiệu cảnh báo"), FLAG_COLUMNS, pairs)


def item_table(rows: Sequence[ItemFigures]) -> Table:
    """One shared item across units, in the order given (rank order from the comparison)."""
    return _table(_("So sánh chỉ tiêu"), ITEM_COLUMNS, rows)


def _table(title: str, columns: Sequence[Column], records) -> Table:
    return Table(
        title,
        [str(c.header) for c in columns],
        [c.kind for c in columns],
        [[c.get(r) for c in columns] for r in records],
    )


# --- writing


def csv_number(value, places: int = 2) -> str:
    """A number as Vietnamese CSV text: decimal comma, no grouping (33,33; -1,50; 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        exact = Decimal(str(value))
        if not exact.is_finite():
            return ""
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{rounded:f}".replace(".", ",")
    return str(value)


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        return csv_safe(value)
    if kind in PLACES:
        return csv_number(value, PLACES[kind])
    return csv_number(value)


def iter_csv(table: Table) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 chunks (a response streams them): a byte-order mark first, then
    ``;``-separated rows with a decimal comma, dd/mm/yyyy dates, formula-safe text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in table.header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for start in range(0, len(table.rows), CSV_CHUNK_ROWS):
        buffer.seek(0)
        buffer.truncate()
        for row in table.rows[start : start + CSV_CHUNK_ROWS]:
            writer.writerow([_csv_cell(v, k) for v, k in zip(row, table.kinds, strict=True)])
        yield buffer.getvalue().encode("utf-8")


def to_csv(table: Table) -> bytes:
    """Return the CSV bytes (``iter_csv`` joined)."""
    return b"".join(iter_csv(table))


def _xlsx_value(value, kind: str):
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        value = float(value)
    if kind == "pct" and isinstance(value, int | float) and not isinstance(value, bool):
        return value / 100  # a percent format shows 0.3333 as 33,33 %
    if isinstance(value, datetime):  # stored as naive UTC: the local time a reader expects
        return to_local(value)
    return value


def _sheet(table: Table) -> Sheet:
    return Sheet(
        table.title,
        table.header,
        ([_xlsx_value(v, k) for v, k in zip(row, table.kinds, strict=True)] for row in table.rows),
        [WIDTHS[k] for k in table.kinds],
        [XLSX_FORMATS.get(k) for k in table.kinds],
    )


def write_xlsx(table: Table, target) -> None:
    """Write the workbook to ``target`` (a path or a binary file), rows streamed: typed cells
    with number formats, widths per kind, a bold header."""
    write_workbook(target, [_sheet(table)])


def to_xlsx(table: Table) -> bytes:
    """Return the .xlsx bytes (``write_xlsx`` into memory)."""
    return build_workbook([_sheet(table)])


def filename(stem: str, scope: str, fmt: str, code: str | None = None) -> str:
    """A download name such as ``so-sanh-2026-10.xlsx`` (ASCII, safe in a header)."""
    parts = [stem, SAFE_NAME.sub("-", code).strip("-") if code else None, scope]
    return "-".join(p for p in parts if p) + f".{fmt}"
