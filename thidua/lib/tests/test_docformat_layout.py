"""The letterhead's number and symbol, the language and the tables, read back from the file."""

import io
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from thidua.lib import docformat


def _saved(document: Any) -> io.BytesIO:
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    ("number", "symbol", "line"),
    [
        ("12", "BC-CTĐ", "Số: 12/BC-CTĐ"),
        ("12/BC-CTĐ", "", "Số: 12/BC-CTĐ"),
        ("", "BC-CTĐ", f"Số: {docformat.BLANK_NUMBER}/BC-CTĐ"),
        ("", "", f"Số: {docformat.BLANK_NUMBER}/"),
    ],
)
def test_the_number_line_carries_the_symbol_also_in_a_draft(
    number: str, symbol: str, line: str
) -> None:
    letterhead = docformat.Letterhead(
        authority="Cụm thi đua", number=number, symbol=symbol, place="Sơn La", date=None
    )
    assert letterhead.number_line == line


def test_the_managing_agency_stands_above_the_issuing_one_each_on_its_own_lines() -> None:
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            parent_authority="Bộ Kế hoạch và Đầu tư",
            authority="Vụ Thi đua - Khen thưởng",
            number="",
            symbol="BC-TĐKT",
            place="Hà Nội",
            date=None,
        ),
    )
    lines = docformat.document_text(_saved(document)).splitlines()
    assert lines.index("BỘ KẾ HOẠCH VÀ ĐẦU TƯ") < lines.index("VỤ THI ĐUA - KHEN THƯỞNG")


def test_a_long_agency_name_is_broken_to_fit_its_column() -> None:
    long_name = "Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc"
    for line in docformat._wrap(long_name.upper(), docformat.LETTERHEAD_MM[0], 13):
        assert docformat.bold_width_mm(line, 13) <= docformat.LETTERHEAD_MM[0]


def test_the_documents_are_in_vietnamese() -> None:
    document = Document(_saved(docformat.new_document()))
    language = document.styles.element.find(f"{qn('w:docDefaults')}//{qn('w:lang')}")
    assert language.get(qn("w:val")) == "vi-VN"
    assert language.get(qn("w:eastAsia")) == "vi-VN"
    normal = document.styles["Normal"].element.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    assert normal.get(qn("w:val")) == "vi-VN"


def _table(header: Any, rows: Any, **options: Any) -> Any:
    document = docformat.new_document()
    docformat.add_table(document, header, rows, **options)
    return Document(_saved(document)).tables[0]


def test_a_table_without_widths_gets_a_narrow_stt_column_and_fills_the_text_width() -> None:
    rows = [[str(n), f"Nguyễn Văn {n}", "Sở Kế hoạch và Đầu tư tỉnh Sơn La"] for n in range(1, 30)]
    table = _table(["STT", "Họ và tên", "Đơn vị"], rows)
    widths = [cell.width.mm for cell in table.rows[0].cells]
    assert 10 <= widths[0] <= 14
    assert sum(widths) == pytest.approx(docformat.TEXT_WIDTH_MM, abs=0.5)


def test_a_table_has_fixed_columns_a_repeated_header_and_rows_that_do_not_split() -> None:
    table = _table(["STT", "Đơn vị"], [["1", "Sơn La"], ["2", "Lai Châu"]], widths_mm=(12, 148))
    assert docformat._table_problems(table) == []
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid == [round(cell.width.twips) for cell in table.rows[0].cells]
    assert table.rows[1].cells[0].paragraphs[0].alignment == 1  # the STT column is centred
    assert table.rows[1].cells[1].paragraphs[0].alignment is None


def test_table_text_is_never_below_12_pt_and_the_check_says_so_when_it_is() -> None:
    table = _table(["STT", "Đơn vị"], [["1", "Sơn La"]], size=10)
    sizes = {
        run.font.size.pt for row in table.rows for c in row.cells for run in c.paragraphs[0].runs
    }
    assert sizes == {12}
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].runs[0].font.size = docformat.Pt(10)
    row = table.rows[1]._tr
    row.remove(row.find(qn("w:trPr")))
    problems = docformat._table_problems(table)
    assert "its text is 10 pt, below 12 pt" in problems
    assert "a row may split across pages" in problems


def test_widths_wider_than_the_page_are_scaled_to_the_text_width() -> None:
    table = _table(["A", "B"], [["x", "y"]], widths_mm=(100, 100))
    assert sum(cell.width.mm for cell in table.rows[0].cells) == pytest.approx(160, abs=0.5)


def test_a_given_stt_column_too_narrow_for_its_header_is_widened_from_the_widest() -> None:
    table = _table(["STT", "Đơn vị", "Ghi chú"], [["1", "Sơn La", "x"]], widths_mm=(8, 100, 52))
    widths = [cell.width.mm for cell in table.rows[0].cells]
    assert widths[0] >= 11
    assert widths[2] == pytest.approx(52, abs=0.1)
    assert sum(widths) == pytest.approx(160, abs=0.5)
