"""Export a filtered audit list as CSV or .xlsx: Vietnamese headers, local times, formula-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from flask_babel import gettext as _

from tenant_app.services.audit import audit_log
from tenant_app.services.files.spreadsheets import (
    FORMULA_PREFIXES,
    Sheet,
    build_workbook,
    write_workbook,
)

MAX_ROWS = 50_000
CSV_MIMETYPE = "text/csv; charset=utf-8"
CSV_CHUNK_ROWS = 500


def _header(province: bool) -> list[str]:
    header = [_("Thời gian"), _("Người thực hiện"), _("Loại người thực hiện"), _("Địa chỉ IP")]
    header += [_("Hành động"), _("Mã hành động"), _("Loại đối tượng"), _("Mã đối tượng")]
    header += [_("Thay đổi (trường: cũ → mới)"), _("Số thứ tự trong chuỗi")]
    if province:
        header = [_("Nguồn"), _("Đơn vị"), *header]
    return header


def _row(event: audit_log.EventView, province: bool) -> list:
    row = [
        event.local_time,
        event.actor_name or "",
        event.actor_type_label,
        event.ip or "",
        event.label,
        event.action,
        event.object_type or "",
        event.object_id or "",
        audit_log.changes_text(event.changes),
        event.seq,
    ]
    if province:
        source = _("Cấp tỉnh") if event.source == "province" else _("Đơn vị")
        row = [source, event.tenant_name or "", *row]
    return row


def rows(filters: audit_log.Filters, *, province: bool) -> tuple[list[str], list[list]]:
    """Return (header, rows) of the events matching ``filters``, newest first, at most MAX_ROWS."""
    events = audit_log.fetch(filters, limit=MAX_ROWS)
    return _header(province), [_row(e, province) for e in events]


def csv_safe(value) -> str:
    """Return a CSV cell; text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def iter_csv(header: list[str], data: Iterable[Sequence]) -> Iterator[bytes]:
    """Yield UTF-8 CSV chunks (a response streams them): a byte-order mark first (so Excel
    reads Vietnamese correctly), comma-separated rows, formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(data, start=1):
        writer.writerow([csv_safe(v) for v in row])
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def to_csv(header: list[str], data: Iterable[Sequence]) -> bytes:
    """Return UTF-8 CSV bytes with a byte-order mark (``iter_csv`` joined)."""
    return b"".join(iter_csv(header, data))


def _sheet(header: list[str], data: Iterable[Sequence]) -> Sheet:
    widths = [18 if h != _("Thay đổi (trường: cũ → mới)") else 60 for h in header]
    return Sheet(_("Nhật ký hệ thống"), header, data, widths)


def write_xlsx(header: list[str], data: Iterable[Sequence], target) -> None:
    """Write the .xlsx to ``target`` (a path or a binary file), rows streamed (formula-like text
    is stored as text by the spreadsheet writer)."""
    write_workbook(target, [_sheet(header, data)])


def to_xlsx(header: list[str], data: Iterable[Sequence]) -> bytes:
    """Return .xlsx bytes (``write_xlsx`` into memory)."""
    return build_workbook([_sheet(header, data)])
