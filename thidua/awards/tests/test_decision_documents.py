"""A decision as an awards office makes it: within the authority's competence, numbered in the
issuer's register, issued as a Quyết định khen thưởng with its attached list, and printed as
one certificate page per holder."""

import datetime as dt
import io
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from docx import Document

from thidua.award_history import actions as history
from thidua.award_history.models import AwardRecord, AwardType, Decision
from thidua.awards import actions, documents, rules
from thidua.awards.models import Nomination
from thidua.errors import ActionRefused
from thidua.lib import docformat, pdf
from thidua.testing.pdfpages import MM, read
from thidua.testing.personas import build_world

from .conftest import to_proposals
from .test_nominations import compiled

ISSUER = "Bộ Kế hoạch và Đầu tư"
LONG_NAME = " ".join(["Nguyễn Thị Phương Thảo Hoàng"] * 8)[:200]


def approved(
    world: Any, unit: Any, award: Any, *, person: Any = None, collective: Any = None
) -> Any:
    nomination = actions.do_draft_nomination(
        world.year,
        unit=unit,
        award_type=award,
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=person,
        collective=collective,
        acting_user=world.lai_chau_officer,
    )
    compiled(world, nomination)
    return actions.do_approve_nomination(nomination, acting_user=world.supervisor)


def decide(world: Any, **given: Any) -> Any:
    return actions.do_record_decision(
        world.year,
        date=given.pop("date", dt.date(2017, 4, 10)),
        place="Hà Nội",
        issuer_name=ISSUER,
        signer_title=given.pop("signer_title", "Bộ trưởng"),
        signer_name="Nguyễn Chí Dũng",
        acting_user=world.supervisor,
        **given,
    )


@pytest.fixture
def granted(proposals: Any, lai_chau_person: Any, office: Any, award: Any) -> Any:
    unit = proposals.orgs["lai_chau"]
    approved(proposals, unit, award("bk_bo"), person=lai_chau_person)
    approved(proposals, unit, award("bk_bo_tt"), collective=office)
    approved(proposals, unit, award("cstd_bo"), person=lai_chau_person)
    return proposals


def test_competence_is_data_by_level() -> None:
    assert rules.decides("minister", "ministry_province")
    assert not rules.decides("minister", "prime_minister")
    assert not rules.decides("minister", "grassroots")
    assert rules.decides("agency_head", "grassroots")
    assert not rules.decides("agency_head", "president")
    levels = {1: "ministry_province", 2: "prime_minister", 3: "president"}
    assert rules.outside_competence("minister", levels) == [2, 3]
    assert rules.decided_by("grassroots") == "agency_head"
    assert rules.decided_by("president") is None


def test_register_numbers() -> None:
    assert rules.next_sequence([]) == 1
    assert rules.next_sequence([3, 1, 2]) == 4
    assert rules.decision_number(15, "BKHĐT") == "15/QĐ-BKHĐT"
    assert rules.sequence_of("15/QĐ-BKHĐT") == 15
    assert rules.sequence_of("QĐ-15") is None


def test_the_register_numbers_decisions_and_refuses_a_used_number(
    granted: Any, lai_chau_person: Any, award: Any
) -> None:
    first = decide(granted)
    assert (first.number, first.sequence) == ("1/QĐ-BKHĐT", 1)
    assert AwardRecord.objects.filter(decision=first).count() == 3
    approved(
        granted, granted.orgs["lai_chau"], award("bk_bo_tt"), collective=granted.orgs["lai_chau"]
    )
    with pytest.raises(ActionRefused) as refused:
        decide(granted, number="1/QĐ-BKHĐT")
    assert refused.value.kind == "duplicate"
    assert "1/QĐ-BKHĐT" in str(refused.value)
    assert Decision.objects.count() == 1
    second = decide(granted)
    assert second.number == "2/QĐ-BKHĐT"
    # A new year opens a new register.
    assert actions.proposed_number(ISSUER, dt.date(2018, 1, 5)) == "1/QĐ-BKHĐT"


def test_a_state_level_award_is_not_the_ministers_to_decide(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    nomination = approved(
        proposals, proposals.orgs["lai_chau"], award("bk_ttg"), person=lai_chau_person
    )
    with pytest.raises(ActionRefused) as refused:
        decide(proposals)
    assert "Bằng khen của Thủ tướng Chính phủ" in str(refused.value)
    with pytest.raises(ActionRefused):
        decide(proposals, nominations=[nomination])
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPROVED
    assert not Decision.objects.exists() and not AwardRecord.objects.exists()


def test_a_grassroots_award_is_the_agency_heads_to_decide(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    nomination = approved(
        proposals, proposals.orgs["lai_chau"], award("ldtt"), person=lai_chau_person
    )
    with pytest.raises(ActionRefused) as refused:
        decide(proposals)
    assert "thủ trưởng cơ quan" in str(refused.value)
    decision = decide(proposals, authority="agency_head", signer_title="Giám đốc")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.DECIDED
    assert decision.authority == "agency_head"


def test_the_minister_decides_only_what_is_his_and_leaves_the_rest(
    granted: Any, lai_chau_person: Any, award: Any
) -> None:
    national = approved(granted, granted.orgs["lai_chau"], award("cstd_tq"), person=lai_chau_person)
    decision = decide(granted)
    assert AwardRecord.objects.filter(decision=decision).count() == 3
    national.refresh_from_db()
    assert national.status == Nomination.Status.APPROVED


def test_the_decision_document_reads_as_a_decree_30_decision(granted: Any) -> None:
    decision = decide(granted)
    content = documents.decision_document(decision)
    assert docformat.check_format(io.BytesIO(content)) == []
    text = docformat.document_text(io.BytesIO(content))
    for expected in (
        "Số: 1/QĐ-BKHĐT",
        "Hà Nội, ngày 10 tháng 4 năm 2017",
        "QUYẾT ĐỊNH",
        "Về việc khen thưởng năm 2016",
        "BỘ TRƯỞNG BỘ KẾ HOẠCH VÀ ĐẦU TƯ",
        "QUYẾT ĐỊNH:",
        "Điều 1.",
        "Điều 2.",
        "Điều 3.",
        "Nơi nhận:",
        "Nguyễn Chí Dũng",
        "DANH SÁCH",
        "(Kèm theo Quyết định số 1/QĐ-BKHĐT ngày 10 tháng 4 năm 2017",
    ):
        assert expected in text, expected
    # Before the 2022 law was in force, no article of it is cited.
    assert "06/2022" not in text
    document = Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.text[:3] in ("I. ", "II.", "III")]
    # Each award named as the Minister grants it; his Bằng khen to a collective and to a
    # person is one award: its collectives, then its individuals.
    assert headings == [
        "I. Chiến sĩ thi đua cấp bộ",
        "II. Bằng khen của Bộ trưởng Bộ Kế hoạch và Đầu tư",
    ]
    assert "Chủ tịch Ủy ban nhân dân tỉnh" not in text and "ngành, tỉnh" not in text
    collectives, individuals = document.tables[-2:]
    assert [c.text for c in individuals.rows[0].cells] == [
        "STT",
        "Họ và tên",
        "Chức vụ, đơn vị công tác",
    ]
    assert [c.text for c in individuals.rows[1].cells] == [
        "1",
        "Nguyễn Thị Hòa",
        "Chuyên viên, Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
    ]
    assert [c.text for c in collectives.rows[1].cells] == [
        "1",
        "Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
    ]
    assert text.index("1. Tập thể") < text.index("2. Cá nhân")
    for word in ("individual", "collective", "ministry_province", "minister", "grassroots"):
        assert word not in text


def test_the_law_of_2022_is_cited_from_2024() -> None:
    assert "06/2022/QH15" in documents.legal_bases(dt.date(2024, 3, 1))[0]
    assert "152/2025/NĐ-CP" in documents.legal_bases(dt.date(2025, 8, 1))[1]


def test_a_certificate_name_200_characters_long_shrinks_to_fit() -> None:
    width = documents.PAPERS["a4"].width_mm - 2 * documents.PAPERS["a4"].margin_mm
    assert len(LONG_NAME) == 200
    size = docformat.fitting_size(LONG_NAME, width, largest=26, smallest=10, lines=2)
    assert size < 26
    assert docformat.fitting_size("Nguyễn Thị Hòa", width, largest=26, smallest=10, lines=2) == 26


@pytest.fixture
def soffice() -> Iterator[Any]:
    """The installed LibreOffice, turned on for PDF copies (the test settings turn it off)."""
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("THIDUA_SKIP_PDF_TESTS") == "1":
            pytest.skip("LibreOffice is not installed and THIDUA_SKIP_PDF_TESTS=1")
        pytest.fail("LibreOffice (soffice) is not installed: run scripts/bootstrap.sh as root")
    with override_settings(THIDUA_SOFFICE=found, THIDUA_PDF_SERVER=""):
        yield found


def test_certificates_print_one_page_per_holder_and_a_long_name_fits(
    soffice: Any, granted: Any, office: Any
) -> None:
    # A person's name holds 150 characters at most; a collective's 255.
    office.name = LONG_NAME
    office.save()
    decision = decide(granted)
    pages = read(pdf.pdf_of(documents.certificates(decision)))
    assert len(pages) == 3  # one a holder
    margin = documents.PAPERS["a4"].margin_mm * MM
    for page in pages:
        assert page.width > page.height  # A4 landscape
        text = "\n".join(line.text for line in page.lines)
        assert "Quyết định số 1/QĐ-BKHĐT, ngày 10 tháng 4 năm 2017" in text
        assert "Nguyễn Chí Dũng" in text
        for line in page.lines:
            assert margin - 2 <= line.x0 and line.x1 <= page.width - margin + 2, line.text
    names = [
        "".join(line.text for line in page.lines if "Phương Thảo" in line.text) for page in pages
    ]
    assert [name.replace(" ", "") for name in names if name] == [LONG_NAME.replace(" ", "")]
    assert sum("Nguyễn Thị Hòa" in "\n".join(line.text for line in p.lines) for p in pages) == 2
    # A title is granted as a title; a form is named without its grantor, who heads the page.
    for page in pages:
        text = "\n".join(line.text for line in page.lines)
        if "CHIẾN SĨ THI ĐUA CẤP BỘ" in text:
            assert "TẶNG DANH HIỆU" in text
        else:
            assert "\nBẰNG KHEN\n" in text and "TẶNG DANH HIỆU" not in text
        assert "BỘ TRƯỞNG BỘ KẾ HOẠCH VÀ ĐẦU TƯ" in text and "NGÀNH, TỈNH" not in text


def test_an_award_is_named_as_its_issuer_grants_it() -> None:
    minister = "Bằng khen của Bộ trưởng, Chủ tịch Ủy ban nhân dân tỉnh"
    province = "Ủy ban nhân dân tỉnh Sơn La"
    assert documents.issued_name(minister, "Bộ Tài chính") == "Bằng khen của Bộ trưởng Bộ Tài chính"
    assert documents.issued_name(f"{minister} cho tập thể", province) == (
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh Sơn La"
    )
    assert documents.issued_name("Cờ thi đua của bộ, ngành, tỉnh", "Bộ Tài chính") == (
        "Cờ thi đua của Bộ Tài chính"
    )
    assert documents.issued_name("Chiến sĩ thi đua cấp bộ, ngành, tỉnh", province) == (
        "Chiến sĩ thi đua cấp tỉnh"
    )
    # Neither a ministry nor a province: the catalogue's words stay, never a wrong grantor.
    assert documents.issued_name(minister, "Ngân hàng Nhà nước Việt Nam") == minister
    assert documents.issued_name("Giấy khen", "Bộ Tài chính") == "Giấy khen"


def test_no_holder_no_certificates(granted: Any) -> None:
    decision = decide(granted)
    AwardRecord.objects.filter(decision=decision).update(decision=None)
    with pytest.raises(ActionRefused) as refused:
        documents.certificates(decision)
    assert refused.value.kind == "nothing"


def test_only_the_deciding_authority_downloads_a_decisions_documents(
    client: Client, granted: Any
) -> None:
    decision = decide(granted)
    kwargs = {"slug": granted.year.cluster.slug, "year": 2016, "pk": decision.pk}
    url = reverse("awards:decision_document", kwargs=kwargs)
    client.force_login(granted.supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    batch = client.get(reverse("awards:certificates_document", kwargs=kwargs))
    assert batch.status_code == 200
    assert len(Document(io.BytesIO(batch.content)).sections) == 1  # one document, 3 pages
    client.force_login(granted.lai_chau_officer)
    assert client.get(url).status_code == 403
    assert client.get(reverse("awards:certificates", kwargs=kwargs)).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_get_different_numbers() -> None:
    """The register's next number is read under the year's lock: a race cannot share it."""
    world = to_proposals(build_world())
    person = history.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        position="Chuyên viên",
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    unit = world.orgs["lai_chau"]
    both = [
        approved(world, unit, AwardType.objects.get(code="bk_bo"), person=person),
        approved(world, unit, AwardType.objects.get(code="bk_bo_tt"), collective=unit),
    ]
    start = threading.Barrier(2)
    numbers: list[str] = []

    def record(nomination: Any) -> None:
        try:
            start.wait()
            numbers.append(decide(world, nominations=[nomination]).number)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(n,)) for n in both]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == ["1/QĐ-BKHĐT", "2/QĐ-BKHĐT"]
    assert set(Decision.objects.values_list("sequence", flat=True)) == {1, 2}


def test_the_command_exports_a_decision_and_refuses_certificates_of_no_one(
    granted: Any, tmp_path: Path
) -> None:
    decision = decide(granted)
    target = tmp_path / "qd.docx"
    call_command(
        "export_document",
        "decision",
        "--cluster",
        granted.year.cluster.slug,
        "--year",
        "2016",
        "--decision",
        decision.number,
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    assert "Số: 1/QĐ-BKHĐT" in docformat.document_text(target)
    AwardRecord.objects.filter(decision=decision).update(decision=None)
    with pytest.raises(CommandError):
        call_command(
            "export_document",
            "certificates",
            "--cluster",
            granted.year.cluster.slug,
            "--year",
            "2016",
            "--output",
            str(tmp_path / "cn.docx"),
        )
    assert not (tmp_path / "cn.docx").exists()


def test_the_decision_and_certificates_print_no_stored_code_and_no_english_word(
    granted: Any,
) -> None:
    from thidua.conference.tests.test_document_words import ENGLISH, _words, choice_values

    decision = decide(granted)
    codes = choice_values()
    for data in (documents.decision_document(decision), documents.certificates(decision)):
        text = docformat.document_text(io.BytesIO(data))
        assert sorted({w for w in _words(text) if w in codes or w.lower() in ENGLISH}) == []
