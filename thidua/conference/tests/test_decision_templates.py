"""The decision and its certificates through the deciding authority's own Word templates, and
the certificates of a batch of any size as one PDF for the print shop (a background job past
the page's batch): uploaded through the documents page, read back as .docx and as pages."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from docx import Document
from docx.shared import Pt
from pypdf import PdfReader
from pytest_django import DjangoCaptureOnCommitCallbacks

from thidua.award_history.models import AwardRecord, Decision
from thidua.awards import documents as award_documents
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.tests.conftest import award as award
from thidua.awards.tests.conftest import lai_chau_person as lai_chau_person
from thidua.awards.tests.conftest import office as office
from thidua.awards.tests.conftest import proposals as proposals
from thidua.awards.tests.test_decision_documents import LONG_NAME, approved, decide
from thidua.conference.models import DocumentTemplate
from thidua.jobs.models import Job
from thidua.jobs.tests.test_jobs import run_queued
from thidua.lib import docformat, pdf
from thidua.testing.pdfpages import MM, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(proposals: Any, lai_chau_person: Any, office: Any, award: Any) -> Any:
    # A transactional test before this one (in the same process) may have flushed the
    # catalogue that awards' migration wrote.
    ensure_catalogue()
    unit = proposals.orgs["lai_chau"]
    approved(proposals, unit, award("bk_bo"), person=lai_chau_person)
    approved(proposals, unit, award("bk_bo_tt"), collective=office)
    approved(proposals, unit, award("cstd_bo"), person=lai_chau_person)
    return proposals


@pytest.fixture
def soffice() -> Iterator[str]:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("THIDUA_SKIP_PDF_TESTS") == "1":
            pytest.skip("LibreOffice is not installed and THIDUA_SKIP_PDF_TESTS=1")
        pytest.fail("LibreOffice (soffice) is not installed: run scripts/bootstrap.sh as root")
    with override_settings(THIDUA_SOFFICE=found, THIDUA_PDF_SERVER=""):
        yield found


def word_file(*lines: str, size: float = 14) -> bytes:
    """A Word file whose paragraphs are `lines` (a Jinja tag stays in one run, as Word keeps
    a tag typed at once)."""
    document = Document()
    for line in lines:
        run = document.add_paragraph().add_run(line)
        run.font.size = Pt(size)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DECISION_TEMPLATE = (
    "{{ authority_line }}",
    "Số: {{ number }}",
    "{{ place_date }}",
    "QUYẾT ĐỊNH {{ summary }}",
    "{%p for basis in bases %}",
    "{{ basis }}",
    "{%p endfor %}",
    "{%p for a in awards %}",
    "Danh hiệu: {{ a.name }}",
    "{%p for c in a.collectives %}",
    "Tập thể {{ c.number }}. {{ c.name }}",
    "{%p endfor %}",
    "{%p for p in a.individuals %}",
    "Cá nhân {{ p.number }}. {{ p.name }} - {{ p.position }} - {{ p.unit }}",
    "{%p endfor %}",
    "{%p endfor %}",
    "{{ signer_title|upper }}",
    "{{ signer_name }}",
)


def upload(client: Any, world: Any, kind: str, data: bytes, name: str = "mau.docx") -> Any:
    file = io.BytesIO(data)
    file.name = name
    url = reverse("conference:documents", kwargs={"slug": world.cluster.slug, "year": 2016})
    return client.post(url, {"kind": kind, "file": file})


def text_of(docx: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


def test_the_decision_prints_through_the_deciding_authoritys_template(
    client: Client, granted: Any, soffice: str
) -> None:
    decision = decide(granted)
    client.force_login(granted.supervisor)
    response = upload(client, granted, "decision", word_file(*DECISION_TEMPLATE))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DocumentTemplate.objects.get().kind == "decision"
    kwargs = {"slug": granted.year.cluster.slug, "year": 2016, "pk": decision.pk}
    docx = client.get(reverse("awards:decision_document", kwargs=kwargs)).content
    text = text_of(docx)
    assert "Số: 1/QĐ-BKHĐT" in text
    assert "Hà Nội, ngày 10 tháng 4 năm 2017" in text
    assert "BỘ TRƯỞNG BỘ KẾ HOẠCH VÀ ĐẦU TƯ" in text
    assert "Tập thể 1. Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in text
    assert "Cá nhân 1. Nguyễn Thị Hòa - Chuyên viên - " in text
    assert "{{" not in text and "{%" not in text
    # The same file through the documents page, and as pages.
    url = reverse(
        "conference:download",
        kwargs={"slug": granted.cluster.slug, "year": 2016, "kind": "decision"},
    )
    assert text_of(client.get(url).content) == text
    pages = read(pdf.pdf_of(docx))
    printed = "\n".join(line.text for page in pages for line in page.lines)
    assert "Số: 1/QĐ-BKHĐT" in printed and "Nguyễn Chí Dũng" in printed
    # Back to thidua's own layout: the decree's letterhead again.
    reset = reverse(
        "conference:template_reset",
        kwargs={"slug": granted.cluster.slug, "year": 2016, "kind": "decision"},
    )
    assert client.post(reset).status_code == 302
    again = client.get(reverse("awards:decision_document", kwargs=kwargs)).content
    assert docformat.NATIONAL_TITLE in docformat.document_text(io.BytesIO(again))


@pytest.mark.parametrize(
    ("lines", "named"),
    [
        # A required placeholder missing, named.
        (DECISION_TEMPLATE[:-1], "bắt buộc phải có: signer_name."),
        ((*DECISION_TEMPLATE, "{{ number "), "Mẫu có trường dữ liệu viết sai ở dòng"),
        ((*DECISION_TEMPLATE, "{{ signer_phone }}"), "thidua không biết: signer_phone."),
        ((*DECISION_TEMPLATE, "{% macro x() %}x{% endmacro %}"), "Mẫu có định nghĩa macro"),
    ],
)
def test_a_broken_decision_template_is_refused_with_what_is_wrong(
    client: Client, granted: Any, lines: Any, named: str
) -> None:
    client.force_login(granted.supervisor)
    response = upload(client, granted, "decision", word_file(*lines))
    assert response.status_code == 400
    assert named in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_a_certificate_template_must_name_the_holder_the_decision_and_its_signer(
    client: Client, granted: Any
) -> None:
    client.force_login(granted.supervisor)
    response = upload(client, granted, "certificates", word_file("{{ name }}", "{{ award }}"))
    assert response.status_code == 400
    assert "bắt buộc phải có: number, signer_name." in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_only_the_deciding_authority_changes_the_decisions_templates(
    client: Client, granted: Any
) -> None:
    client.force_login(granted.son_la_officer)  # the secretariat: the conference's documents
    response = upload(client, granted, "decision", word_file(*DECISION_TEMPLATE))
    assert response.status_code == 400  # not among the kinds it may change
    assert not DocumentTemplate.objects.exists()
    page = client.get(
        reverse("conference:documents", kwargs={"slug": granted.cluster.slug, "year": 2016})
    ).content.decode()
    assert 'value="decision"' not in page
    client.force_login(granted.lai_chau_officer)
    assert upload(client, granted, "decision", word_file(*DECISION_TEMPLATE)).status_code == 403


CERTIFICATE_TEMPLATE = (
    "{{ authority_line }}",
    "TẶNG",
    "{{ award|upper }}",
    "{{ name }}",
    "{{ position }}, {{ unit }}",
    "Quyết định số {{ number }}, {{ date }}",
    "{{ signer_title|upper }}",
    "{{ signer_name }}",
)


def test_certificates_print_through_the_template_one_page_each_and_a_long_name_shrinks(
    client: Client, granted: Any, office: Any, soffice: str
) -> None:
    office.name = LONG_NAME
    office.save()
    decision = decide(granted)
    client.force_login(granted.supervisor)
    response = upload(client, granted, "certificates", word_file(*CERTIFICATE_TEMPLATE, size=28))
    assert response.status_code == 302, response.content.decode()[:2000]
    docx = award_documents.certificates(decision)
    document = Document(io.BytesIO(docx))
    names = [p for p in document.paragraphs if p.text in {LONG_NAME, "Nguyễn Thị Hòa"}]
    assert len(names) == 3
    sizes = {p.text: (p.runs[0].font.size or Pt(0)).pt for p in names}
    assert sizes["Nguyễn Thị Hòa"] == 28 and sizes[LONG_NAME] < 28
    assert "@@" not in "\n".join(p.text for p in document.paragraphs)
    pages = read(award_documents.certificates_pdf(decision))
    assert len(pages) == 3  # each certificate on one page
    section = document.sections[0]
    right_edge = (int(section.page_width or 0) - int(section.right_margin or 0)) / 12700
    for page in pages:
        text = " ".join(line.text for line in page.lines)
        assert "Quyết định số 1/QĐ-BKHĐT, ngày 10 tháng 4 năm 2017" in text
        assert "BẰNG KHEN" in text or "CHIẾN SĨ THI ĐUA" in text  # `award|upper`
        assert "Nguyễn Chí Dũng" in text
        for line in page.lines:
            assert line.x1 <= right_edge + 2, line.text


def test_a_big_batch_is_printed_in_parts_joined_in_order(
    granted: Any, soffice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision = decide(granted)
    monkeypatch.setattr(award_documents, "PDF_CHUNK", 2)
    told: list[tuple[int, int]] = []
    data = award_documents.certificates_pdf(decision, progress=lambda d, t: told.append((d, t)))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    expected = [h.name for h in award_documents.holders(decision)]
    printed = [page.extract_text() for page in reader.pages]
    assert all(name in text for name, text in zip(expected, printed, strict=True))
    assert told == [(0, 3), (2, 3), (3, 3)]
    a3 = PdfReader(
        io.BytesIO(award_documents.certificates_pdf(decision, paper=award_documents.PAPERS["a3"]))
    )
    width, height = a3.pages[0].mediabox.width, a3.pages[0].mediabox.height
    assert abs(float(width) / MM - 420) < 1 and abs(float(height) / MM - 297) < 1


def test_the_certificates_job_makes_one_pdf_to_download(
    client: Client,
    granted: Any,
    soffice: str,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    decision = decide(granted)
    kwargs = {"slug": granted.cluster.slug, "year": 2016, "pk": decision.pk}
    client.force_login(granted.supervisor)
    monkeypatch.setattr(award_documents, "PAGE_BATCH", 2)
    # Past the page's batch, the page sends the user to the background job.
    refused = client.get(reverse("awards:certificates", kwargs=kwargs), follow=True)
    assert "Quyết định khen thưởng hơn 2 tập thể, cá nhân" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("awards:certificates_job", kwargs=kwargs), {"paper": "a4"})
    job = Job.objects.get()
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    job = run_queued(job)
    assert job.status == Job.Status.DONE, job.message
    assert (job.done, job.total) == (3, 3)
    assert "1/QĐ-BKHĐT" in job.message
    download = client.get(f"/awards/jobs/{job.pk}/file/")
    reader = PdfReader(io.BytesIO(download.getvalue()))
    assert len(reader.pages) == 3
    # Another user cannot see the job, nor start one for a decision not theirs.
    client.force_login(granted.lai_chau_officer)
    assert client.get(f"/awards/jobs/{job.pk}/").status_code == 404
    assert client.post(reverse("awards:certificates_job", kwargs=kwargs)).status_code == 403
    assert Job.objects.count() == 1


def test_no_certificates_job_for_a_decision_granting_no_one(client: Client, granted: Any) -> None:
    decision = decide(granted)
    AwardRecord.objects.filter(decision=decision).update(decision=None)
    client.force_login(granted.supervisor)
    kwargs = {"slug": granted.cluster.slug, "year": 2016, "pk": decision.pk}
    response = client.post(reverse("awards:certificates_job", kwargs=kwargs), follow=True)
    assert "Quyết định không khen thưởng tập thể, cá nhân nào" in response.content.decode()
    assert not Job.objects.exists()
    assert Decision.objects.count() == 1


def test_the_command_prints_the_certificates_as_one_pdf_with_a_bar(
    granted: Any, soffice: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decide(granted)
    target = tmp_path / "bang-khen.pdf"
    call_command(
        "export_document", "certificates", "--cluster", granted.cluster.slug, "--year", "2016",
        "--output", str(target),
    )  # fmt: skip
    assert len(PdfReader(target).pages) == 3
    assert "3/3" in capsys.readouterr().err


def test_the_starter_templates_upload_as_they_are_and_print_the_decision(
    client: Client, granted: Any, soffice: str
) -> None:
    decision = decide(granted)
    client.force_login(granted.supervisor)
    starter = reverse("conference:starter", kwargs={"slug": granted.cluster.slug, "year": 2016})
    for kind in ("decision", "certificates"):
        template = client.get(f"{starter}?kind={kind}").content
        response = upload(client, granted, kind, template, f"{kind}.docx")
        assert response.status_code == 302, response.content.decode()[:3000]
    text = docformat.document_text(io.BytesIO(award_documents.decision_document(decision)))
    assert "Số: 1/QĐ-BKHĐT" in text and "Hà Nội, ngày 10 tháng 4 năm 2017" in text
    assert "1. Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in text
    assert "{{" not in text and "{%" not in text
    pages = read(award_documents.certificates_pdf(decision))
    assert len(pages) == 3
    printed = [" ".join(line.text for line in page.lines) for page in pages]
    assert all("Quyết định số 1/QĐ-BKHĐT, ngày 10 tháng 4 năm 2017" in p for p in printed)
    assert any("Chuyên viên, Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in p for p in printed)
    assert not any("@@" in p or "{{" in p for p in printed)
    # A unit officer gets no decision's template.
    client.force_login(granted.lai_chau_officer)
    assert client.get(f"{starter}?kind=decision").status_code == 403
