"""Excel workbooks that read well and never run what a user typed.

Every export thidua offers is written here, so that three things hold everywhere:

* text is never a formula: a cell whose text starts with ``= + - @``, a tab or a carriage
  return is stored as a string with Excel's "quote prefix" (the hidden apostrophe), so it
  shows exactly as typed and stays text even when someone edits the cell later;
* numbers are numbers (Decimal, int, float) with a number format, and dates are dates, so
  sums and sorting work in Excel; Excel shows the separators of the reader's own locale;
* a sheet has a bold header row that stays in view (frozen) and columns wide enough to read.

Vietnamese formatting of numbers as text (1.234,5) belongs to `thidua.lib.numbers`; a
spreadsheet keeps the number itself.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula.
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"
PERCENT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# Characters Excel does not allow in a sheet's name, and its length limit.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LENGTH = 31


def number_format(decimals: int = 0) -> str:
    """A grouped number with `decimals` places: ``#,##0.0`` for one."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def is_risky(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula if it were typed into a cell."""
    return text.startswith(RISKY_STARTS)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, width in characters and the format of its numbers."""

    title: str
    width: float = 14
    number_format: str | None = None


@dataclass(frozen=True)
class Styled:
    """A value with its own format or weight, e.g. a total row in bold or a share in percent."""

    value: Any
    number_format: str | None = None
    bold: bool = False


def put(sheet: Worksheet, row: int, column: int, value: Any, *, fmt: str | None = None) -> Cell:
    """Write one cell: text as text (never a formula), numbers as numbers, dates as dates."""
    bold = False
    if isinstance(value, Styled):
        fmt = value.number_format or fmt
        bold = value.bold
        value = value.value
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        # openpyxl drops characters XML cannot carry only by raising; drop them here instead.
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        if is_risky(text):
            # A string cell is never evaluated; the quote prefix keeps it text on later edits.
            cell.data_type = "s"
            cell.quotePrefix = True
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, Decimal | int | float):
        cell.value = value
        if fmt:
            cell.number_format = fmt
    elif isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            # Excel has no time zones: show the time as it is in Vietnam.
            value = value.astimezone(LOCAL_ZONE).replace(tzinfo=None)
        cell.value = value
        cell.number_format = DATETIME
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE
    elif value is None:
        cell.value = None
    else:
        return put(sheet, row, column, str(value), fmt=fmt)
    if bold:
        cell.font = Font(bold=True)
    return cell


def sheet_name(text: str) -> str:
    """`text` as a name Excel accepts for a sheet (no []:*?/\\, at most 31 characters)."""
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", text)).strip(" '")
    return cleaned[:_SHEET_NAME_LENGTH].strip() or "Sheet"


def new_book() -> Workbook:
    """An empty workbook; `add_sheet` adds the sheets."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    return book


def add_sheet(
    book: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    caption: Sequence[str] = (),
) -> Worksheet:
    """A sheet with optional caption lines, a bold frozen header row, then one line per row."""
    sheet = book.create_sheet(sheet_name(title))
    for index, line in enumerate(caption, 1):
        put(sheet, index, 1, line).font = Font(bold=index == 1)
    header_row = len(caption) + 1 + (1 if caption else 0)
    for index, column in enumerate(columns, 1):
        cell = put(sheet, header_row, index, column.title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
    for row_number, values in enumerate(rows, header_row + 1):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), 1):
            put(sheet, row_number, index, value, fmt=column.number_format)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2 if len(columns) > 1 else 1)
    return sheet


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
