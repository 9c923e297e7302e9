"""Kinds of spreadsheet import and export: their columns, the registry, template and export files.

A kind lives in one module of ``services.files.import_kinds`` that calls ``register_import``
and/or ``register_export`` at import time; every module of that package is loaded on first use.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from tenant_app.services.errors import NotFound
from tenant_app.services.files import spreadsheets
from tenant_app.services.files.cell_reading import CellKind

GUIDE_SHEET = "Hướng dẫn"
DATE_FORMAT = "dd/mm/yyyy"  # the Vietnamese order, whatever the reader's settings
MONEY_FORMAT = "#,##0"  # thousands grouped by the reader's settings: 9.500.000 in Vietnamese
# Dates outside these are typing slips (a year 2205, a day count read as a year), never stored.
EARLIEST_DATE = date(1945, 1, 1)
LATEST_DATE = date(2100, 12, 31)
ROW_KEY = "_row"  # each validated row dict also carries its sheet row number under this key


@dataclass(frozen=True)
class Column:
    """One column of a kind: the Vietnamese header written in files, the key rows use, the
    marshmallow field that turns the cell into a value, and whether a value is required.
    ``reads`` says how a cell is read (``cell_reading``); by default from the field's type."""

    key: str
    header: str
    field: fields.Field
    required: bool = False
    help: str = ""
    reads: CellKind | None = None
    # The number format of the column's numbers in exports and templates; dates are dd/mm/yyyy,
    # code columns Text.
    number_format: str | None = None

    @property
    def export_format(self) -> str | None:
        if self.number_format is not None:
            return self.number_format
        if self.cell_kind in (CellKind.CODE, CellKind.RANK_CODE):
            return spreadsheets.TEXT_FORMAT  # typed codes keep their zeros and dots
        return DATE_FORMAT if self.cell_kind == CellKind.DATE else None

    @property
    def cell_kind(self) -> CellKind:
        if self.reads is not None:
            return self.reads
        if isinstance(self.field, Day):
            return CellKind.DATE
        if isinstance(self.field, fields.Decimal | fields.Integer | fields.Float):
            return CellKind.NUMBER
        if isinstance(self.field, fields.Boolean):
            return CellKind.BOOLEAN
        return CellKind.TEXT


class Day(fields.Field):
    """A date cell: a real Excel date, or text dd/mm/yyyy (also d-m-yyyy) or yyyy-mm-dd."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, datetime):
            return _within_bounds(value.date())
        if isinstance(value, date):
            return _within_bounds(value)
        text = str(value).strip()
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        try:
            if match:
                day = date(int(match[3]), int(match[2]), int(match[1]))
            else:
                day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                _("Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm (dd/mm/yyyy).")
            ) from None
        return _within_bounds(day)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat()


def _within_bounds(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _(
                "Ngày %(day)s nằm ngoài khoảng hợp lý (%(first)s đến %(last)s): kiểm tra lại năm.",
                day=day.strftime("%d/%m/%Y"),
                first=EARLIEST_DATE.strftime("%d/%m/%Y"),
                last=LATEST_DATE.strftime("%d/%m/%Y"),
            )
        )
    return day


@dataclass(frozen=True)
class ImportKind:
    """What a kind of import needs.

    ``prepare()`` loads once what validation needs (e.g. keys already in the database) and returns
    a state object; ``validate_row(row, number, state)`` returns ``[(column key, message)]`` and may
    normalise ``row`` in place; ``commit(rows)`` writes every validated row and returns a summary
    dict. It runs inside ONE transaction that the job commits only if nothing raised.
    ``finish(state)``, called once after every row was validated, returns
    ``[(row number, column key, message)]`` for checks that need the whole file (e.g. references
    to rows further down).
    """

    name: str
    label: str
    columns: tuple[Column, ...]
    commit: Callable[[list[dict]], dict | None]
    validate_row: Callable[[dict, int, object], list[tuple[str, str]]] | None = None
    prepare: Callable[[], object] | None = None
    examples: tuple[dict, ...] = ()
    finish: Callable[[object], list[tuple[int, str, str]]] | None = None


@dataclass(frozen=True)
class ExportKind:
    """What a kind of export needs: its columns and ``rows()`` → dicts keyed by column key."""

    name: str
    label: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[dict]]


IMPORT_KINDS: dict[str, ImportKind] = {}
EXPORT_KINDS: dict[str, ExportKind] = {}
_loaded = False


def register_import(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.name] = kind
    return kind


def register_export(kind: ExportKind) -> ExportKind:
    EXPORT_KINDS[kind.name] = kind
    return kind


def _load_kinds() -> None:
    global _loaded
    if _loaded:
        return
    from tenant_app.services.files import import_kinds

    for module in pkgutil.iter_modules(import_kinds.__path__):
        importlib.import_module(f"{import_kinds.__name__}.{module.name}")
    _loaded = True


def import_kinds() -> dict[str, ImportKind]:
    _load_kinds()
    return dict(sorted(IMPORT_KINDS.items()))


def export_kinds() -> dict[str, ExportKind]:
    _load_kinds()
    return dict(sorted(EXPORT_KINDS.items()))


def get_import_kind(name: str) -> ImportKind:
    """Return the import kind ``name``; raises NotFound for an unknown kind."""
    kind = import_kinds().get(name)
    if kind is None:
        raise NotFound("unknown_kind", _("Không có loại dữ liệu nhập này."))
    return kind


def get_export_kind(name: str) -> ExportKind:
    kind = export_kinds().get(name)
    if kind is None:
        raise NotFound("unknown_kind", _("Không có loại dữ liệu xuất này."))
    return kind


# --- files: templates and exports


def template_file(kind: ImportKind, examples: tuple[dict, ...] | None = None) -> bytes:
    """Return the template workbook: headers, two example rows (``examples`` or the kind's own)
    and a sheet 'Hướng dẫn'."""
    with force_locale("vi"):  # files are Vietnamese whatever the page language
        return _template_file(kind, kind.examples if examples is None else examples)


def _template_file(kind: ImportKind, rows: tuple[dict, ...]) -> bytes:
    header = [c.header for c in kind.columns]
    examples = [[ex.get(c.key) for c in kind.columns] for ex in rows[:2]]
    guide = [
        [c.header, _("Bắt buộc") if c.required else _("Không bắt buộc"), c.help]
        for c in kind.columns
    ]
    return spreadsheets.build_workbook(
        [
            spreadsheets.Sheet(
                kind.label, header, examples, formats=[c.export_format for c in kind.columns]
            ),
            spreadsheets.Sheet(
                GUIDE_SHEET, [_("Cột"), _("Bắt buộc"), _("Cách ghi")], guide, widths=(24, 16, 90)
            ),
        ]
    )


def export_file(kind: ExportKind) -> bytes:
    """Return the workbook of every row of ``kind`` in the tenant in context: codes as text,
    dates as dates shown dd/mm/yyyy, numbers as numbers (money grouped by thousands)."""
    header = [c.header for c in kind.columns]
    rows = ([row.get(c.key) for c in kind.columns] for row in kind.rows())
    formats = [c.export_format for c in kind.columns]
    return spreadsheets.build_workbook(
        [spreadsheets.Sheet(kind.label, header, rows, formats=formats)]
    )
