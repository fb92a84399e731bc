"""Every page of the conference with a persona allowed and one refused."""

import shutil
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoAssertNumQueries, Settings

from thidua.conference import actions, documents
from thidua.conference.models import (
    Attendee,
    Comment,
    Conference,
    DocumentTemplate,
    NewsArticle,
    Report,
    ReportVersion,
)
from thidua.orgs.models import User
from thidua.testing.personas import World

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def url(world: Any, rest: Any = "") -> Any:
    return f"{world.url}conference/{rest}"


@pytest.fixture
def drafted(at_conference: World) -> Any:
    actions.do_generate_report(at_conference.year, acting_user=at_conference.son_la_officer)
    return at_conference


# --- the conference page ----------------------------------------------------------------------


def test_a_member_sees_the_conference_and_an_outsider_gets_404(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    response = as_user(at_conference.lai_chau_officer).get(url(at_conference))
    assert response.status_code == 200
    assert "Lê Thị Mai" in response.content.decode()
    assert as_user(at_conference.outsider).get(url(at_conference)).status_code == 404


def test_the_supervisor_reads_the_conference_but_cannot_change_it(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(at_conference.supervisor)
    assert client.get(url(at_conference)).status_code == 200
    response = client.post(url(at_conference), {"venue": "x"})
    assert response.status_code == 403


def test_the_secretariat_saves_the_conference(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    world = at_conference
    data = {
        "starts_on": "2017-03-11",
        "ends_on": "2017-03-12",
        "host": world.orgs["son_la"].pk,
        "venue": "  Hội trường   Sở KH&ĐT Sơn La ",
        "agenda": "",
        "decisions": "",
        "directions": "",
    }
    response = as_user(world.son_la_officer).post(url(world), data)
    assert response.status_code == 302
    assert Conference.objects.get(year=world.year).venue == "Hội trường Sở KH&ĐT Sơn La"


def test_the_conference_form_asks_for_the_host_in_vietnamese(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    page = as_user(at_conference.son_la_officer).get(url(at_conference)).content.decode()
    assert 'data-testid="save-conference"' in page and "Chọn đơn vị" in page
    assert "---------" not in page


def test_once_the_year_is_closed_the_conference_is_shown_without_a_form_and_says_why(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    from thidua.cycle.models import EmulationYear, Phase

    world = at_conference
    client = as_user(world.son_la_officer)
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.CLOSED)
    page = client.get(url(world)).content.decode()
    assert "Năm thi đua đã kết thúc: hội nghị được giữ nguyên như đã ghi nhận." in page
    assert 'data-testid="save-conference"' not in page and "Thêm đại biểu" not in page
    assert client.post(url(world), {"venue": "x"}).status_code in (400, 409)
    assert Conference.objects.get(year=world.year).venue == "Sở Kế hoạch và Đầu tư tỉnh Sơn La"


def test_a_conference_ending_before_it_starts_is_refused_with_400(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    world = at_conference
    data = {
        "starts_on": "2017-03-12",
        "ends_on": "2017-03-11",
        "host": world.orgs["son_la"].pk,
        "venue": "x",
    }
    response = as_user(world.son_la_officer).post(url(world), data)
    assert response.status_code == 400
    assert Conference.objects.get(year=world.year).starts_on.day == 11


def test_attendees_are_added_and_removed_by_the_secretariat_only(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    world = at_conference
    data = {
        "name": "Nguyễn Văn B",
        "position": "Phó Giám đốc",
        "unit": "Sở KH&ĐT Lai Châu",
        "role": "delegate",
    }
    assert as_user(world.lai_chau_leader).post(url(world, "attendees/"), data).status_code == 403
    assert as_user(world.son_la_officer).post(url(world, "attendees/"), data).status_code == 302
    attendee = Attendee.objects.get(name="Nguyễn Văn B")
    remove = url(world, f"attendees/{attendee.pk}/remove/")
    assert as_user(world.lai_chau_leader).post(remove).status_code == 403
    assert as_user(world.son_la_officer).post(remove).status_code == 302
    assert not Attendee.objects.filter(name="Nguyễn Văn B").exists()


# --- the report -------------------------------------------------------------------------------


def test_the_report_page_shows_the_sections_and_comments_in_a_few_queries(
    drafted: Any,
    as_user: Callable[[User], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    world = drafted
    version = ReportVersion.objects.get()
    for user in (world.lai_chau_officer, world.cao_bang_leader, world.son_la_leader):
        actions.do_comment(
            version, section="cluster", kind="comment", text="Nhất trí.", acting_user=user
        )
    client = as_user(world.lai_chau_officer)
    with django_assert_max_num_queries(16):
        response = client.get(url(world, "report/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="section-cluster"' in page and page.count("Nhất trí.") == 3


def test_an_outsider_gets_404_on_the_report(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    assert as_user(drafted.outsider).get(url(drafted, "report/")).status_code == 404


def test_a_member_comments_through_the_page(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    data = {"section": "directions", "kind": "addition", "text": "Bổ sung cải cách hành chính."}
    response = as_user(drafted.lai_chau_officer).post(url(drafted, "report/"), data)
    assert response.status_code == 302
    assert Comment.objects.get().organization == drafted.orgs["lai_chau"]


def test_the_supervisor_cannot_comment(drafted: Any, as_user: Callable[[User], Client]) -> None:
    data = {"section": "directions", "kind": "comment", "text": "x"}
    assert as_user(drafted.supervisor).post(url(drafted, "report/"), data).status_code == 403
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused_with_400(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    data = {"section": "directions", "kind": "comment", "text": "   "}
    assert as_user(drafted.lai_chau_officer).post(url(drafted, "report/"), data).status_code == 400


def test_only_the_secretariat_generates_the_draft(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    world = at_conference
    assert as_user(world.lai_chau_leader).post(url(world, "report/generate/")).status_code == 403
    assert as_user(world.son_la_officer).post(url(world, "report/generate/")).status_code == 302
    assert ReportVersion.objects.count() == 1


def test_the_secretariat_revises_and_lands_on_the_comparison(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    world = drafted
    client = as_user(world.cao_bang_officer)
    form = client.get(url(world, "report/revise/"))
    assert form.status_code == 200
    version = ReportVersion.objects.get()
    data = {f"section_{s['key']}": s["text"] for s in version.sections}
    data.update(based_on=1, note="Bổ sung", section_directions="Phương hướng mới.")
    response = client.post(url(world, "report/revise/"), data)
    assert response.status_code == 302 and response["Location"].endswith("?a=1&b=2")
    assert ReportVersion.objects.count() == 2


def test_a_member_cannot_open_the_revision(drafted: Any, as_user: Callable[[User], Client]) -> None:
    assert as_user(drafted.lai_chau_officer).get(url(drafted, "report/revise/")).status_code == 403


def test_a_revision_that_changes_nothing_is_refused_with_400(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    version = ReportVersion.objects.get()
    data = {f"section_{s['key']}": s["text"] for s in version.sections}
    data.update(based_on=1, note="x")
    response = as_user(drafted.son_la_officer).post(url(drafted, "report/revise/"), data)
    assert response.status_code == 400


def test_the_comparison_shows_the_change_to_members(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    world = drafted
    actions.do_revise_report(
        Report.objects.get(),
        texts={"directions": "Phương hướng mới."},
        note="x",
        based_on=1,
        acting_user=world.son_la_officer,
    )
    response = as_user(world.lai_chau_officer).get(url(world, "report/compare/?a=1&b=2"))
    assert response.status_code == 200
    assert "<ins>Phương hướng mới.</ins>" in response.content.decode().replace("\n", "")
    assert as_user(world.outsider).get(url(world, "report/compare/?a=1&b=2")).status_code == 404
    assert (
        as_user(world.lai_chau_officer).get(url(world, "report/compare/?a=1&b=9")).status_code
        == 404
    )


def test_finalising_is_the_secretariats(drafted: Any, as_user: Callable[[User], Client]) -> None:
    world = drafted
    assert as_user(world.lai_chau_leader).post(url(world, "report/finalise/")).status_code == 403
    assert as_user(world.son_la_officer).post(url(world, "report/finalise/")).status_code == 302
    assert Report.objects.get().is_final


# --- documents --------------------------------------------------------------------------------


def test_a_member_downloads_each_document_and_an_outsider_gets_404(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    client = as_user(drafted.lai_chau_officer)
    assert client.get(url(drafted, "documents/")).status_code == 200
    for kind in ("report", "minutes", "proposal", "pledge", "news"):
        response = client.get(url(drafted, f"documents/{kind}.docx"))
        assert response.status_code == 200, kind
        assert response["Content-Type"] == DOCX
    assert client.get(url(drafted, "documents/unknown.docx")).status_code == 404
    assert client.get(url(drafted, "documents/template.docx")).status_code == 200
    assert as_user(drafted.outsider).get(url(drafted, "documents/report.docx")).status_code == 404


def test_the_pdf_copy_is_served_only_where_libreoffice_is_installed(
    drafted: Any, as_user: Callable[[User], Client], settings: Settings
) -> None:
    settings.THIDUA_SOFFICE = None  # looked up on PATH, as a server does by default
    response = as_user(drafted.lai_chau_officer).get(url(drafted, "documents/report.pdf"))
    if shutil.which("soffice"):
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    else:
        assert response.status_code == 404
    assert as_user(drafted.outsider).get(url(drafted, "documents/report.pdf")).status_code == 404


def test_only_the_secretariat_uploads_a_template(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    upload = SimpleUploadedFile("mau.docx", documents.starter_template())
    response = as_user(drafted.lai_chau_leader).post(
        url(drafted, "documents/"), {"kind": "minutes", "file": upload}
    )
    assert response.status_code == 403
    upload = SimpleUploadedFile("mau.docx", documents.starter_template())
    response = as_user(drafted.son_la_officer).post(
        url(drafted, "documents/"), {"kind": "minutes", "file": upload}
    )
    assert response.status_code == 302
    assert DocumentTemplate.objects.count() == 1


def test_a_broken_template_is_refused_on_the_page_with_its_reason(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    upload = SimpleUploadedFile("mau.docx", b"garbage")
    response = as_user(drafted.son_la_officer).post(
        url(drafted, "documents/"), {"kind": "minutes", "file": upload}
    )
    assert response.status_code == 400
    assert ".docx" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_only_the_secretariat_resets_a_template(
    drafted: Any, as_user: Callable[[User], Client]
) -> None:
    assert (
        as_user(drafted.lai_chau_leader).post(url(drafted, "documents/minutes/reset/")).status_code
        == 403
    )
    assert (
        as_user(drafted.son_la_officer).post(url(drafted, "documents/minutes/reset/")).status_code
        == 302
    )


# --- news (the secretariat's side) ------------------------------------------------------------


def test_the_news_desk_is_the_secretariats(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    world = at_conference
    assert as_user(world.son_la_officer).get(url(world, "news/")).status_code == 200
    assert as_user(world.lai_chau_officer).get(url(world, "news/")).status_code == 403
    assert as_user(world.outsider).get(url(world, "news/")).status_code == 404


def test_the_secretariat_drafts_edits_and_publishes_the_conference_article(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    world = at_conference
    client = as_user(world.son_la_officer)
    response = client.post(url(world, "news/draft/"))
    article = NewsArticle.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"news/{article.pk}/")
    assert article.status == NewsArticle.Status.DRAFT
    assert "Lê Thị Mai" in article.body
    response = client.post(
        url(world, f"news/{article.pk}/"),
        {"title": "Hội nghị tổng kết", "body": article.body + "\n\nẢnh: Sơn La."},
    )
    assert response.status_code == 302
    assert client.post(url(world, f"news/{article.pk}/publish/")).status_code == 302
    article.refresh_from_db()
    assert article.title == "Hội nghị tổng kết" and article.status == "published"


def test_a_member_cannot_draft_write_or_publish_news(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    world = at_conference
    client = as_user(world.lai_chau_leader)
    assert client.post(url(world, "news/draft/")).status_code == 403
    assert client.post(url(world, "news/new/"), {"title": "x", "body": "y"}).status_code == 403
    article = actions.do_save_article(
        world.year, title="Tin", body="Nội dung", acting_user=world.son_la_officer
    )
    assert client.post(url(world, f"news/{article.pk}/publish/")).status_code == 403
    assert NewsArticle.objects.get().status == "draft"


def test_an_article_without_text_is_refused_with_400(
    at_conference: World, as_user: Callable[[User], Client]
) -> None:
    response = as_user(at_conference.son_la_officer).post(
        url(at_conference, "news/new/"), {"title": "Tin", "body": "  "}
    )
    assert response.status_code == 400
    assert not NewsArticle.objects.exists()
