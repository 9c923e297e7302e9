"""Export files: where they live, and streaming writers (CSV the Vietnamese way, .xlsx).

Files live in ``<KPI_INSTANCE_DIR>/exports`` under random names (``new_key``). Rows go to disk
one at a time, so a 100,000-row export never sits in memory. Cell values are typed: ``str``,
``Decimal`` (points, shown with two decimals), ``datetime`` (already local time), ``int`` or
``None``. Both writers are formula-safe: text a spreadsheet would run as a formula stays text (an
apostrophe in CSV, a text cell with a quote prefix in .xlsx).
"""

from __future__ import annotations

import contextlib
import csv
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flask import current_app

from tenant_app.services.audit.audit_export import csv_safe
from tenant_app.services.files.spreadsheets import (
    FORMULA_PREFIXES,
    XLSX_MIMETYPE,
    SheetWriter,
    open_workbook,
)

CSV_MIMETYPE = "text/csv; charset=utf-8"
MIMETYPES = {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}
NUMBER_FORMAT = "0.00"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
CENT = Decimal("0.01")
STORAGE_KEY = re.compile(r"^[A-Za-z0-9_-]+\.(?:xlsx|csv)$")


def export_folder() -> Path:
    return Path(current_app.config["KPI_INSTANCE_DIR"]) / "exports"


def new_key(file_format: str) -> str:
    """A fresh storage key: an unguessable name with the format's extension."""
    return f"{secrets.token_urlsafe(24)}.{file_format}"


def path_of(storage_key: str) -> Path:
    """The file of ``storage_key``; ValueError for a key that is not one of ours."""
    if not STORAGE_KEY.match(storage_key):
        raise ValueError(f"malformed storage key {storage_key!r}")
    return export_folder() / storage_key


def sweep(kept: set[str], older_than: datetime) -> None:
    """Delete files of the export folder not in ``kept`` and last written before ``older_than``
    (naive UTC)."""
    folder = export_folder()
    if not folder.is_dir():
        return
    cutoff = older_than.replace(tzinfo=UTC).timestamp()
    for path in folder.iterdir():
        if path.is_file() and path.name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def vn_decimal(value: Decimal) -> str:
    """Return ``value`` rounded half up to two decimals, Vietnamese style: ``1.234,56``."""
    text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def csv_text(value) -> str:
    """Return one CSV cell: numbers with a decimal comma, times as dd/mm/yyyy HH:MM."""
    if value.__class__ is str:  # most cells: checked first, and inline (100,000s of calls)
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return vn_decimal(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, int):
        return str(value)
    return csv_safe(value)


class CsvFile:
    """A CSV file Excel opens in Vietnamese: UTF-8 with a byte-order mark, ``;`` between cells."""

    def __init__(self, path: Path, header: Sequence[str]):
        self._file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file, delimiter=";", lineterminator="\r\n")
        self._writer.writerow([csv_safe(h) for h in header])

    def write(self, row: Sequence) -> None:
        self._writer.writerow([csv_text(v) for v in row])

    def close(self) -> None:
        self._file.close()

    def abort(self) -> None:
        self._file.close()


class XlsxFile:
    """A one-sheet workbook written as it goes (``spreadsheets.SheetWriter``): bold header,
    frozen below it; points as numbers formatted ``0.00``, times as dates formatted
    dd/mm/yyyy hh:mm."""

    def __init__(
        self,
        path: Path,
        header: Sequence[str],
        title: str = "",
        widths: Sequence[int] | None = None,
    ):
        self._workbook = open_workbook(path)
        self._sheet = SheetWriter(
            self._workbook,
            title or "Sheet",
            header,
            widths=widths,
            type_formats={Decimal: NUMBER_FORMAT, datetime: DATETIME_FORMAT},
        )

    def write(self, row: Sequence) -> None:
        self._sheet.write(row)

    def close(self) -> None:
        self._workbook.close()

    def abort(self) -> None:
        # The rows wait in a temporary file that only ``close`` removes; a long-lived worker
        # must not keep one per failed export (the caller removes the partial file).
        if self._workbook.fileclosed:
            return
        with contextlib.suppress(Exception):
            self._workbook.close()


def open_writer(file_format: str, path: Path, header: Sequence[str], title: str, widths=None):
    """Return a writer (``write(row)``, ``close()``, ``abort()``) of ``file_format`` at ``path``."""
    if file_format == "xlsx":
        return XlsxFile(path, header, title, widths)
    return CsvFile(path, header)
