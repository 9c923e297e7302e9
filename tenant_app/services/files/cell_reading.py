"""Reading one cell as its column means it, whatever the spreadsheet program did to what was typed.

Excel and LibreOffice turn typed text into numbers and dates: ``01.003`` becomes the number
1.003 (English settings) or 1003 (Vietnamese settings, where the dot groups thousands), ``007``
becomes 7, ``95%`` becomes 0.95. ``read`` takes the cell's value and number format and either
recovers exactly what was typed, with a note the preview shows ("đã hiểu 1.003 là 01.003"), or
raises ``Refused`` naming the column and the fix ("định dạng cột Mã ngạch là Văn bản"). It never
guesses: when two typed texts give the same cell (1.03 from ``01.030`` or from a mistyped
``1.03``), the row is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from flask_babel import gettext as _

from tenant_app.formatting import normalise_number

# National rank codes (ngạch): civil servants 01.003; public employees V.07.01.03.
RANK_PATTERN = re.compile(r"^(?:\d{2}\.\d{3}|V\.\d{2}\.\d{2}\.\d{2})$")
# Spaces a pasted cell may hold besides the ordinary one; zero-width marks are dropped.
ODD_SPACES = re.compile(r"[\u00a0\u2007\u202f\u2000-\u200a\u3000]")
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
# A number format that pads with zeros ("000", "00000"): the code's width is known.
ZERO_PADDED = re.compile(r"^0+$")
TRUE_WORDS = {"có", "co", "x", "true", "đúng", "yes", "1", "đạt"}
FALSE_WORDS = {"không", "khong", "false", "sai", "no", "0", "không đạt"}
EXCEL_DIGITS = 15  # a spreadsheet keeps 15 significant digits: a float says no more than that


class CellKind(StrEnum):
    """How a column reads its cells."""

    TEXT = "text"
    CODE = "code"
    RANK_CODE = "rank_code"
    DATE = "date"
    NUMBER = "number"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Cell:
    """A cell as read from the workbook: its cached value, number format, and whether it holds
    an error (``#REF!``, ``#DIV/0!``…) instead of a value."""

    value: object
    number_format: str = "General"
    error: bool = False


class Refused(Exception):
    """The cell cannot be read exactly; ``message`` names the column and the fix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def clean_text(text: str) -> str | None:
    """NFC, odd spaces made ordinary, invisible marks dropped, stripped; None when empty."""
    text = unicodedata.normalize("NFC", INVISIBLE.sub("", ODD_SPACES.sub(" ", text))).strip()
    return text or None


def number_text(value: float | int) -> str:
    """The digits a spreadsheet shows for ``value`` in the General format (15 significant):
    1.0030000000000001 → "1.003"."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), f".{EXCEL_DIGITS}g")
    number = Decimal(text)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _to_text_fix(label: str) -> str:
    return _("định dạng cột %(label)s là Văn bản (Text) rồi gõ lại", label=label)


def read(kind: CellKind, cell: Cell, label: str) -> tuple[object, str | None]:
    """Return (the value for the column's field, a note or None); None when the cell is empty.

    Raises Refused when the cell holds an error or cannot be read exactly.
    """
    if cell.error:
        raise Refused(
            _(
                "Ô có lỗi %(error)s thay vì giá trị: sửa công thức hoặc gõ giá trị.",
                error=str(cell.value),
            )
        )
    value = cell.value
    if isinstance(value, str):
        value = clean_text(value)
    if value is None:
        return None, None
    reader = READERS[kind]
    return reader(value, cell.number_format or "General", label)


def _text(value, number_format: str, label: str):
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool | datetime | date | time):
        raise Refused(
            _("Bảng tính đã đổi ô thành ngày hoặc đúng/sai: %(fix)s.", fix=_to_text_fix(label))
        )
    return number_text(value), None


def _code(value, number_format: str, label: str):
    if isinstance(value, str):
        return value, None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if ZERO_PADDED.match(number_format):
            code = str(value).zfill(len(number_format))
            return code, _("đã hiểu %(seen)s là %(code)s", seen=value, code=code)
        raise Refused(
            _(
                "Bảng tính đã đổi mã thành số %(seen)s (số 0 ở đầu có thể đã mất): %(fix)s.",
                seen=value,
                fix=_to_text_fix(label),
            )
        )
    return _text_refused(value, label)


def _text_refused(value, label: str):
    seen = number_text(value) if isinstance(value, int | float) else str(value)
    raise Refused(
        _(
            "Bảng tính đã đổi ô thành %(seen)s, không còn là mã đã gõ: %(fix)s.",
            seen=seen,
            fix=_to_text_fix(label),
        )
    )


def _rank_code(value, number_format: str, label: str):
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text_refused(value, label)
    if isinstance(value, int) or float(value).is_integer():
        # Vietnamese settings read the dot of 01.003 as a thousands sign: 1003, width 5 known.
        whole = int(value)
        if 1000 <= whole <= 99999:
            digits = f"{whole:05d}"
            return _recovered(value, f"{digits[:2]}.{digits[2:]}")
        return _text_refused(value, label)
    shown = number_text(value)
    head, _dot, tail = shown.partition(".")
    if len(head) <= 2 and len(tail) == 3 and value > 0:
        return _recovered(value, f"{int(head):02d}.{tail}")
    # 1.03 may be 01.030 or a mistyped 1.03: never guessed.
    return _text_refused(value, label)


def _recovered(value, code: str):
    return code, _("đã hiểu %(seen)s là %(code)s", seen=number_text(value), code=code)


def _date(value, number_format: str, label: str):
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if swappable(day, number_format):
            return day, _(
                "đã đọc ô ngày là %(day)s (ngày/tháng/năm); nếu đã gõ khác, bảng tính đã đảo "
                "ngày và tháng: %(fix)s",
                day=day.strftime("%d/%m/%Y"),
                fix=_to_text_fix(label),
            )
        return day, None
    if isinstance(value, str):
        return value, None
    raise Refused(
        _(
            "Ô ngày đang là số %(seen)s: định dạng cột %(label)s là Ngày, hoặc gõ "
            "ngày/tháng/năm (dd/mm/yyyy) dạng Văn bản.",
            seen=number_text(value) if isinstance(value, int | float) else value,
            label=label,
        )
    )


def _number(value, number_format: str, label: str):
    if isinstance(value, bool | datetime | date | time):
        raise Refused(
            _(
                "Bảng tính đã đổi ô thành ngày hoặc đúng/sai: định dạng cột %(label)s là Số.",
                label=label,
            )
        )
    if isinstance(value, int | float):
        number = Decimal(number_text(value))
        if "%" in number_format:
            shown = number * 100
            return shown, _(
                "đã hiểu %(seen)s%% là %(number)s", seen=_plain(shown), number=_plain(shown)
            )
        return number, None
    text = value.replace(" ", "")
    percent = text.endswith("%")
    text = normalise_number(text.rstrip("%").removesuffix("đ").removesuffix("VNĐ"))
    try:
        number = Decimal(text)
    except InvalidOperation:
        return value, None  # the field's own message says it is not a number
    if not number.is_finite():
        return value, None
    if percent or text != value:
        return number, _("đã hiểu %(seen)s là %(number)s", seen=value, number=_plain(number))
    return number, None


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _boolean(value, number_format: str, label: str):
    if isinstance(value, bool):
        return value, None
    word = (number_text(value) if isinstance(value, int | float) else str(value)).casefold()
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    raise Refused(_("%(label)s chỉ nhận Có hoặc Không.", label=label))


READERS = {
    CellKind.TEXT: _text,
    CellKind.CODE: _code,
    CellKind.RANK_CODE: _rank_code,
    CellKind.DATE: _date,
    CellKind.NUMBER: _number,
    CellKind.BOOLEAN: _boolean,
}


DAY_FIRST_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# A format chosen day-first (dd/mm/yyyy) or year-first (ISO, from typed 2025-08-01) says how the
# date was typed; the program's short date (numFmt 14, shown by the reader's settings) does not.
ORDERED_FORMAT = re.compile(r"d{1,2}\W+m{1,2}|y{2,4}\W+m{1,2}\W+d", re.IGNORECASE)


def swappable(day: date, number_format: str) -> bool:
    """Whether a date cell may hold day and month swapped by a month-first program."""
    return day.day <= 12 and day.day != day.month and not ORDERED_FORMAT.search(number_format or "")


class DayMonthCheck:
    """Dates a month-first program may have swapped, refused once the file shows it was one.

    A spreadsheet with English (US) settings reads typed ``01/08/2025`` as 8 January and leaves
    ``15/08/2025`` as text, having no 15th month. When a date column holds such text, its date
    cells whose day could be a month (day ≤ 12, day ≠ month) and whose format is the program's
    short date (not one chosen day-first) may be swapped: those rows are refused with the fix.
    """

    def __init__(self):
        self._doubtful: dict[str, list[tuple[int, date]]] = {}
        self._month_first: dict[str, str] = {}

    def see(self, label: str, row: int, cell: Cell) -> None:
        value = cell.value
        if isinstance(value, str):
            match = DAY_FIRST_TEXT.match(value)
            if match and int(match[1]) > 12 and label not in self._month_first:
                self._month_first[label] = value
        elif isinstance(value, date):
            day = value.date() if isinstance(value, datetime) else value
            if swappable(day, cell.number_format):
                self._doubtful.setdefault(label, []).append((row, day))

    def problems(self) -> list[tuple[int, str, str]]:
        """[(row, column header, message)] for the doubtful dates of month-first columns."""
        found = []
        for label, text in self._month_first.items():
            for row, day in self._doubtful.get(label, ()):
                found.append(
                    (
                        row,
                        label,
                        _(
                            "Ngày có thể đã bị đảo ngày và tháng (bảng tính đọc là %(day)s, "
                            "theo kiểu tháng/ngày, trong khi ô %(text)s vẫn là văn bản): "
                            "%(fix)s theo dạng dd/mm/yyyy.",
                            day=day.strftime("%d/%m/%Y"),
                            text=text,
                            fix=_to_text_fix(label),
                        ),
                    )
                )
        return found
