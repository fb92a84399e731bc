"""Documents checked as printed pages: rendered to PDF by the real LibreOffice and read back
with the positions of their text and rules (thidua.testing.pdfpages).

These tests need LibreOffice, which scripts/bootstrap.sh installs: where it is missing they
fail, unless THIDUA_SKIP_PDF_TESTS=1 says that a developer chose to go without.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from docx.shared import Mm
from pytest_django import DjangoDbBlocker

from thidua.awards import documents as award_documents
from thidua.lib import docformat, pdf
from thidua.testing import pdfpages

LONG_UNIT = "Sở Kế hoạch và Đầu tư tỉnh Điện Biên, đơn vị thành viên Cụm thi đua miền núi phía Bắc"


@pytest.fixture(scope="module")
def soffice() -> Iterator[str]:
    """The installed LibreOffice, turned on for PDF copies (the test settings turn it off)."""
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("THIDUA_SKIP_PDF_TESTS") == "1":
            pytest.skip("LibreOffice is not installed and THIDUA_SKIP_PDF_TESTS=1")
        pytest.fail("LibreOffice (soffice) is not installed: run scripts/bootstrap.sh as root")
    with override_settings(THIDUA_SOFFICE=found, THIDUA_PDF_SERVER="127.0.0.1:2003"):
        yield found
    pdf.stop_started()


def _saved(document: Any) -> bytes:
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    return buffer.getvalue()


def _report(*, rows: int = 60, **letterhead: object) -> bytes:
    document = docformat.new_document()
    details: dict[str, object] = {
        "parent_authority": "UBND tỉnh Sơn La",
        "authority": "Sở Kế hoạch và Đầu tư",
        "number": "12",
        "symbol": "BC-SKHĐT",
        "place": "Sơn La",
        "date": dt.date(2017, 3, 5),
        **letterhead,
    }
    docformat.add_letterhead(document, docformat.Letterhead(**details))  # type: ignore[arg-type]
    docformat.add_title(document, "Báo cáo", "Tổng kết công tác thi đua, khen thưởng năm 2016")
    docformat.add_heading(document, "I. KẾT QUẢ")
    docformat.add_paragraph(document, "Tốc độ tăng GRDP bình quân của các tỉnh khoảng 8,5%.")
    # Every third row runs over several lines, so that some row meets the foot of a page.
    docformat.add_table(
        document,
        ["STT", "Họ và tên", "Đơn vị"],
        [
            [str(n), f"Nguyễn Văn {n}", LONG_UNIT if n % 3 == 0 else "Sở KH&ĐT Sơn La"]
            for n in range(1, rows + 1)
        ],
    )
    docformat.add_closing(
        document,
        docformat.SignatureBlock(capacity="TM. Cụm thi đua", position="Cụm trưởng", name="Lê Minh"),
        docformat.Recipients(items=["Vụ TĐKT - Bộ KH&ĐT"]),
    )
    return _saved(document)


def _pages(docx: bytes) -> list[pdfpages.Page]:
    data = pdf.to_pdf(docx)
    assert data is not None and data.startswith(b"%PDF")
    return pdfpages.read_document(data)


def test_the_letterhead_prints_as_the_decree_draws_it(soffice: str) -> None:
    pages = _pages(_report())
    assert pdfpages.letterhead_problems(pages) == []
    title = pdfpages.find(pages, docformat.NATIONAL_TITLE)
    assert title.size == docformat.TITLE_PT and title.bold
    parent, agency = (
        pdfpages.find(pages, "UBND TỈNH SƠN LA"),
        pdfpages.find(pages, "SỞ KẾ HOẠCH VÀ ĐẦU TƯ"),
    )
    assert parent.bottom <= agency.top and not parent.bold and agency.bold
    assert abs(parent.centre - agency.centre) < 1.5  # each centred in its column
    assert pdfpages.find(pages, "Số: 12/BC-SKHĐT").x1 <= pdfpages.column_edge()
    when = pdfpages.find(pages, "Sơn La, ngày 05 tháng 3 năm 2017")
    assert when.italic and when.x0 >= pdfpages.column_edge()


def test_a_long_agency_name_and_a_draft_number_still_print_right(soffice: str) -> None:
    pages = _pages(
        _report(
            rows=3,
            parent_authority="Bộ Kế hoạch và Đầu tư",
            authority="Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc",
            number="",
            symbol="BC-CTĐ",
            date=None,
        )
    )
    assert pdfpages.letterhead_problems(pages) == []
    number = next(line for line in pages[0].lines if line.text.startswith("Số:"))
    assert number.text == "Số:"  # the blank for the clerk, then the symbol on the same line
    assert any(line.text == "/BC-CTĐ" and abs(line.top - number.top) < 2 for line in pages[0].lines)


def _demo_cluster_name() -> str:
    data = Path(__file__).resolve().parents[2] / "demo" / "data" / "cluster.json"
    return str(json.loads(data.read_text("utf-8"))["cluster"]["name"])


def test_the_demo_clusters_long_name_fits_three_lines_of_the_letterhead(soffice: str) -> None:
    name = _demo_cluster_name()
    assert len(docformat._wrap(name.upper(), docformat.LETTERHEAD_MM[0], 13)) == 4  # at 13 pt
    pages = _pages(_report(rows=3, parent_authority="", authority=name, symbol="BC-CTĐ"))
    assert pdfpages.letterhead_problems(pages) == []
    number = pdfpages.find(pages, "Số: 12/BC-CTĐ")
    agency = [
        line
        for line in pages[0].lines
        if line.bold and line.x1 <= pdfpages.column_edge() and line.bottom <= number.top
    ]
    # The whole name, unabbreviated, at 12 points on three lines, each centred in its column.
    assert " ".join(line.text for line in agency) == name.upper()
    assert len(agency) == 3 and {line.size for line in agency} == {12}
    assert max(line.centre for line in agency) - min(line.centre for line in agency) < 1.5
    assert pdfpages.find(pages, docformat.NATIONAL_TITLE).size == docformat.TITLE_PT


def test_a_name_too_long_even_at_12_points_has_its_common_phrases_shortened(soffice: str) -> None:
    name = f"{_demo_cluster_name()} và Trung du Bắc Bộ"
    lines, size = docformat.agency_lines(name, docformat.LETTERHEAD_MM[0])
    assert size == 12 and "KH&ĐT" in lines[0] and "KẾ HOẠCH" not in " ".join(lines)
    pages = _pages(_report(rows=3, parent_authority="", authority=name, symbol="BC-CTĐ"))
    # Four lines: the check on the printed page sees it, so no document prints it unnoticed.
    assert pdfpages.letterhead_problems(pages) == ["the issuing agency's name takes 4 lines"]


def test_a_long_table_repeats_its_header_and_never_splits_a_row(soffice: str) -> None:
    pages = _pages(_report(rows=60))
    assert len(pages) >= 3
    assert pdfpages.table_problems(pages) == []
    assert pdfpages.page_number_problems(pages) == []
    assert pages[1].tables[0].rows[0] == ["STT", "Họ và tên", "Đơn vị"]
    rows = [row for page in pages for table in page.tables for row in table.rows[1:]]
    assert [row[0] for row in rows] == [str(n) for n in range(1, 61)]
    assert all(row[2] in (LONG_UNIT, "Sở KH&ĐT Sơn La") for row in rows)  # no part-rows
    stt = pages[0].tables[0]
    assert stt.rows[1][0] == "1"


def test_the_stt_column_is_narrow_and_its_numbers_centred(soffice: str) -> None:
    pages = _pages(_report(rows=5))
    one = next(line for line in pages[0].lines if line.text == "1")
    left = docformat.MARGINS_MM["left"] * pdfpages.MM
    assert abs(one.centre - left) < 14 * pdfpages.MM / 2 + 1  # inside a column under 14 mm
    rules = [r for r in pages[0].rules if r.top > one.top - 30]
    assert any(abs(r.x0 - left) < 1 for r in rules)


def test_the_checks_see_a_wrapped_title_a_long_rule_and_a_header_not_repeated(
    soffice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old layout: equal columns, full-width rules, a plain table."""
    monkeypatch.setattr(docformat, "LETTERHEAD_MM", (80.0, 80.0))
    monkeypatch.setattr(docformat, "AGENCY_RULE_SHARE", 1.0)
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(authority="Sở Kế hoạch và Đầu tư", number="", place="", date=None),
    )
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "STT", "Đơn vị"
    for n in range(1, 80):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(n), "Sở KH&ĐT"
        cells[0].width = Mm(40)
    pages = pdfpages.read(pdf.to_pdf(_saved(document)) or b"")
    assert pdfpages.letterhead_problems(pages) == [
        f"{docformat.NATIONAL_TITLE} is not on one line in bold"
    ]
    assert any("header is not repeated" in p for p in pdfpages.table_problems(pages))


def test_a_wide_agency_rule_and_a_missing_symbol_are_seen(
    soffice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(docformat, "AGENCY_RULE_SHARE", 0.9)
    pages = _pages(_report(rows=2, number="", symbol=""))
    problems = pdfpages.letterhead_problems(pages)
    assert any("not 1/3-1/2" in p for p in problems)
    assert any("no ký hiệu" in p for p in problems)


# --- every document of the demo ----------------------------------------------------------------


def demo_documents(supervisor: Any = None) -> dict[str, bytes]:
    """Every document the demo's 2016 produces, as .docx, named by kind; with the supervisor,
    also the Minister's award decision on a few of its nominations, and their certificates."""
    from thidua.awards import achievement
    from thidua.awards.models import Nomination
    from thidua.conference import dossier, national
    from thidua.conference.models import DocumentKind
    from thidua.cycle.models import EmulationYear
    from thidua.demo.play import load_data
    from thidua.voting import documents as voting_documents
    from thidua.voting import reads as voting_reads
    from thidua.voting.models import Poll

    year = EmulationYear.objects.get(cluster__slug=load_data()["cluster"]["slug"], year=2016)
    found = {kind: dossier.build(year, kind) for kind in DocumentKind.values}
    for poll in Poll.objects.filter(year=year).order_by("pk"):
        candidates = voting_reads.candidates_of(poll)
        result = voting_reads.count(poll, candidates)
        if result is not None:
            shown = voting_reads.shown(poll, result, candidates)
            found[f"poll-{poll.pk}-minutes"] = voting_documents.minutes(poll, shown)
        if poll.is_paper:
            found[f"poll-{poll.pk}-papers"] = voting_documents.ballot_papers(poll, candidates)
    nomination = Nomination.objects.filter(year=year).order_by("pk").first()
    assert nomination is not None
    found["achievement"] = achievement.lay_out(achievement.load(nomination))
    found["national"] = national.report_docx(national.summary(2016))
    if supervisor is not None:
        decision = _decided(year, supervisor)
        found["decision"] = award_documents.decision_document(decision)
        found["certificates"] = award_documents.certificates(decision)
    return found


def _decided(year: Any, supervisor: Any) -> Any:
    """The Minister's decision of 10/04/2017 on the first two nominations of each award he
    decides: every section of the attached list, and a certificate of each kind."""
    from thidua.awards import actions
    from thidua.awards import rules as award_rules
    from thidua.awards.models import Nomination
    from thidua.lib import clock

    taken: dict[int, int] = {}
    with clock.at(dt.datetime(2017, 4, 10, 2, 0, tzinfo=dt.UTC)):
        compiled = Nomination.objects.filter(year=year, status=Nomination.Status.COMPILED)
        for nomination in compiled.select_related("award_type").order_by("pk"):
            if not award_rules.decides("minister", nomination.award_type.level):
                continue
            if taken.setdefault(nomination.award_type_id, 0) < 2:
                taken[nomination.award_type_id] += 1
                actions.do_approve_nomination(nomination, acting_user=supervisor)
        return actions.do_record_decision(
            year,
            date=dt.date(2017, 4, 10),
            place="Hà Nội",
            issuer_name="Bộ Kế hoạch và Đầu tư",
            signer_title="Bộ trưởng",
            signer_name="Nguyễn Chí Dũng",
            acting_user=supervisor,
        )


@pytest.fixture(scope="module")
def demo_pages(
    soffice: str, demo_module: Any, django_db_blocker: DjangoDbBlocker
) -> dict[str, list[pdfpages.Page]]:
    with django_db_blocker.unblock():
        documents = demo_documents(demo_module.supervisor)
    return {kind: _pages(docx) for kind, docx in documents.items()}


def test_every_demo_document_prints_in_the_decree_layout(
    demo_pages: dict[str, list[pdfpages.Page]], db: None
) -> None:
    problems = {}
    for kind, pages in demo_pages.items():
        # A ballot paper, a news article and a certificate are no administrative documents:
        # no letterhead; a certificate is one page, unnumbered.
        administrative = not kind.endswith("-papers") and kind not in ("news", "certificates")
        found = [
            *(pdfpages.letterhead_problems(pages, symbol=True) if administrative else []),
            *(pdfpages.page_number_problems(pages) if kind != "certificates" else []),
            *pdfpages.table_problems(pages),
        ]
        if found:
            problems[kind] = found
    assert problems == {}


def test_the_demo_covers_every_kind_of_document(
    demo_pages: dict[str, list[pdfpages.Page]], db: None
) -> None:
    kinds = set(demo_pages)
    assert {"report", "minutes", "proposal", "pledge", "news", "achievement", "national"} <= kinds
    assert {"decision", "certificates"} <= kinds
    assert any(kind.endswith("-minutes") for kind in kinds)


def test_the_demo_decision_numbers_itself_and_prints_a_certificate_per_holder(
    demo_pages: dict[str, list[pdfpages.Page]], db: None
) -> None:
    from thidua.award_history.models import AwardRecord

    decision = demo_pages["decision"]
    assert pdfpages.find(decision, "Số: 1/QĐ-BKHĐT")
    assert pdfpages.find(decision, "Hà Nội, ngày 10 tháng 4 năm 2017")
    headings = [line.text for page in decision for line in page.lines if line.bold]
    assert any(h.endswith(". Bằng khen của Bộ trưởng Bộ Kế hoạch và Đầu tư") for h in headings)
    certificates = demo_pages["certificates"]
    assert len(certificates) == AwardRecord.objects.filter(decision__isnull=False).count() > 0
    for page in certificates:
        assert page.width > page.height  # A4 landscape
        text = "\n".join(line.text for line in page.lines)
        assert "Quyết định số 1/QĐ-BKHĐT, ngày 10 tháng 4 năm 2017" in text
        assert "Nguyễn Chí Dũng" in text


def test_a_signature_block_and_a_heading_never_end_a_page_alone(
    demo_pages: dict[str, list[pdfpages.Page]], db: None
) -> None:
    # The national report ends with "KT. VỤ TRƯỞNG / PHÓ VỤ TRƯỞNG / Lê Thị Mai": one page.
    pages = demo_pages["national"]
    assert pdfpages.find(pages, "PHÓ VỤ TRƯỞNG").page == pdfpages.find(pages, "Lê Thị Mai").page
    for kind, document in demo_pages.items():
        for page in document[:-1]:
            last = page.lines[-1] if page.lines else None
            # A section heading ("VII. …", bold capitals) is kept with the text after it.
            if last is not None and last.text.split(".", 1)[0].strip() in ROMAN_NUMERALS:
                raise AssertionError(f"{kind}: page {page.number} ends with {last.text!r}")


ROMAN_NUMERALS = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}


def test_the_printed_pages_say_no_stored_code_no_english_word_and_no_date_outside_the_year(
    demo_pages: dict[str, list[pdfpages.Page]], db: None
) -> None:
    """The checks of conference/tests/test_document_words, on the text as LibreOffice prints it."""
    from thidua.conference.tests.test_document_words import (
        _DATES,
        CALENDAR,
        ENGLISH,
        _words,
        choice_values,
    )

    codes = choice_values()
    problems: dict[str, list[str]] = {}
    for kind, pages in demo_pages.items():
        text = pdfpages.text(pages)
        found = sorted({w for w in _words(text) if w in codes or w.lower() in ENGLISH})
        for pattern in _DATES:
            for day, month, year in pattern.findall(text):
                if not CALENDAR[0] <= dt.date(int(year), int(month), int(day)) <= CALENDAR[1]:
                    found.append(f"{day}/{month}/{year}")
        if "2026" in text:
            found.append("2026")
        if found:
            problems[kind] = found
    assert problems == {}


def test_the_printed_sections_run_in_order(
    demo_pages: dict[str, list[pdfpages.Page]], db: None
) -> None:
    for kind in ("report", "minutes"):
        lines = [line.text for page in demo_pages[kind] for line in page.lines]
        numbers = [t.split(".", 1)[0] for t in lines if t.split(".", 1)[0] in ROMAN_NUMERALS]
        assert numbers == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"][: len(numbers)]
        assert len(numbers) >= 5, kind


def test_the_national_report_names_its_department_on_one_line_and_the_ministrys_awards(
    demo_pages: dict[str, list[pdfpages.Page]], db: None
) -> None:
    # At 13 points "KHEN THƯỞNG" would break, leaving "THƯỞNG" alone: 12 points keep one line.
    pages = demo_pages["national"]
    assert pdfpages.find(pages, "VỤ THI ĐUA - KHEN THƯỞNG").page == 1
    text = pdfpages.text(pages)
    assert "Chiến sĩ thi đua cấp bộ" in text
    assert "Chủ tịch Ủy ban nhân dân tỉnh" not in text and "ngành, tỉnh" not in text
