"""What the demo's documents say: Vietnamese only, true dates, names where names belong.

Every document kind of the demo is built (the conference's, the ballot papers and minutes of
each poll, the national summary, the workbooks) and read back as text. No stored code of any
model (a choice's value) and no English word may be printed, and every date printed lies in the
demo year's real calendar: the movement of 2016 and its review in March 2017.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import load_workbook
from pytest_django import DjangoDbBlocker

from thidua.award_history.models import AwardRecord
from thidua.awards import achievement
from thidua.awards.models import Nomination
from thidua.conference import dossier, national
from thidua.conference.content import CLUSTER_SYMBOL
from thidua.conference.models import DocumentKind
from thidua.cycle.models import EmulationYear
from thidua.indicators import exports as indicator_exports
from thidua.lib.docformat import document_text, issuer_abbreviation
from thidua.orgs.models import Organization
from thidua.scoring import exports as scoring_exports
from thidua.scoring import reads as scoring_reads
from thidua.voting import documents as voting_documents
from thidua.voting import exports as voting_exports
from thidua.voting import reads as voting_reads
from thidua.voting.models import Poll

CALENDAR = (dt.date(2016, 1, 1), dt.date(2017, 12, 31))
HISTORY_FROM = dt.date(2011, 1, 1)  # the demo's imported award history starts with 2011

# English words that would only be there by mistake (ASCII words that are no Vietnamese word).
_ENGLISH = """
    the of and for with from by is are was were this that which nominee nominees individual
    individuals collective collectives grassroots ministry province provincial prime minister
    president emulation cluster clusters ballot ballots vote votes round elected passed eligible
    review report minutes pledge proposal news secretary chair supervisor delegate guest draft
    submitted approved decided returned frozen provisional equal rank total bonus penalty
    criteria criterion member members unit units none true false director head deputy poll
    letter certificate flag award awards paper online full outcome
"""
ENGLISH = set(_ENGLISH.split())

_DATES = (
    re.compile(r"(\d{1,2}) tháng (\d{1,2}) năm (\d{4})"),
    re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b"),
)


def choice_values() -> set[str]:
    """Every value a model field's choices store (codes such as "individual", "grassroots")."""
    values = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    values.add(value)
    return values


def workbook_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    )


def _text(data: bytes) -> str:
    return document_text(io.BytesIO(data))


@pytest.fixture(scope="module")
def built(demo_module: None, django_db_blocker: DjangoDbBlocker) -> dict[str, bytes]:
    """Every document of the demo's 2016, by name."""
    with django_db_blocker.unblock():
        year = EmulationYear.objects.select_related("cluster").get(year=2016)
        found = {kind.value: dossier.build(year, kind.value) for kind in DocumentKind}
        for poll in Poll.objects.filter(year=year).order_by("pk"):
            candidates = voting_reads.candidates_of(poll)
            found[f"ballots-{poll.pk}"] = voting_documents.ballot_papers(poll, candidates)
            result = voting_reads.count(poll, candidates)
            if result is not None:
                shown = voting_reads.shown(poll, result, candidates)
                found[f"count-{poll.pk}"] = voting_documents.minutes(poll, shown)
        found["national"] = national.report_docx(national.summary(2016))
        # A collective's and an individual's achievement report: their award history prints
        # the decisions' numbers as they were imported.
        for person_isnull in (True, False):
            nomination = (
                Nomination.objects.filter(year=year, person__isnull=person_isnull)
                .order_by("pk")
                .first()
            )
            assert nomination is not None
            kind = "individual" if nomination.person_id else "collective"
            found[f"achievement-{kind}"] = achievement.lay_out(achievement.load(nomination))
        ranking = scoring_reads.ranking(year)
        assert ranking is not None
        found["scores.xlsx"] = scoring_exports.ranking_workbook(year, ranking)
        found["indicators.xlsx"] = indicator_exports.matrix_workbook(year)
        found["votes.xlsx"] = voting_exports.results_workbook(year, voting_exports.results_of(year))
    return found


@pytest.fixture(scope="module")
def texts(built: dict[str, bytes]) -> dict[str, str]:
    return {
        name: workbook_text(data) if name.endswith(".xlsx") else _text(data)
        for name, data in built.items()
    }


def _words(text: str) -> Iterator[str]:
    yield from re.findall(r"[A-Za-z_]+", text)


def test_every_document_kind_is_built(texts: dict[str, str]) -> None:
    kinds = {name.split("-")[0] for name in texts}
    assert {"report", "minutes", "proposal", "pledge", "news", "ballots", "count"} <= kinds


def test_no_stored_code_and_no_english_word_is_printed(texts: dict[str, str]) -> None:
    codes = choice_values()
    found = {
        name: sorted({w for w in _words(text) if w in codes or w.lower() in ENGLISH})
        for name, text in texts.items()
    }
    assert {name: words for name, words in found.items() if words} == {}


# The kinds' part of a ký hiệu (Decree 30, appendix III) the documents use.
KINDS = {"QĐ", "BC", "BB", "TTr", "KH", "TB", "CV", "DM"}
# A ký hiệu or any other code in capitals joined by hyphens, such as "QĐ-SKHĐT" or "QĐ-LANG-SON".
_CAPITAL_CODE = re.compile(r"(?<![\w-])[A-ZĐ][A-Za-zĐ]*(?:-[A-ZĐ][A-Za-zĐ]*)+(?![\w-])")


@pytest.fixture(scope="module")
def issuers(demo_module: None, django_db_blocker: DjangoDbBlocker) -> set[str]:
    """The issuer's part of every ký hiệu the demo may print: every organisation's initials."""
    with django_db_blocker.unblock():
        names = set(Organization.objects.values_list("name", flat=True))
        names |= set(AwardRecord.objects.values_list("issuer_name", flat=True))
    # The national summary's issuer drops its kind, as "TĐKT" for Vụ Thi đua - Khen thưởng.
    found = {issuer_abbreviation(n) for n in names} | {
        national.initials(n.split(",")[0]) for n in names
    }
    return found | {CLUSTER_SYMBOL}


def test_every_code_in_capitals_is_a_known_ky_hieu(
    texts: dict[str, str], issuers: set[str]
) -> None:
    """A stored key in capitals ("15/QĐ-LANG-SON") is caught, not only a choice's value."""
    odd = {
        name: sorted(
            code
            for code in set(_CAPITAL_CODE.findall(text))
            if not (code.split("-")[0] in KINDS and "-".join(code.split("-")[1:]) in issuers)
        )
        for name, text in texts.items()
    }
    assert {name: codes for name, codes in odd.items() if codes} == {}
    # The check sees the demo's old key, and the history does print its decisions' numbers.
    assert _CAPITAL_CODE.findall("số 15/QĐ-LANG-SON ngày 20/01/2016") == ["QĐ-LANG-SON"]
    history = texts["achievement-individual"] + texts["achievement-collective"]
    assert re.search(r"\d+/QĐ-SKHĐT", history)


def test_every_date_printed_lies_in_the_years_calendar(texts: dict[str, str]) -> None:
    outside: dict[str, list[str]] = {}
    for name, text in texts.items():
        # An achievement report lists the decisions of the nominee's earlier awards too.
        start = HISTORY_FROM if name.startswith("achievement") else CALENDAR[0]
        for pattern in _DATES:
            for day, month, year in pattern.findall(text):
                date = dt.date(int(year), int(month), int(day))
                if not start <= date <= CALENDAR[1]:
                    outside.setdefault(name, []).append(date.isoformat())
    assert outside == {}
    assert "2026" not in "".join(texts.values())


def _numbers(text: str) -> list[str]:
    return re.findall(r"^([IVX]+)\. ", text, flags=re.MULTILINE)


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@pytest.mark.parametrize("kind", ["report", "minutes"])
def test_section_numbers_run_in_order(texts: dict[str, str], kind: str) -> None:
    numbers = _numbers(texts[kind])
    assert numbers == ROMAN[: len(numbers)]
    assert len(numbers) >= 5


def test_the_report_file_numbers_its_sections_in_order_in_the_docx_itself(
    built: dict[str, bytes],
) -> None:
    headings = [
        p.text
        for p in Document(io.BytesIO(built["report"])).paragraphs
        if re.match(r"^[IVX]+\. ", p.text)
    ]
    assert [h.split(".")[0] for h in headings] == ROMAN[: len(headings)]


def test_the_proposal_letter_sends_up_only_what_the_ministry_decides(
    built: dict[str, bytes], texts: dict[str, str]
) -> None:
    text = texts["proposal"]
    document = Document(io.BytesIO(built["proposal"]))
    addressee = next(p for p in document.paragraphs if p.text.startswith("Kính gửi:"))
    assert addressee.text == "Kính gửi: Bộ trưởng Bộ Kế hoạch và Đầu tư"
    assert addressee.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "kính đề nghị Bộ trưởng Bộ Kế hoạch và Đầu tư xem xét, quyết định khen thưởng" in text
    assert "/TTr-CTĐ" in text
    body, attached = text.split("DANH SÁCH\nTập thể, cá nhân đề nghị khen thưởng năm 2016")
    # The awards as the Ministry grants them, its Bằng khen to collectives and individuals one.
    assert "- Bằng khen của Bộ trưởng Bộ Kế hoạch và Đầu tư: 7 tập thể và 35 cá nhân" in body
    assert "Chủ tịch Ủy ban nhân dân tỉnh" not in text and "ngành, tỉnh" not in text
    assert "Chiến sĩ thi đua cấp bộ" in attached
    assert "(Kèm theo Tờ trình số" in attached
    for grassroots in ("Lao động tiên tiến", "Chiến sĩ thi đua cơ sở", "Giấy khen"):
        assert grassroots not in text
    assert "Cần xem xét thêm" in attached
    assert "không đưa vào danh sách đề nghị" in body
    # The attached list starts on a page of its own.
    assert any('w:type="page"' in p._p.xml for p in document.paragraphs)
    for table in document.tables[2:]:
        header = [c.text for c in table.rows[0].cells]
        assert len(set(header)) == len(header)


def test_the_proposal_letter_leaves_out_the_nominees_judged_not_eligible(
    demo_module: None, db: None
) -> None:
    from thidua.conference.content import NOT_ELIGIBLE
    from thidua.conference.reads import proposals

    year = EmulationYear.objects.get(year=2016)
    refused = {
        n.name
        for p in proposals(year)
        if not p.grassroots
        for n in p.nominees
        if n.verdict == NOT_ELIGIBLE
    }
    kept = {
        n.name
        for p in proposals(year)
        if not p.grassroots
        for n in p.nominees
        if n.verdict != NOT_ELIGIBLE
    }
    assert refused
    text = _text(dossier.build(year, "proposal"))
    assert not {name for name in refused - kept if name in text}


def test_the_minutes_name_people_and_give_the_counts(
    built: dict[str, bytes], texts: dict[str, str]
) -> None:
    text = texts["minutes"]
    attendees = Document(io.BytesIO(built["minutes"])).tables[1]
    header = [c.text for c in attendees.rows[0].cells]
    assert header == ["STT", "Họ và tên", "Chức vụ", "Đơn vị"]
    for row in attendees.rows[1:]:
        name, position = row.cells[1].text, row.cells[2].text
        assert not name.startswith(("Giám đốc", "Phó", "Cán bộ")), name
        assert position
    assert "THƯ KÝ" in text and "CHỦ TRÌ HỘI NGHỊ" in text
    # The secretary who took the minutes is named, and signs beside the chair.
    assert "Thư ký: đồng chí Cầm Thị Thu" in text
    assert text.index("Cầm Thị Thu", text.index("THƯ KÝ")) > text.index("THƯ KÝ")
    # The demo records when the conference closed: no blank left to fill by hand.
    assert "Hội nghị kết thúc vào hồi 11 giờ 30 phút ngày 12 tháng 3 năm 2017." in text
    assert "giờ      phút" not in text
    assert "Nơi nhận:" in text and "/BB-CTĐ" in text
    assert "Số phiếu phát ra: 7; số phiếu thu về: 7; số phiếu hợp lệ: 7" in text
    assert re.search(r"\n\d+\n\d{1,3}(,\d)?%\n", text)  # a candidate's votes and share


def test_the_pledge_is_signed_by_each_leader_by_name(texts: dict[str, str]) -> None:
    text = texts["pledge"]
    assert text.count("GIÁM ĐỐC") == 7
    assert "Nông Văn Hải" in text and "Lê Hồng Minh" in text
    assert "Giao ước thi đua năm 2016" not in text  # the kind is not repeated as the summary
    assert "Số:       /CTĐ" in text


def test_the_news_item_has_no_official_header(texts: dict[str, str]) -> None:
    text = texts["news"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text and "Số:" not in text


def test_the_awards_say_who_grants_them(texts: dict[str, str]) -> None:
    text = texts["report"]
    assert "Cờ thi đua của Bộ Kế hoạch và Đầu tư" in text
    assert "Bằng khen của Bộ trưởng Bộ Kế hoạch và Đầu tư" in text
    assert "phong trào “Phong trào" not in text


def test_ballot_papers_are_all_alike_and_worded_alike(texts: dict[str, str]) -> None:
    ballots = [text for name, text in texts.items() if name.startswith("ballots-")]
    assert ballots
    for text in ballots:
        assert "Phiếu số" not in text
        rules = re.findall(r"Đánh dấu tối đa (\S+) ứng viên", text)
        assert rules and all(r.isdigit() for r in rules)


def test_the_national_report_is_issued_under_the_ministry_and_signed_by_name(
    texts: dict[str, str],
) -> None:
    lines = texts["national"].splitlines()
    ministry = lines.index("BỘ KẾ HOẠCH VÀ ĐẦU TƯ")
    assert lines[ministry + 1] == "VỤ THI ĐUA - KHEN THƯỞNG"
    assert "KT. VỤ TRƯỞNG" in lines and "PHÓ VỤ TRƯỞNG" in lines and "Lê Thị Mai" in lines
    assert "Số:       /BC-TĐKT" in lines
