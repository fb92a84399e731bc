"""Documents built with docformat follow Decree 30/2020 when read back from the file."""

import datetime as dt
import io

from docx import Document
from docx.shared import Mm

from thidua.lib import docformat


def _report() -> io.BytesIO:
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            parent_authority="UBND tỉnh Sơn La",
            authority="Sở Kế hoạch và Đầu tư",
            number="12/BC-SKHĐT",
            place="Sơn La",
            date=dt.date(2017, 3, 5),
        ),
    )
    docformat.add_title(document, "Báo cáo", "Tổng kết công tác thi đua, khen thưởng năm 2016")
    docformat.add_heading(document, "I. KẾT QUẢ")
    docformat.add_paragraph(document, "Tốc độ tăng GRDP bình quân của các tỉnh khoảng 8,5%.")
    docformat.add_table(document, ["STT", "Đơn vị"], [["1", "Sở KH&ĐT Sơn La"]])
    docformat.add_closing(
        document,
        docformat.SignatureBlock(
            capacity="TM. Cụm thi đua", position="Cụm trưởng", name="Lê Hồng Minh"
        ),
        docformat.Recipients(items=["Vụ TĐKT - Bộ KH&ĐT", "Các thành viên cụm"]),
    )
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    buffer.seek(0)
    return buffer


def test_a_built_document_conforms() -> None:
    assert docformat.check_format(_report()) == []


def test_the_letterhead_states_number_place_and_official_date() -> None:
    text = docformat.document_text(_report())
    assert "Số: 12/BC-SKHĐT" in text
    assert "Sơn La, ngày 05 tháng 3 năm 2017" in text
    assert "SỞ KẾ HOẠCH VÀ ĐẦU TƯ" in text
    assert "BÁO CÁO" in text


def test_recipients_end_with_a_semicolon_and_the_last_with_a_full_stop() -> None:
    lines = docformat.document_text(_report()).splitlines()
    start = lines.index("Nơi nhận:")
    assert lines[start + 1 : start + 4] == [
        "- Vụ TĐKT - Bộ KH&ĐT;",
        "- Các thành viên cụm;",
        "- Lưu: VT.",
    ]


def test_the_check_catches_a_wrong_margin_and_a_wrong_font() -> None:
    document = Document(_report())
    document.sections[0].left_margin = Mm(25)
    document.paragraphs[-1].add_run("x").font.name = "Arial"
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    problems = docformat.check_format(buffer)
    assert "the left margin is 25 mm, not 30 mm" in problems
    assert any("Arial" in p for p in problems)


def test_the_check_catches_a_missing_motto() -> None:
    document = docformat.new_document()
    docformat.add_title(document, "Biên bản")
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    buffer.seek(0)
    problems = docformat.check_format(buffer)
    assert "the national title is missing" in problems
    assert "the motto is missing" in problems
