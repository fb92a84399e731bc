"""Workbooks written by lib/xlsx read back with text as typed, numbers as numbers, no formula."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from thidua.lib import xlsx

COLUMNS = [
    xlsx.Column("Đơn vị", 40),
    xlsx.Column("Giá trị", 12, xlsx.number_format(1)),
    xlsx.Column("Ngày", 12),
]


def read_back(rows: Any, **kwargs: Any) -> Any:
    book = xlsx.new_book()
    xlsx.add_sheet(book, "Bảng", COLUMNS, rows, **kwargs)
    return load_workbook(io.BytesIO(xlsx.to_bytes(book)))["Bảng"]


def test_header_is_bold_frozen_and_columns_have_their_widths() -> None:
    sheet = read_back([["Sở Kế hoạch và Đầu tư tỉnh Sơn La", Decimal("8.5"), None]])
    assert [c.value for c in sheet[1]] == ["Đơn vị", "Giá trị", "Ngày"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width == 40


def test_caption_lines_come_above_the_header() -> None:
    sheet = read_back([["Sơn La", 1, None]], caption=["Cụm thi đua", "Năm 2016"])
    assert sheet["A1"].value == "Cụm thi đua" and sheet["A1"].font.bold
    assert sheet["A4"].value == "Đơn vị"
    assert sheet["A5"].value == "Sơn La"
    assert sheet.freeze_panes == "B5"


def test_decimals_are_numbers_with_the_column_format() -> None:
    sheet = read_back([["Sơn La", Decimal("1234.5"), None]])
    cell = sheet["B2"]
    assert cell.data_type == "n"
    assert Decimal(str(cell.value)) == Decimal("1234.5")
    assert cell.number_format == "#,##0.0"


def test_a_styled_value_overrides_the_column_format_and_is_bold() -> None:
    sheet = read_back([["Toàn cụm", xlsx.Styled(Decimal("0.882"), xlsx.PERCENT, bold=True), None]])
    assert sheet["B2"].number_format == "0.0%"
    assert sheet["B2"].font.bold


def test_dates_are_dates_and_aware_times_are_shown_in_vietnam() -> None:
    moment = dt.datetime(2017, 1, 15, 2, 30, tzinfo=dt.UTC)
    sheet = read_back([["Sơn La", None, dt.date(2017, 1, 15)], ["Cao Bằng", None, moment]])
    # Excel keeps no time zone: openpyxl reads naive values back.
    assert sheet["C2"].value.date() == dt.date(2017, 1, 15)
    assert sheet["C2"].number_format == xlsx.DATE
    in_vietnam = moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert sheet["C3"].value == in_vietnam.replace(tzinfo=None)
    assert in_vietnam.hour == 9
    assert sheet["C3"].number_format == xlsx.DATETIME


def test_text_that_looks_like_a_formula_stays_text_as_typed() -> None:
    typed = ['=HYPERLINK("http://x","Bấm")', "+84 22 1234", "-5 điểm", "@SUM(A1)", "\t=1+1"]
    sheet = read_back([[text, None, None] for text in typed])
    cells = [sheet.cell(row, 1) for row in range(2, 2 + len(typed))]
    assert [c.value for c in cells] == typed
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_ordinary_text_has_no_quote_prefix() -> None:
    sheet = read_back([["Sở KH&ĐT Sơn La", None, None]])
    assert sheet["A2"].value == "Sở KH&ĐT Sơn La"
    assert not sheet["A2"].quotePrefix


def test_characters_xml_cannot_carry_are_dropped_instead_of_failing() -> None:
    sheet = read_back([["Sơn\x00 La\x07", None, None]])
    assert sheet["A2"].value == "Sơn La"


def test_sheet_names_are_made_acceptable_to_excel() -> None:
    assert xlsx.sheet_name("Kết quả: phiếu [vòng 2]/2016") == "Kết quả  phiếu  vòng 2  2016"
    assert len(xlsx.sheet_name("Đề nghị tặng Cờ thi đua của Chính phủ năm 2016")) == 31
    assert xlsx.sheet_name("???") == "Sheet"


# Each example writes and reads a whole workbook: no deadline, fewer examples.
@settings(deadline=None, max_examples=50)
@given(st.sampled_from(["", *xlsx.RISKY_STARTS]), st.text(max_size=40))
def test_no_text_is_ever_read_back_as_a_formula(start: Any, rest: Any) -> None:
    text = start + rest
    sheet = read_back([[text, None, None]])
    cell = sheet["A2"]
    assert cell.data_type != "f"
    expected = ILLEGAL_CHARACTERS_RE.sub("", text)
    assert (cell.value or "") == expected
