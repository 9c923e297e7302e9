"""Workbook builders for the spreadsheet tests."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook

USERS_HEADER = ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Vai trò", "Mã cán bộ"]


def make_xlsx(rows, header=USERS_HEADER) -> bytes:
    """A workbook whose cells are written as typed; text starting with '=' stays text."""
    workbook = Workbook()
    sheet = workbook.active
    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def user_rows(n: int, prefix: str = "nv") -> list[list]:
    return [[f"{prefix}.{i:05d}", f"Nhân Viên {i}", None, "Cán bộ, công chức"] for i in range(n)]


def zip_bomb(uncompressed_mb: int = 60) -> bytes:
    """A ZIP with the members of a workbook and one member of zeros, tiny when compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"\0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(uncompressed_mb):
                member.write(chunk)
    return buffer.getvalue()


def read_back(data: bytes):
    """The first sheet of ``data`` (not read-only, so styles such as quotePrefix are visible)."""
    return load_workbook(io.BytesIO(data)).worksheets[0]
