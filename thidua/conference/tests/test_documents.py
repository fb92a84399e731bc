"""Every document in the state format, read back from the file; users' Word templates."""

import io
import shutil
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from docx import Document
from pytest_django import Settings

from thidua.audit.models import AuditEntry
from thidua.conference import actions, content, documents, dossier
from thidua.conference.models import DocumentKind, DocumentTemplate, Report
from thidua.conference.reads import load
from thidua.errors import ActionRefused
from thidua.lib import pdf
from thidua.lib.docformat import check_format, document_text
from thidua.testing.personas import World

from .conftest import FACTS

KINDS = [k.value for k in DocumentKind]


@pytest.fixture
def dossier_world(at_conference: World, stated_facts: Callable[[dict[str, Any]], None]) -> Any:
    stated_facts(FACTS)
    draft = actions.do_generate_report(at_conference.year, acting_user=at_conference.son_la_officer)
    actions.do_comment(
        draft,
        section="directions",
        kind="addition",
        text="Bổ sung cải cách.",
        acting_user=at_conference.cao_bang_leader,
    )
    return at_conference


def _text(data: bytes) -> str:
    return document_text(io.BytesIO(data))


@pytest.mark.parametrize("kind", KINDS)
def test_each_document_opens_and_follows_the_state_format(dossier_world: Any, kind: Any) -> None:
    data = dossier.build(dossier_world.year, kind)
    Document(io.BytesIO(data))  # python-docx opens it
    text = _text(data)
    if kind == "news":  # a news item is no administrative document: no state header
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text
        return
    assert check_format(io.BytesIO(data)) == []
    assert "CỤM THI ĐUA SỞ KH&ĐT CÁC TỈNH MIỀN NÚI BIÊN GIỚI PHÍA BẮC" in text


def test_the_report_file_is_the_latest_version(dossier_world: Any) -> None:
    world = dossier_world
    report = Report.objects.get(year=world.year)
    actions.do_revise_report(
        report,
        texts={"directions": "Phương hướng đã sửa."},
        note="x",
        based_on=1,
        acting_user=world.son_la_officer,
    )
    text = _text(dossier.build(world.year, "report"))
    assert "Phương hướng đã sửa." in text
    assert "BÁO CÁO" in text and "TM. CỤM THI ĐUA" in text


def test_the_minutes_state_the_attendees_the_discussion_and_the_votes(dossier_world: Any) -> None:
    text = _text(dossier.build(dossier_world.year, "minutes"))
    assert "BIÊN BẢN" in text
    assert "Lê Thị Mai" in text and "Phó Vụ trưởng" in text
    assert "ngày 11 và 12 tháng 3 năm 2017" in text
    assert "đề nghị tặng Cờ thi đua cho Sở Kế hoạch và Đầu tư tỉnh Sơn La" in text  # voting.flag
    assert "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng" in text  # who commented


def test_the_proposal_lists_the_nominees_of_each_award_sent_up(dossier_world: Any) -> None:
    story = replace(
        load(dossier_world.year),
        minister="Bộ trưởng Bộ Kế hoạch và Đầu tư",
        proposals=(
            content.AwardProposal(
                award="Lao động tiên tiến",
                grassroots=True,
                nominees=(
                    content.Nominee("Trần Văn Bình", False, "Sở KH&ĐT Lai Châu", "eligible"),
                ),
            ),
            content.AwardProposal(
                award="Bằng khen của Bộ trưởng",
                grassroots=False,
                nominees=(
                    content.Nominee("Nguyễn Văn An", False, "Chuyên viên, Sở KH&ĐT", "eligible"),
                    content.Nominee("Phòng Tổng hợp", True, "Sở KH&ĐT Sơn La", "needs_review"),
                    content.Nominee("Lê Văn Cường", False, "Sở KH&ĐT Lai Châu", "not_eligible"),
                ),
            ),
        ),
    )
    text = _text(documents.render(content.proposal_document(story), story))
    assert "TỜ TRÌNH" in text and "Kính gửi: Bộ trưởng Bộ Kế hoạch và Đầu tư" in text
    assert "Bằng khen của Bộ trưởng: 1 tập thể và 1 cá nhân." in text  # the list's last item
    assert "Nguyễn Văn An" in text and "Phòng Tổng hợp" in text
    assert "Cần xem xét thêm" in text
    assert "Lê Văn Cường" not in text  # judged not eligible: not sent up
    assert "Lao động tiên tiến" not in text and "Trần Văn Bình" not in text  # grassroots
    assert "1 trường hợp chưa đủ tiêu chuẩn" in text


def test_the_pledge_lists_each_signature(dossier_world: Any) -> None:
    text = _text(dossier.build(dossier_world.year, "pledge"))
    assert "GIAO ƯỚC THI ĐUA\nNăm 2016" in text  # the kind, then the rest of the title
    assert "Đẩy mạnh cải cách hành chính." in text
    assert "SỞ KẾ HOẠCH VÀ ĐẦU TƯ TỈNH SƠN LA\nGIÁM ĐỐC" in text
    assert "Lê Hồng Minh" in text


def test_the_minutes_are_refused_before_the_conference_is_recorded(world: World) -> None:
    from .conftest import to_phase

    to_phase(world, "conference")
    with pytest.raises(ActionRefused):
        dossier.build(world.year, "minutes")


def test_every_document_converts_to_pdf_where_libreoffice_is_installed(
    dossier_world: Any, settings: Settings
) -> None:
    """With soffice on PATH each file converts; without it thidua says so (None), never fails."""
    settings.THIDUA_SOFFICE = None  # looked up on PATH, as a server does by default
    installed = shutil.which("soffice") is not None
    assert (pdf.converter() is not None) == installed
    for kind in KINDS:
        result = pdf.to_pdf(dossier.build(dossier_world.year, kind))
        if installed:
            assert result is not None and result.startswith(b"%PDF")
        else:
            assert result is None


# --- Word templates ---------------------------------------------------------------------------


def _upload(world: Any, data: Any, kind: Any = "minutes", name: Any = "mau.docx") -> Any:
    return actions.do_upload_template(
        world.year, kind=kind, filename=name, data=data, acting_user=world.son_la_officer
    )


def _template_with(text: str) -> bytes:
    """The starter template with one more paragraph, as a user would add in Word."""
    document = Document(io.BytesIO(documents.starter_template()))
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_starter_template_is_accepted_and_then_used(dossier_world: Any) -> None:
    world = dossier_world
    _upload(world, _template_with("Mẫu riêng của cụm: {{ cluster }}, năm {{ year }}"))
    data = dossier.build(world.year, "minutes")
    assert check_format(io.BytesIO(data)) == []
    text = _text(data)
    assert (
        "Mẫu riêng của cụm: Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc, năm 2016"
        in text
    )
    assert "Lê Thị Mai" in text and "BIÊN BẢN" in text
    assert "{{" not in text and "{%" not in text


def test_a_template_with_an_unknown_placeholder_is_refused_and_the_previous_stays(
    dossier_world: Any,
) -> None:
    world = dossier_world
    kept = _upload(world, _template_with("Mẫu cũ {{ year }}"))
    with pytest.raises(ActionRefused) as refused:
        _upload(world, _template_with("{{ so_quyet_dinh }}"))
    assert "so_quyet_dinh" in refused.value.message
    assert "không biết" in refused.value.message  # in Vietnamese
    assert list(DocumentTemplate.objects.all()) == [kept]
    assert "Mẫu cũ 2016" in _text(dossier.build(world.year, "minutes"))


@pytest.mark.parametrize(
    "data",
    [b"not a word file", b"PK\x03\x04 broken zip"],
    ids=["not-docx", "damaged"],
)
def test_a_broken_file_is_refused_with_a_clear_message(dossier_world: Any, data: bytes) -> None:
    with pytest.raises(ActionRefused) as refused:
        _upload(dossier_world, data)
    assert ".docx" in refused.value.message
    assert not DocumentTemplate.objects.exists()
    assert not AuditEntry.objects.filter(action="template.upload").exists()


def test_a_template_with_a_broken_placeholder_is_refused(dossier_world: Any) -> None:
    with pytest.raises(ActionRefused) as refused:
        _upload(dossier_world, _template_with("{{ year "))
    assert refused.value.kind == "bad_template"
    assert not DocumentTemplate.objects.exists()


def test_going_back_to_the_standard_layout_keeps_the_uploaded_file(dossier_world: Any) -> None:
    world = dossier_world
    _upload(world, _template_with("Mẫu riêng {{ year }}"))
    actions.do_reset_template(world.year, kind="minutes", acting_user=world.son_la_officer)
    assert "Mẫu riêng" not in _text(dossier.build(world.year, "minutes"))
    assert DocumentTemplate.objects.filter(retired_at__isnull=False).count() == 1


def test_pdf_copies_are_off_when_thidua_soffice_is_empty(
    dossier_world: Any, settings: Settings
) -> None:
    settings.THIDUA_SOFFICE = ""
    assert pdf.converter() is None
    assert pdf.to_pdf(dossier.build(dossier_world.year, "report")) is None
