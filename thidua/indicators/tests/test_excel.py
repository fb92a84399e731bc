"""The unit's workbook: downloaded, filled in with openpyxl, uploaded; bad files refused whole."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from thidua.audit.models import AuditEntry
from thidua.indicators import actions, excel
from thidua.indicators.models import IndicatorValue
from thidua.indicators.tests.conftest import Reporting
from thidua.lib import uploads

from .conftest import membership

D = Decimal


def _workbook(reporting: Any, key: Any = "lai_chau") -> Workbook:
    unit = membership(reporting.world, key)
    content = excel.build(
        unit_name=unit.organization.name, year=2016, rows=actions.workbook_rows(unit)
    )
    return load_workbook(io.BytesIO(content))


def _row_of(sheet: Any, code: str) -> int:
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row, excel.CODE_COL).value == code:
            return row
    raise AssertionError(code)


def _fill(book: Workbook, **values: object) -> Workbook:
    sheet = book[excel.SHEET]
    for code, value in values.items():
        sheet.cell(_row_of(sheet, code), excel.VALUE_COL).value = value
    return book


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(
    reporting: Any, book: Workbook | bytes, filename: Any = "chi-tieu.xlsx", key: Any = "lai_chau"
) -> Any:
    content = book if isinstance(book, bytes) else _bytes(book)
    return actions.do_import_workbook(
        membership(reporting.world, key),
        content=content,
        filename=filename,
        acting_user=reporting.world.lai_chau_officer,
    )


def test_downloaded_workbook_lists_every_indicator_with_a_validated_value_cell(
    reporting: Reporting,
) -> None:
    sheet = _workbook(reporting)[excel.SHEET]
    assert [c.value for c in sheet[excel.HEADER_ROW]] == list(excel.HEADER)
    assert sheet.cell(excel.UNIT_ROW, 2).value == "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
    codes = [sheet.cell(r, 1).value for r in range(excel.FIRST_ROW, sheet.max_row + 1)]
    assert codes == ["GRDP_TANG", "GRDP", "TONG_SO_XA", "XA_CO_DUONG"]
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 4
    assert {v.type for v in validations} == {"decimal"}
    growth = next(v for v in validations if "D5" in str(v.sqref))
    assert (growth.formula1, growth.formula2) == ("-50", "50")


def test_filled_in_workbook_is_imported(reporting: Reporting) -> None:
    book = _fill(_workbook(reporting), GRDP_TANG=10.6, GRDP=10125, TONG_SO_XA="96", XA_CO_DUONG=80)
    assert _upload(reporting, book) == 4
    stored = {v.indicator.code: v for v in IndicatorValue.objects.select_related("indicator")}
    assert stored["GRDP_TANG"].value == D("10.6")
    assert stored["TONG_SO_XA"].value == D(96)
    assert {v.source for v in stored.values()} == {IndicatorValue.Source.EXCEL}


def test_downloaded_workbook_carries_the_units_current_values(reporting: Reporting) -> None:
    _upload(reporting, _fill(_workbook(reporting), GRDP=10125))
    sheet = _workbook(reporting)[excel.SHEET]
    assert sheet.cell(_row_of(sheet, "GRDP"), excel.VALUE_COL).value == 10125


def _refused(reporting: Any, content: Any, filename: Any = "chi-tieu.xlsx") -> list[str]:
    with pytest.raises(actions.WorkbookRefused) as refused:
        _upload(reporting, content, filename)
    assert not IndicatorValue.objects.exists()
    assert not AuditEntry.objects.filter(action="indicator.report").exists()
    return refused.value.errors


def test_wrong_sheet_is_refused(reporting: Reporting) -> None:
    book = _fill(_workbook(reporting), GRDP=1)
    book[excel.SHEET].title = "Sheet1"
    assert _refused(reporting, book) == [
        "Tệp Excel không có trang tính tên “Chỉ tiêu” (các trang tính có trong tệp: Sheet1)."
    ]


def test_a_sheet_named_in_another_case_is_the_same_sheet(reporting: Reporting) -> None:
    book = _fill(_workbook(reporting), GRDP=10125)
    sheet = book[excel.SHEET]
    sheet.title = "tạm"  # openpyxl would add a "1" to a name it holds already in any case
    sheet.title = "CHỈ TIÊU"
    assert _upload(reporting, book) == 1


def test_wrong_header_is_refused_naming_the_cell(reporting: Reporting) -> None:
    book = _fill(_workbook(reporting), GRDP=1)
    book[excel.SHEET].cell(excel.HEADER_ROW, excel.VALUE_COL).value = "Số liệu"
    assert _refused(reporting, book) == [
        "Dòng 4, cột D: tiêu đề cột phải là “Giá trị”, không phải “Số liệu”."
    ]


def test_every_bad_row_is_named_and_nothing_is_stored(reporting: Reporting) -> None:
    book = _fill(
        _workbook(reporting), GRDP_TANG="tám phẩy năm", GRDP=10125, TONG_SO_XA=96, XA_CO_DUONG=-3
    )
    sheet = book[excel.SHEET]
    duplicate = sheet.max_row + 1
    sheet.cell(duplicate, excel.CODE_COL).value = "GRDP"
    sheet.cell(duplicate, excel.VALUE_COL).value = 5
    sheet.cell(duplicate + 1, excel.CODE_COL).value = "GRDP_TANG_X"
    assert _refused(reporting, book) == [
        "Dòng 5, cột D: “tám phẩy năm” không phải là một số.",
        "Dòng 8, cột D: giá trị nhỏ hơn mức nhỏ nhất cho phép là 0.",
        "Dòng 9, cột A: chỉ tiêu GRDP đã có ở dòng 6.",
        "Dòng 10, cột A: năm 2016 không có chỉ tiêu mang mã GRDP_TANG_X.",
    ]


def test_out_of_range_and_too_precise_numbers_are_refused(reporting: Reporting) -> None:
    book = _fill(_workbook(reporting), GRDP_TANG=75, TONG_SO_XA=96.5)
    assert _refused(reporting, book) == [
        "Dòng 5, cột D: giá trị lớn hơn mức lớn nhất cho phép là 50,0.",
        "Dòng 7, cột D: giá trị phải là số nguyên.",
    ]


def test_formula_is_refused(reporting: Reporting) -> None:
    book = _fill(_workbook(reporting), GRDP="=10000+125")
    assert _refused(reporting, book) == [
        "Dòng 6, cột D: ô chứa công thức; hãy nhập trực tiếp giá trị."
    ]


def test_another_units_workbook_is_refused(reporting: Reporting) -> None:
    book = _fill(_workbook(reporting, key="son_la"), GRDP=1)
    errors = _refused(reporting, book)
    assert errors == [
        "Dòng 1, cột B: tệp này dành cho “Sở Kế hoạch và Đầu tư tỉnh Sơn La”, "
        "không phải cho “Sở Kế hoạch và Đầu tư tỉnh Lai Châu”."
    ]


def test_only_an_xlsx_file_is_accepted(reporting: Reporting) -> None:
    assert _refused(reporting, b"GRDP;10125\n", "chi-tieu.csv") == [
        "Chỉ được tải lên tệp Excel (.xlsx)."
    ]
    assert _refused(reporting, b"not a zip at all", "chi-tieu.xlsx") == [
        "Tệp không phải là tệp Excel (.xlsx) đọc được."
    ]


def test_too_large_a_file_is_refused(reporting: Reporting) -> None:
    content = b"PK" + b"0" * uploads.limit("workbook")
    assert _refused(reporting, content) == [
        "Tệp “chi-tieu.xlsx” lớn hơn 1 MB, vượt quá dung lượng cho phép tải lên."
    ]


def test_vietnamese_number_typed_as_text_is_read(reporting: Reporting) -> None:
    _upload(reporting, _fill(_workbook(reporting), GRDP="10.125", GRDP_TANG="10,6"))
    assert set(IndicatorValue.objects.values_list("value", flat=True)) == {D(10125), D("10.6")}


def test_a_value_that_is_not_a_number_nan_is_refused_not_a_server_error(
    reporting: Reporting,
) -> None:
    # <v>NaN</v> is no Excel's writing, but a crafted file can carry it.
    content = _bytes(_fill(_workbook(reporting), GRDP=123456.5))
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v>123456.5</v>", b"<v>NaN</v>")
            copy.writestr(item, data)
    assert _refused(reporting, out.getvalue()) == [
        "Dòng 6, cột D: ô chứa một giá trị không phải là số hữu hạn (NaN hoặc vô cực); "
        "hãy nhập lại."
    ]
