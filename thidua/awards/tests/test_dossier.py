"""A nomination's dossier: its evidence files and its achievement report, read by few."""

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from thidua.award_history import actions as history
from thidua.awards import actions
from thidua.awards.evidence_files import safe_file_name
from thidua.errors import ActionRefused
from thidua.lib import docformat
from thidua.orgs.actions import do_create_organization
from thidua.orgs.models import User

from .conftest import grant, rate


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def son_la_person(proposals: Any) -> Any:
    return history.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=proposals.orgs["son_la"],
        position="Chuyên viên",
        year=proposals.year,
        acting_user=proposals.son_la_officer,
    )


@pytest.fixture
def nomination(proposals: Any, son_la_person: Any, award: Any) -> Any:
    """Sơn La's nomination: Lai Châu is a member outside both the unit and the secretariat."""
    return actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["son_la"],
        award_type=award("cstd_bo"),
        summary="Chủ trì xây dựng phần mềm theo dõi vốn đầu tư công.\n"
        "Hoàn thành xuất sắc nhiệm vụ.",
        person=son_la_person,
        clean_record=True,
        acting_user=proposals.son_la_officer,
    )


@pytest.fixture
def page(proposals: Any, nomination: Any) -> Any:
    return f"/awards/c/{proposals.cluster.slug}/2016/nominations/{nomination.pk}/"


def attach(
    world: Any,
    nomination: Any,
    name: Any = '../../etc/"bao cao".pdf',
    content: Any = b"%PDF-1.4 evidence",
) -> Any:
    return actions.do_attach_evidence(
        nomination,
        upload=SimpleUploadedFile(name, content, "text/html"),
        acting_user=world.son_la_officer,
    )


# --- evidence files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ('../../etc/"bao cao".pdf', "bao cao.pdf"),
        ("C:\\Users\\x\\minh-chung.docx", "minh-chung.docx"),
        ("a\r\nContent-Type: text/html.pdf", "html.pdf"),
        ("..", "tep-dinh-kem"),
        ("Báo cáo: năm 2016?.pdf", "Báo cáo năm 2016.pdf"),
    ],
)
def test_a_file_name_loses_folders_quotes_and_control_characters(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_evidence_is_stored_under_a_safe_name_and_a_wrong_kind_of_file_is_refused(
    proposals: Any, nomination: Any
) -> None:
    assert attach(proposals, nomination).name == "bao cao.pdf"
    with pytest.raises(ActionRefused):
        attach(proposals, nomination, name="trang.html", content=b"<script>")
    with pytest.raises(ActionRefused):
        attach(proposals, nomination, name="rong.pdf", content=b"")
    assert nomination.files.count() == 1


def test_the_page_links_evidence_through_the_checking_view_never_the_media_folder(
    as_user: Callable[[User], Client],
    proposals: Any,
    nomination: Any,
    page: Any,
    settings: Settings,
) -> None:
    evidence = attach(proposals, nomination)
    body = as_user(proposals.son_la_officer).get(page).content.decode()
    assert f"{page}files/{evidence.pk}/" in body
    assert settings.MEDIA_URL not in body
    other = as_user(proposals.lai_chau_officer).get(page).content.decode()
    assert f"{page}files/{evidence.pk}/" not in other


@pytest.mark.parametrize(
    "who", ["son_la_officer", "son_la_leader", "cao_bang_officer", "supervisor"]
)
def test_the_unit_the_secretariat_and_the_supervisor_download_the_evidence(
    as_user: Callable[[User], Client], proposals: Any, nomination: Any, page: Any, who: str
) -> None:
    evidence = attach(proposals, nomination)
    response = as_user(getattr(proposals, who)).get(f"{page}files/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao cao.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response.getvalue() == b"%PDF-1.4 evidence"


def test_another_member_gets_403_and_an_outsider_404_for_the_evidence(
    as_user: Callable[[User], Client], proposals: Any, nomination: Any, page: Any
) -> None:
    evidence = attach(proposals, nomination)
    url = f"{page}files/{evidence.pk}/"
    assert as_user(proposals.lai_chau_officer).get(url).status_code == 403
    assert as_user(proposals.outsider).get(url).status_code == 404


def test_a_file_of_another_nomination_is_not_found_through_this_one(
    as_user: Callable[[User], Client], proposals: Any, nomination: Any, page: Any, award: Any
) -> None:
    other = actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["son_la"],
        award_type=award("ldtt"),
        summary="x",
        person=nomination.person,
        acting_user=proposals.son_la_officer,
    )
    evidence = attach(proposals, other)
    response = as_user(proposals.son_la_officer).get(f"{page}files/{evidence.pk}/")
    assert response.status_code == 404


def test_a_vietnamese_file_name_is_sent_encoded(
    as_user: Callable[[User], Client], proposals: Any, nomination: Any, page: Any
) -> None:
    evidence = attach(proposals, nomination, name="Báo cáo thành tích.pdf")
    response = as_user(proposals.supervisor).get(f"{page}files/{evidence.pk}/")
    assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o" in response["Content-Disposition"]


# --- the achievement report ------------------------------------------------------------------


def _report(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    content = io.BytesIO(response.content)
    return docformat.check_format(content), docformat.document_text(io.BytesIO(response.content))


def test_the_achievement_report_of_a_person_states_the_nominee_the_award_and_the_history(
    as_user: Callable[[User], Client],
    proposals: Any,
    nomination: Any,
    page: Any,
    son_la_person: Any,
) -> None:
    for year in (2014, 2015, 2016):
        grant(proposals, "cstdcs", year, person=son_la_person)
    rate(proposals, 2016, "htxsnv", person=son_la_person)
    history.do_record_initiative(
        son_la_person,
        title="Phần mềm theo dõi vốn đầu tư công",
        level="ministry_province",
        year=2016,
        acting_user=proposals.supervisor,
    )
    problems, text = _report(as_user(proposals.son_la_leader).get(page + "bao-cao-thanh-tich.docx"))
    assert problems == []
    for stated in (
        "SỞ KẾ HOẠCH VÀ ĐẦU TƯ TỈNH SƠN LA",
        "ỦY BAN NHÂN DÂN TỈNH SƠN LA",
        "Sơn La, ngày      tháng      năm",
        "BÁO CÁO THÀNH TÍCH",
        "Đề nghị tặng Chiến sĩ thi đua cấp bộ, ngành, tỉnh",
        "- Họ và tên: Nguyễn Thị Hòa",
        "- Năm sinh: 1980",
        "- Giới tính: Nữ",
        "- Chức vụ: Chuyên viên",
        "Chủ trì xây dựng phần mềm theo dõi vốn đầu tư công.",
        "Chiến sĩ thi đua cơ sở",
        "Số 2015/QĐ-SKHĐT ngày 15/01/2016",
        "Hoàn thành xuất sắc nhiệm vụ",
        "chưa có dữ liệu",  # 2012-2015 are not rated
        "Phần mềm theo dõi vốn đầu tư công",
        "GIÁM ĐỐC",
        "Lê Hồng Minh",
    ):
        assert stated in text, stated
    assert text.count("Chiến sĩ thi đua cơ sở") == 3


def test_the_achievement_report_of_a_collective_names_its_head_and_members(
    as_user: Callable[[User], Client], proposals: Any, award: Any
) -> None:
    office = do_create_organization(
        name="Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        parent=proposals.orgs["lai_chau"],
        acting_user=proposals.admin,
    )
    for name, title in (("Lò Văn Hùng", "Chánh Văn phòng"), ("Lò Thị Mai", "Chuyên viên")):
        history.do_register_person(
            full_name=name,
            birth_year=1980,
            gender="male",
            unit=office,
            position=title,
            since=dt.date(2012, 1, 1),
            year=proposals.year,
            acting_user=proposals.lai_chau_officer,
        )
    grant(proposals, "tt_ldtt", 2015, organization=office)
    nomination = actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["lai_chau"],
        award_type=award("tt_ldxs"),
        summary="Tham mưu tốt.",
        collective=office,
        acting_user=proposals.lai_chau_officer,
    )
    url = f"/awards/c/{proposals.cluster.slug}/2016/nominations/{nomination.pk}/"
    problems, text = _report(as_user(proposals.supervisor).get(url + "bao-cao-thanh-tich.docx"))
    assert problems == []
    for stated in (
        "Đề nghị tặng Tập thể lao động xuất sắc",
        "- Tên đơn vị: Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        "- Người đứng đầu: Lò Văn Hùng",
        "- Số lượng thành viên: 2",
        "Tập thể lao động tiên tiến",
    ):
        assert stated in text, stated
    assert "IV. SÁNG KIẾN" not in text


def test_the_achievement_report_of_a_collective_without_a_recorded_head_leaves_the_line_out(
    as_user: Callable[[User], Client], proposals: Any, award: Any
) -> None:
    division = do_create_organization(
        name="Phòng Tổng hợp, Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        parent=proposals.orgs["lai_chau"],
        acting_user=proposals.admin,
    )
    nomination = actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["lai_chau"],
        award_type=award("tt_ldxs"),
        summary="Tham mưu tốt.",
        collective=division,
        acting_user=proposals.lai_chau_officer,
    )
    url = f"/awards/c/{proposals.cluster.slug}/2016/nominations/{nomination.pk}/"
    problems, text = _report(as_user(proposals.supervisor).get(url + "bao-cao-thanh-tich.docx"))
    assert problems == []
    assert "- Tên đơn vị: Phòng Tổng hợp, Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in text
    assert "Người đứng đầu" not in text
    assert "- Số lượng thành viên: 0" in text


def test_the_report_link_is_on_the_page_and_another_member_gets_403_an_outsider_404(
    as_user: Callable[[User], Client], proposals: Any, nomination: Any, page: Any
) -> None:
    assert (
        "bao-cao-thanh-tich.docx" in as_user(proposals.cao_bang_officer).get(page).content.decode()
    )
    assert (
        "bao-cao-thanh-tich.docx"
        not in as_user(proposals.lai_chau_officer).get(page).content.decode()
    )
    url = page + "bao-cao-thanh-tich.docx"
    assert as_user(proposals.lai_chau_officer).get(url).status_code == 403
    assert as_user(proposals.outsider).get(url).status_code == 404
