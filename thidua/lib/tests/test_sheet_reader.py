"""The sheet reader: a real child process, real workbooks, and its limits."""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import re
import zipfile
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from thidua.lib import sheet_reader
from thidua.lib.safe_zip import UnsafeFile


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sheet_comes_back_by_column_with_each_cell_as_written() -> None:
    rows: list[list[object]] = [
        ["Tên", "Số", "Ngày"],
        ["An", 1, dt.date(2016, 1, 5)],
        [None, None, None],
        ["An", 1.5, "05/01/2016"],
        ["Bình", True, None],
    ]
    sheet = sheet_reader.read_sheet(workbook(("Một", rows)))
    assert (sheet.height, sheet.width) == (5, 3)
    assert sheet.blank_rows == {2}
    assert sheet.row(0) == ["Tên", "Số", "Ngày"]
    assert sheet.cell(1, 2) == dt.date(2016, 1, 5)
    assert sheet.cell(4, 1) is True
    assert sheet.cell(9, 9) == ""
    assert sheet.columns[0].values == ["Tên", "An", "", "Bình"]  # "An" is kept once
    assert sheet.rows()[3] == ["An", 1.5, "05/01/2016"]


def test_cells_equal_in_python_but_not_in_a_sheet_keep_their_type() -> None:
    sheet = sheet_reader.read_sheet(workbook(("S", [[1], [1.5], [True], [1], ["1"]])))
    cells = sheet.columns[0].cells()
    assert cells == [1, 1.5, True, 1, "1"]
    assert [type(cell) for cell in cells] == [float, float, bool, float, str]
    assert sheet.columns[0].each(type, [2, 3]) == [bool, float]


def test_a_sheet_is_found_by_name_or_the_names_are_given() -> None:
    content = workbook(("Một", [["a"]]), ("Chỉ tiêu", [["b"]]))
    assert sheet_reader.read_sheet(content, sheet="Chỉ tiêu").row(0) == ["b"]
    assert sheet_reader.read_sheet(content, sheet=1).row(0) == ["b"]
    with pytest.raises(sheet_reader.MissingSheet) as missing:
        sheet_reader.read_sheet(content, sheet="chỉ tiêu")
    assert missing.value.names == ["Một", "Chỉ tiêu"]


def test_a_zip_that_is_not_a_workbook_is_unreadable() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(sheet_reader.UnreadableSheet):
        sheet_reader.read_sheet(out.getvalue())
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(b"not a zip at all")


def test_a_sheet_beyond_the_cell_limit_is_refused_with_its_size() -> None:
    content = workbook(("S", [[1] * 10 for _ in range(30)]))
    with translation.override("vi"), pytest.raises(UnsafeFile) as refused:
        sheet_reader.read_sheet(content, max_cells=299)
    assert "30 dòng và 10 cột" in refused.value.message


@pytest.fixture(scope="module")
def large() -> bytes:
    """100,000 distinct cells: a few megabytes once read."""
    return workbook(("S", [[f"ô {r} {c}" for c in range(10)] for r in range(10_000)]))


def test_a_child_past_its_memory_limit_ends_and_the_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, large: bytes
) -> None:
    assert sheet_reader.read_sheet(large).height == 10_000
    monkeypatch.setattr(sheet_reader, "MEMORY_LIMIT", 24 * 1024 * 1024)
    assert sheet_reader.read_sheet(workbook(("S", [["a", 1]]))).row(0) == ["a", 1]
    with translation.override("vi"), pytest.raises(UnsafeFile) as refused:
        sheet_reader.read_sheet(large)
    assert refused.value.message.startswith("Trang tính quá lớn để đọc một lần")


def test_a_child_that_takes_too_long_is_stopped(
    monkeypatch: pytest.MonkeyPatch, large: bytes
) -> None:
    monkeypatch.setattr(sheet_reader, "WAIT_SECONDS", 0.01)
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(large)


def test_a_child_past_its_cpu_time_ends_and_the_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, large: bytes
) -> None:
    monkeypatch.setattr(sheet_reader, "CPU_SECONDS", 0)
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(large)


def test_an_answer_beyond_the_limit_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch, large: bytes
) -> None:
    monkeypatch.setattr(sheet_reader, "MAX_ANSWER_BYTES", 64 * 1024)
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(large)


def test_the_answer_may_hold_cell_values_only() -> None:
    harmful = pickle.dumps(("sheet", 1, 1, [([os.system], b"")], []))
    with pytest.raises(UnsafeFile):
        sheet_reader._answer_of(harmful)
    dated = pickle.dumps(("sheet", 1, 1, [([dt.date(2016, 1, 5)], b"\0\0\0\0")], []))
    assert sheet_reader._answer_of(dated)[3][0][0] == [dt.date(2016, 1, 5)]


def test_the_child_is_not_given_the_servers_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/thidua")
    seen = {}

    def popen(command: Any, **options: Any) -> None:
        seen.update(options["env"])
        raise OSError("not started")

    monkeypatch.setattr(sheet_reader.subprocess, "Popen", popen)
    with pytest.raises(OSError):
        sheet_reader.read_sheet(workbook(("S", [["a"]])))
    assert "DATABASE_URL" not in seen
    assert seen["RUST_BACKTRACE"] == "0"


# --- formulas: the reader would give their last computed value as if typed ---------------------


def with_cells(cells: bytes, *, second: bytes | None = None) -> bytes:
    """A workbook whose first sheet's <sheetData> is `cells` (and a second sheet's, `second`)."""
    content = workbook(("Một", [["x"]]), ("Hai", [["y"]]))
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb"<sheetData>.*</sheetData>", b"<sheetData>" + cells + b"</sheetData>", data
                )
            if name == "xl/worksheets/sheet2.xml" and second is not None:
                data = re.sub(
                    rb"<sheetData>.*</sheetData>", b"<sheetData>" + second + b"</sheetData>", data
                )
            target.writestr(name, data)
    return out.getvalue()


# As Excel saves them: the formula and, beside it, the value it last computed.
HYPERLINK = (
    '<c r="B2" t="str"><f>HYPERLINK("http://a.example","Nguyễn Văn An")</f><v>Nguyễn Văn An</v></c>'
).encode()
YEAR = b'<c r="F3"><f>2015+1</f><v>2016</v></c>'
HEAD = '<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c></row>'.encode()


def test_the_reader_alone_would_take_a_formulas_cached_value_as_typed() -> None:
    from python_calamine import CalamineWorkbook

    content = with_cells(
        HEAD + b'<row r="2">' + HYPERLINK + b'</row><row r="3">' + YEAR + b"</row>"
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[1][1] == "Nguyễn Văn An" and rows[2][5] == 2016  # what thidua must not take


def test_a_sheet_with_formulas_is_refused_naming_each_cell_in_vietnamese() -> None:
    content = with_cells(
        HEAD + b'<row r="2">' + HYPERLINK + b'</row><row r="3">' + YEAR + b"</row>"
    )
    with translation.override("vi"), pytest.raises(sheet_reader.RefusedCells) as refused:
        sheet_reader.read_sheet(content)
    assert refused.value.count == 2
    assert refused.value.messages == [
        "Dòng 2, cột B: ô chứa công thức; hãy nhập trực tiếp giá trị.",
        "Dòng 3, cột F: ô chứa công thức; hãy nhập trực tiếp giá trị.",
    ]
    assert refused.value.message == (
        "Trang tính có 2 ô không nhập được; ô đầu tiên: "
        "Dòng 2, cột B: ô chứa công thức; hãy nhập trực tiếp giá trị."
    )
    assert isinstance(refused.value, UnsafeFile)  # every caller already refuses these


def test_one_formula_is_named_by_its_row_and_column() -> None:
    content = with_cells(HEAD + b'<row r="3">' + YEAR + b"</row>")
    with translation.override("vi"), pytest.raises(sheet_reader.RefusedCells) as refused:
        sheet_reader.read_sheet(content)
    assert refused.value.message == "Dòng 3, cột F: ô chứa công thức; hãy nhập trực tiếp giá trị."


def test_shared_formulas_and_cells_without_a_reference_are_placed_as_the_reader_places_them() -> (
    None
):
    cells = (
        HEAD + b'<row r="2"><c r="A2"><v>1</v></c><c><f t="shared" ref="B2:B3" si="0">A2+1</f>'
        b"<v>2</v></c></row>"
        b'<row><c r="AA3"><f t="shared" si="0"/><v>3</v></c></row>'
        b'<row r="40"><c r="A40"><v>1</v></c><c><v>2</v></c><x:c xmlns:x="urn:x"/></row>'
    )
    with translation.override("vi"), pytest.raises(sheet_reader.RefusedCells) as refused:
        sheet_reader.read_sheet(with_cells(cells))
    assert refused.value.cells == [(2, "B", "formula"), (3, "AA", "formula")]


def test_many_formulas_are_counted_beyond_the_first_named() -> None:
    rows = b"".join(
        b'<row r="%d"><c r="C%d"><f>1+1</f><v>2</v></c></row>' % (r, r) for r in range(2, 32)
    )
    with translation.override("vi"), pytest.raises(sheet_reader.RefusedCells) as refused:
        sheet_reader.read_sheet(with_cells(HEAD + rows))
    assert refused.value.count == 30
    assert len(refused.value.messages) == 21
    assert refused.value.messages[-1] == "… và 10 ô khác không nhập được."
    assert refused.value.message.startswith(
        "Trang tính có 30 ô không nhập được; ô đầu tiên: Dòng 2, cột C:"
    )


def test_a_formula_on_another_sheet_or_outside_a_cell_does_not_refuse_this_one() -> None:
    other = b'<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>'
    content = with_cells(HEAD + b'<row r="2"><c r="B2"><v>7</v></c></row>', second=other)
    assert sheet_reader.read_sheet(content).row(1) == ["", 7]
    with pytest.raises(sheet_reader.RefusedCells):
        sheet_reader.read_sheet(content, sheet="Hai")
    # A validation's formula in the sheet's extension list is not a cell's.
    extension = (
        b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData><extLst><ext uri="x">'
        b'<x14:f xmlns:x14="urn:x14">A1</x14:f></ext></extLst><sheetData>'
    )
    assert sheet_reader.read_sheet(with_cells(extension)).row(0) == [1]


def opendocument(content_xml: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
            ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
            ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml"'
            ' manifest:media-type="text/xml"/></manifest:manifest>',
        )
        archive.writestr("content.xml", content_xml)
    return out.getvalue()


ODS = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Một">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Họ và tên</text:p>'
    "</table:table-cell></table:table-row>"
    '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
    '<table:table-row><table:table-cell table:number-columns-repeated="2"/>'
    '<table:table-cell {formula} office:value-type="float" office:value="2016">'
    "<text:p>2016</text:p></table:table-cell></table:table-row>"
    "</table:table></office:spreadsheet></office:body></office:document-content>"
)


def test_an_opendocument_sheets_formula_is_found_too() -> None:
    plain = sheet_reader.read_sheet(opendocument(ODS.format(formula="")))
    assert plain.cell(3, 2) == 2016
    with translation.override("vi"), pytest.raises(sheet_reader.RefusedCells) as refused:
        sheet_reader.read_sheet(opendocument(ODS.format(formula='table:formula="of:=2015+1"')))
    assert refused.value.cells == [(4, "C", "formula")]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        (b'<c r="B2"><v>NaN</v></c>', "ô chứa một giá trị không phải là số hữu hạn"),
        (b'<c r="B2"><v>INF</v></c>', "ô chứa một giá trị không phải là số hữu hạn"),
        (b'<c r="B2"><v>-1e999</v></c>', "ô chứa một giá trị không phải là số hữu hạn"),
        (
            b'<c r="B2" t="inlineStr"><is><t>Nguy_x0000_\xe1\xbb\x85n</t></is></c>',
            "ô chứa ký tự rỗng (NUL)",
        ),
    ],
    ids=["nan", "infinity", "overflow", "nul"],
)
def test_a_cell_that_is_not_a_finite_number_or_holds_a_nul_is_refused_by_place(
    cell: bytes, problem: str
) -> None:
    content = with_cells(HEAD + b'<row r="2"><c r="A2"><v>1</v></c>' + cell + b"</row>")
    with translation.override("vi"), pytest.raises(sheet_reader.RefusedCells) as refused:
        sheet_reader.read_sheet(content)
    assert refused.value.message.startswith(f"Dòng 2, cột B: {problem}")
    assert refused.value.cells[0][:2] == (2, "B")


def test_refused_cells_of_every_kind_are_named_in_sheet_order() -> None:
    cells = (
        HEAD
        + b'<row r="2"><c r="C2"><v>NaN</v></c></row>'
        + b'<row r="3"><c r="A3"><f>1+1</f><v>2</v></c></row>'
    )
    with pytest.raises(sheet_reader.RefusedCells) as refused:
        sheet_reader.read_sheet(with_cells(cells))
    assert refused.value.cells == [(2, "C", "not_finite"), (3, "A", "formula")]
