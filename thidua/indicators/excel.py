"""The unit's yearly indicator workbook: written with openpyxl, read back all-or-nothing.

The layout is a fixed exchange format (it does not follow the interface language, so a
workbook downloaded in English can be uploaded in Vietnamese): one sheet named ``SHEET``,
the unit and the year in rows 1-2, the header in row ``HEADER_ROW``, then one row per
indicator. Values are read with python-calamine (fast); openpyxl only looks for formulas,
which calamine would silently replace by their last computed value.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from thidua.lib import sheet_reader, uploads
from thidua.lib.numbers import format_number, parse_number
from thidua.lib.safe_zip import UnsafeFile
from thidua.lib.text import normalize, same_text

from . import rules
from .problems import describe_value_problem
from .rules import Entry

SHEET = "Chỉ tiêu"
UNIT_ROW, YEAR_ROW, HELP_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_ROW = HEADER_ROW + 1
HEADER = ("Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Giá trị", "Ghi chú")
CODE_COL, NAME_COL, UNIT_COL, VALUE_COL, NOTE_COL = 1, 2, 3, 4, 5
MAX_ROWS = 1000
NOTE_LENGTH = 500
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Row:
    """An indicator as the workbook shows it, with the unit's current value and note."""

    code: str
    name: str
    unit: str
    decimals: int
    min_value: Decimal | None
    max_value: Decimal | None
    value: Decimal | None = None
    note: str = ""


class WorkbookError(Exception):
    """The workbook cannot be imported; ``errors`` name each bad row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _decimal_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def build(*, unit_name: str, year: int, rows: Sequence[Row]) -> bytes:
    """The unit's workbook for the year, its current values filled in."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.cell(UNIT_ROW, 1, "Đơn vị")
    sheet.cell(UNIT_ROW, 2, unit_name).font = Font(bold=True)
    sheet.cell(YEAR_ROW, 1, "Năm")
    sheet.cell(YEAR_ROW, 2, year).font = Font(bold=True)
    sheet.cell(
        HELP_ROW,
        1,
        _(
            "Enter each value in column %(column)s as a number, without formulas; "
            "leave it empty when there is no figure yet. Do not change the other columns."
        )
        % {"column": get_column_letter(VALUE_COL)},
    ).font = Font(italic=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, title in enumerate(HEADER, 1):
        cell = sheet.cell(HEADER_ROW, column, title)
        cell.font = Font(bold=True)
        cell.fill = fill
    for offset, row in enumerate(rows):
        r = FIRST_ROW + offset
        sheet.cell(r, CODE_COL, row.code)
        sheet.cell(r, NAME_COL, row.name)
        sheet.cell(r, UNIT_COL, row.unit)
        value = sheet.cell(r, VALUE_COL, row.value)
        value.number_format = _decimal_format(row.decimals)
        value.protection = Protection(locked=False)
        note = sheet.cell(r, NOTE_COL, row.note or None)
        note.protection = Protection(locked=False)
        sheet.add_data_validation(_validation(row, f"{get_column_letter(VALUE_COL)}{r}"))
    for letter, width in zip("ABCDE", (16, 60, 14, 18, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _formula_number(value: Decimal) -> str:
    """A number as Excel formulas write it: 50, -0.5 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _validation(row: Row, ref: str) -> DataValidation:
    """Excel's own check of the value cell, so a mistake shows while typing."""
    low = row.min_value if row.min_value is not None else Decimal("-1e15")
    high = row.max_value if row.max_value is not None else Decimal("1e15")
    validation = DataValidation(
        type="decimal",
        operator="between",
        formula1=_formula_number(low),
        formula2=_formula_number(high),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Value not allowed"),
        error=_("Enter a number between %(low)s and %(high)s.")
        % {"low": format_number(low, row.decimals), "high": format_number(high, row.decimals)},
    )
    validation.add(ref)
    return validation


def read(
    content: bytes, *, filename: str, unit_name: str, year: int, rows: Sequence[Row]
) -> dict[str, Entry]:
    """The entries of a filled-in workbook, by indicator code; WorkbookError lists every problem."""
    if not filename.lower().endswith(".xlsx"):
        raise WorkbookError([_("Only an Excel workbook (.xlsx) can be uploaded.")])
    problem = uploads.size_problem(filename, len(content), "workbook")
    if problem:
        raise WorkbookError([problem])
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookError([_("The file is not a readable Excel workbook (.xlsx).")])
    name = SHEET
    try:
        try:
            sheet = sheet_reader.read_sheet(content, sheet=name)
        except sheet_reader.MissingSheet as missing:
            # The sheet's name as typed: another case or tone placement is the same sheet.
            name = next((n for n in missing.names if same_text(n, SHEET)), "")
            if not name:
                raise WorkbookError(
                    [
                        _("The workbook has no sheet named “%(sheet)s” (it has: %(found)s).")
                        % {"sheet": SHEET, "found": ", ".join(missing.names) or "—"}
                    ]
                ) from None
            sheet = sheet_reader.read_sheet(content, sheet=name)
    except UnsafeFile as unsafe:
        raise WorkbookError([unsafe.message]) from None
    except sheet_reader.UnreadableSheet:
        raise WorkbookError([_("The file is not a readable Excel workbook (.xlsx).")]) from None
    cells: list[list[Any]] = sheet.rows()
    if len(cells) > MAX_ROWS:
        raise WorkbookError([_("The sheet has more than %(count)s rows.") % {"count": MAX_ROWS}])
    errors = _formulas(content, name)
    errors += _check_head(cells, unit_name=unit_name, year=year)
    if errors:
        raise WorkbookError(errors)
    entries, errors = _entries(cells, {row.code: row for row in rows}, year)
    if errors:
        raise WorkbookError(errors)
    return entries


def _at(row: int, column: int, problem: str) -> str:
    return _("Row %(row)s, column %(column)s: %(problem)s") % {
        "row": row,
        "column": get_column_letter(column),
        "problem": problem,
    }


def _cell(cells: list[list[Any]], row: int, column: int) -> Any:
    """The value at a 1-based row and column; "" outside the used area."""
    if row > len(cells) or column > len(cells[row - 1]):
        return ""
    return cells[row - 1][column - 1]


def _formulas(content: bytes, sheet_name: str) -> list[str]:
    """Cells holding a formula, among those thidua reads: columns A to E, MAX_ROWS rows.

    The sheet's own size (its `<dimension>` element) is not trusted: a 2 KB file can claim
    A1:XFD1048576, and every row would be padded to 16,384 cells.
    """
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        sheet = book[sheet_name]
        sheet.reset_dimensions()
        return [
            _at(cell.row, cell.column, _("the cell holds a formula; enter the number itself."))
            for row in sheet.iter_rows(max_row=MAX_ROWS, max_col=len(HEADER))
            for cell in row
            if getattr(cell, "data_type", None) == "f"
        ]
    except ValueError:
        # openpyxl refuses a cell that no spreadsheet program writes, such as <v>NaN</v>.
        return [_("The workbook holds a value that is not a number (such as NaN); retype it.")]
    finally:
        book.close()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize(str(value)) if value not in (None, "") else ""


def _check_head(cells: list[list[Any]], *, unit_name: str, year: int) -> list[str]:
    errors: list[str] = []
    found_unit = _text(_cell(cells, UNIT_ROW, 2))
    if not same_text(found_unit, unit_name):
        errors.append(
            _at(
                UNIT_ROW,
                2,
                _("this workbook is for “%(found)s”, not for “%(unit)s”.")
                % {"found": found_unit or "—", "unit": unit_name},
            )
        )
    found_year = _text(_cell(cells, YEAR_ROW, 2))
    if found_year != str(year):
        errors.append(
            _at(
                YEAR_ROW,
                2,
                _("this workbook is for the year %(found)s, not %(year)s.")
                % {"found": found_year or "—", "year": year},
            )
        )
    for column, title in enumerate(HEADER, 1):
        found = _text(_cell(cells, HEADER_ROW, column))
        if not same_text(found, title):
            errors.append(
                _at(
                    HEADER_ROW,
                    column,
                    _("the header should read “%(expected)s”, not “%(found)s”.")
                    % {"expected": title, "found": found or "—"},
                )
            )
    return errors


def _number(raw: Any) -> Decimal | None:
    """A cell's number; None when empty; ValueError for text, dates and booleans."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool | dt.date | dt.time | dt.timedelta):
        raise ValueError(raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):  # NaN or infinity: no figure
            raise ValueError(raw)
        # repr() is the shortest text that reads back as the same float: 8.5, not 8.4999...
        return Decimal(repr(raw))
    text = normalize(str(raw))
    return parse_number(text) if text else None


def _entries(
    cells: list[list[Any]], rows: dict[str, Row], year: int
) -> tuple[dict[str, Entry], list[str]]:
    entries: dict[str, Entry] = {}
    first_seen: dict[str, int] = {}
    errors: list[str] = []
    for r in range(FIRST_ROW, len(cells) + 1):
        raw = [_cell(cells, r, c) for c in range(1, len(HEADER) + 1)]
        if all(value in (None, "") for value in raw):
            continue
        code = _text(raw[CODE_COL - 1]).upper()
        if not code:
            errors.append(_at(r, CODE_COL, _("the indicator code is missing.")))
            continue
        row = rows.get(code)
        if row is None:
            errors.append(
                _at(
                    r,
                    CODE_COL,
                    _("the year %(year)s has no indicator with the code %(code)s.")
                    % {"year": year, "code": code},
                )
            )
            continue
        if code in first_seen:
            errors.append(
                _at(
                    r,
                    CODE_COL,
                    _("the indicator %(code)s is already on row %(row)s.")
                    % {"code": code, "row": first_seen[code]},
                )
            )
            continue
        first_seen[code] = r
        try:
            value = _number(raw[VALUE_COL - 1])
        except ValueError:
            errors.append(
                _at(
                    r,
                    VALUE_COL,
                    _("“%(text)s” is not a number.") % {"text": _text(raw[VALUE_COL - 1])},
                )
            )
            continue
        if value is not None:
            problem = rules.check_value(
                value, decimals=row.decimals, minimum=row.min_value, maximum=row.max_value
            )
            if problem is not None:
                errors.append(_at(r, VALUE_COL, describe_value_problem(problem, row)))
                continue
        note = _text(raw[NOTE_COL - 1])
        if len(note) > NOTE_LENGTH:
            errors.append(
                _at(
                    r,
                    NOTE_COL,
                    _("the note is longer than %(count)s characters.") % {"count": NOTE_LENGTH},
                )
            )
            continue
        entries[code] = Entry(value, note)
    return entries, errors
