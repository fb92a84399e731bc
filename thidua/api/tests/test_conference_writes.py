"""The conference's Word templates and the cluster's news through the API: each write through
the page's form and the same `do_*` action, allowed for whom the page allows and refused, with
the page's words and status, for the rest."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document

from thidua.api.gateway import REPLAYED
from thidua.api.tests.conftest import jump, year_url
from thidua.audit.models import AuditEntry
from thidua.awards import documents as award_documents
from thidua.conference import actions, documents, dossier
from thidua.conference.models import DocumentTemplate, NewsArticle
from thidua.cycle.models import Phase
from thidua.lib.docformat import document_text
from thidua.orgs.models import User
from thidua.testing.personas import World

# The persona's token on the one test client: the last persona asked for is the one it sends.
Api = Callable[[User], Client]


def post(client: Client, url: str, body: Any = None, **headers: Any) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def page_refusal(response: Any) -> str:
    """What a page said when it refused: its flashed error, or its form's errors."""
    flashed = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if flashed:
        return " ".join(flashed)
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def record_conference(world: World) -> None:
    actions.do_set_conference(
        world.year,
        starts_on=dt.date(2016, 12, 8),
        ends_on=dt.date(2016, 12, 9),
        host=world.orgs["son_la"],
        venue="Hội trường Sở Kế hoạch và Đầu tư tỉnh Sơn La",
        agenda="Khai mạc\nBáo cáo tổng kết",
        acting_user=world.son_la_officer,
    )


# --- Word templates -----------------------------------------------------------------------


def docx_with(text: str, *, starter: bool = True) -> bytes:
    """thidua's starter template (or an empty document) with one more paragraph."""
    document = Document(io.BytesIO(documents.starter_template())) if starter else Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def templates_url(world: World) -> str:
    return f"{year_url(world)}/conference/templates"


def documents_page(world: World) -> str:
    return f"/c/{world.cluster.slug}/{world.year.year}/conference/documents/"


def upload(client: Client, url: str, data: bytes, kind: str = "minutes", **headers: Any) -> Any:
    file = SimpleUploadedFile("mau-bien-ban.docx", data, content_type=documents.DOCX_TYPE)
    return client.post(url, {"kind": kind, "file": file}, **headers)


def test_the_secretariat_uploads_a_template_and_the_minutes_use_it(api: Api, world: World) -> None:
    jump(world, Phase.CONFERENCE)
    record_conference(world)
    client = api(world.son_la_officer)
    sent = upload(client, templates_url(world), docx_with("Mẫu riêng của cụm, năm {{ year }}"))
    assert sent.status_code == 201, sent.json()
    answer = sent.json()
    assert answer["kind"] == "minutes" and answer["can_change"] is True
    assert answer["template"]["filename"] == "mau-bien-ban.docx"
    stored = DocumentTemplate.objects.get()
    assert answer["template"]["bytes"] == len(stored.content) > 0
    assert stored.uploaded_by == world.son_la_officer
    assert AuditEntry.objects.filter(action="template.upload").count() == 1
    assert "Mẫu riêng của cụm, năm 2016" in document_text(
        io.BytesIO(dossier.build(world.year, "minutes"))
    )
    listed = {t["kind"]: t for t in client.get(templates_url(world)).json()}
    assert listed["minutes"]["template"]["id"] == stored.pk
    assert listed["report"]["template"] is None
    assert "decision" not in listed  # the deciding authority's, not the secretariat's


def test_a_template_without_the_documents_placeholders_is_refused_as_on_the_page(
    api: Api, client: Client, world: World
) -> None:
    """A Word file that leaves out who issues the minutes, their number, date and signer:
    the page and the API refuse it with the same words and 400, and nothing is stored."""
    empty = docx_with("Biên bản hội nghị", starter=False)
    client.force_login(world.son_la_officer)
    page = upload(client, documents_page(world), empty)
    assert page.status_code == 400
    said = page_refusal(page)
    answer = upload(api(world.son_la_officer), templates_url(world), empty)
    assert answer.status_code == 400
    assert said and answer.json()["detail"] == said
    assert "authority" in said
    assert not DocumentTemplate.objects.exists()
    assert not AuditEntry.objects.filter(action="template.upload").exists()


def test_a_template_with_an_unknown_placeholder_or_none_at_all_is_refused(
    api: Api, world: World
) -> None:
    client = api(world.son_la_officer)
    unknown = upload(client, templates_url(world), docx_with("{{ so_quyet_dinh }}"))
    assert unknown.status_code == 400
    assert "so_quyet_dinh" in unknown.json()["detail"]
    broken = upload(client, templates_url(world), b"not a word file")
    assert broken.status_code == 400
    assert ".docx" in broken.json()["detail"]
    assert not DocumentTemplate.objects.exists()


def test_only_the_deciding_authority_changes_the_decisions_template(
    api: Api, client: Client, world: World
) -> None:
    """The secretariat is offered the conference's documents only: the decision is not one
    of its form's choices (400 on both), and the supervisor, who decides, may upload it."""
    decision = award_documents.starter_template("decision")
    client.force_login(world.son_la_officer)
    page = upload(client, documents_page(world), decision, kind="decision")
    answer = upload(api(world.son_la_officer), templates_url(world), decision, kind="decision")
    assert page.status_code == answer.status_code == 400
    assert answer.json()["detail"].endswith(page_refusal(page))
    assert not DocumentTemplate.objects.exists()
    by_supervisor = upload(api(world.supervisor), templates_url(world), decision, kind="decision")
    assert by_supervisor.status_code == 201, by_supervisor.json()
    listed = {t["kind"]: t for t in api(world.supervisor).get(templates_url(world)).json()}
    assert listed["decision"]["can_change"] and not listed["minutes"]["can_change"]
    assert listed["decision"]["template"]["id"] == DocumentTemplate.objects.get().pk


def test_a_member_may_not_upload_a_template_and_an_outsider_finds_no_year(
    api: Api, client: Client, world: World
) -> None:
    template = docx_with("Mẫu {{ year }}")
    client.force_login(world.lai_chau_officer)
    assert upload(client, documents_page(world), template).status_code == 403
    assert upload(api(world.lai_chau_officer), templates_url(world), template).status_code == 403
    assert upload(api(world.outsider), templates_url(world), template).status_code == 404
    assert api(world.outsider).get(templates_url(world)).status_code == 404
    listed = api(world.lai_chau_officer).get(templates_url(world)).json()
    assert [t["can_change"] for t in listed] == [False] * 5
    assert not DocumentTemplate.objects.exists()


def test_going_back_to_the_standard_layout_retires_the_template(api: Api, world: World) -> None:
    template = docx_with("Mẫu {{ year }}")
    assert upload(api(world.son_la_officer), templates_url(world), template).status_code == 201
    url = f"{templates_url(world)}/minutes/reset"
    assert post(api(world.lai_chau_officer), url).status_code == 403
    assert post(api(world.outsider), url).status_code == 404
    client = api(world.son_la_officer)
    reset = post(client, url)
    assert reset.status_code == 200, reset.json()
    assert reset.json()["template"] is None
    assert DocumentTemplate.objects.get().retired_at is not None
    entry = AuditEntry.objects.get(action="template.reset")
    assert entry.after == {"kind": "minutes", "retired": 1}
    listed = {t["kind"]: t for t in client.get(templates_url(world)).json()}
    assert listed["minutes"]["template"] is None


def test_an_unknown_document_is_refused_alike(api: Api, client: Client, world: World) -> None:
    client.force_login(world.son_la_officer)
    page = client.post(f"{documents_page(world)}agenda/reset/", follow=True)
    said = page_refusal(page)
    answer = post(api(world.son_la_officer), f"{templates_url(world)}/agenda/reset")
    assert answer.status_code == 400
    assert said and answer.json()["detail"] == said == "Không có loại văn bản: agenda."


def test_a_closed_year_keeps_its_templates(api: Api, world: World) -> None:
    jump(world, Phase.CLOSED)
    client = api(world.son_la_officer)
    assert upload(client, templates_url(world), docx_with("Mẫu {{ year }}")).status_code == 409
    assert post(client, f"{templates_url(world)}/minutes/reset").status_code == 409
    assert not AuditEntry.objects.filter(action__startswith="template.").exists()


def test_a_template_sent_again_with_its_key_is_stored_once(api: Api, world: World) -> None:
    client = api(world.son_la_officer)
    template = docx_with("Mẫu {{ year }}")
    first = upload(client, templates_url(world), template, HTTP_IDEMPOTENCY_KEY="mau-1")
    again = upload(client, templates_url(world), template, HTTP_IDEMPOTENCY_KEY="mau-1")
    assert first.status_code == again.status_code == 201
    assert again.headers[REPLAYED] == "true" and again.json() == first.json()
    assert DocumentTemplate.objects.count() == 1


def test_the_templates_list_answers_304_while_nothing_changed(api: Api, world: World) -> None:
    client = api(world.son_la_officer)
    first = client.get(templates_url(world))
    etag = first.headers["ETag"]
    assert client.get(templates_url(world), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert upload(client, templates_url(world), docx_with("Mẫu {{ year }}")).status_code == 201
    assert client.get(templates_url(world), HTTP_IF_NONE_MATCH=etag).status_code == 200


# --- news ---------------------------------------------------------------------------------


def news_url(world: World) -> str:
    return f"{year_url(world)}/conference/news"


ARTICLE: dict[str, Any] = {
    "title": "Hội nghị tổng kết công tác thi đua năm 2016",
    "body": "Sáng ngày 08/12/2016, Cụm thi đua tổ chức hội nghị.\n\nHội nghị đã bình xét.",
}


def test_the_secretariat_writes_edits_publishes_and_withdraws_an_article(
    api: Api, client: Client, world: World
) -> None:
    secretariat = api(world.son_la_officer)
    made = post(secretariat, news_url(world), ARTICLE)
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["status"] == "draft" and made.json()["public_url"] is None
    assert NewsArticle.objects.get(pk=pk).body == ARTICLE["body"]
    edited = post(secretariat, f"{news_url(world)}/{pk}/update", {**ARTICLE, "title": "Tin mới"})
    assert edited.status_code == 200, edited.json()
    assert NewsArticle.objects.get(pk=pk).title == "Tin mới"
    # Without a body, as the page's button: publish.
    published = secretariat.post(f"{news_url(world)}/{pk}/publish", content_type="application/json")
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published"
    public = published.json()["public_url"]
    assert public == f"/news/{world.cluster.slug}/{pk}/"
    assert client.get(public).status_code == 200
    withdrawn = post(secretariat, f"{news_url(world)}/{pk}/publish", {"publish": False})
    assert withdrawn.json()["status"] == "draft"
    assert client.get(public).status_code == 404
    assert secretariat.get(f"{news_url(world)}/{pk}").json()["title"] == "Tin mới"
    done = AuditEntry.objects.filter(action__startswith="news.", object_id=str(pk)).order_by("pk")
    assert [e.action for e in done] == ["news.save", "news.save", "news.publish", "news.unpublish"]


def test_an_article_without_a_text_is_refused_alike(api: Api, client: Client, world: World) -> None:
    client.force_login(world.son_la_officer)
    page = client.post(
        f"/c/{world.cluster.slug}/{world.year.year}/conference/news/new/",
        {"title": ARTICLE["title"], "body": "   "},
    )
    assert page.status_code == 400
    words = " ".join(str(e) for e in page.context["form"].errors["body"])
    answer = post(api(world.son_la_officer), news_url(world), {**ARTICLE, "body": "   "})
    assert answer.status_code == 400
    assert answer.json()["detail"] == f"Yêu cầu không hợp lệ: body: {words}"
    assert not NewsArticle.objects.exists()


def test_the_conference_article_is_drafted_once_the_conference_is_recorded(
    api: Api, client: Client, world: World
) -> None:
    client.force_login(world.son_la_officer)
    page = client.post(
        f"/c/{world.cluster.slug}/{world.year.year}/conference/news/draft/", follow=True
    )
    said = page_refusal(page)
    early = post(api(world.son_la_officer), f"{news_url(world)}/draft")
    assert early.status_code == 409
    assert said and early.json()["detail"] == said
    assert not NewsArticle.objects.exists()
    record_conference(world)
    drafted = post(api(world.son_la_officer), f"{news_url(world)}/draft")
    assert drafted.status_code == 201, drafted.json()
    assert drafted.json()["is_conference_article"] is True
    assert "Sơn La" in drafted.json()["body"]
    assert AuditEntry.objects.filter(action="news.draft").count() == 1


def test_members_and_outsiders_may_not_touch_the_news(api: Api, world: World) -> None:
    article = actions.do_save_article(world.year, acting_user=world.son_la_officer, **ARTICLE)
    one = f"{news_url(world)}/{article.pk}"
    for user, status in ((world.lai_chau_officer, 403), (world.outsider, 404)):
        client = api(user)
        assert client.get(news_url(world)).status_code == status
        assert client.get(one).status_code == status
        assert post(client, news_url(world), ARTICLE).status_code == status
        assert post(client, f"{news_url(world)}/draft").status_code == status
        assert post(client, f"{one}/update", ARTICLE).status_code == status
        assert post(client, f"{one}/publish").status_code == status
    assert NewsArticle.objects.get().status == "draft"
    assert AuditEntry.objects.filter(action__startswith="news.").count() == 1


def test_an_article_of_another_year_is_not_found(api: Api, world: World) -> None:
    article = actions.do_save_article(world.year, acting_user=world.son_la_officer, **ARTICLE)
    other = f"/api/v1/clusters/{world.cluster.slug}/years/2015/conference/news/{article.pk}"
    assert api(world.son_la_officer).get(other).status_code == 404
    missing = f"{news_url(world)}/{article.pk + 1000}/publish"
    assert post(api(world.son_la_officer), missing).status_code == 404


def test_a_closed_year_keeps_its_news(api: Api, world: World) -> None:
    article = actions.do_save_article(world.year, acting_user=world.son_la_officer, **ARTICLE)
    jump(world, Phase.CLOSED)
    client = api(world.son_la_officer)
    assert post(client, f"{news_url(world)}/{article.pk}/publish").status_code == 409
    assert post(client, news_url(world), ARTICLE).status_code == 409
    assert NewsArticle.objects.get().status == "draft"


def test_the_news_are_read_a_page_at_a_time(
    api: Api, world: World, django_assert_max_num_queries: Any
) -> None:
    made = [
        actions.do_save_article(
            world.year, acting_user=world.son_la_officer, title=f"Tin số {n}", body="Nội dung."
        )
        for n in range(1, 6)
    ]
    actions.do_publish_article(made[1], acting_user=world.son_la_officer)
    client = api(world.son_la_officer)
    with django_assert_max_num_queries(12):
        first = client.get(news_url(world), {"limit": 2})
    assert [a["title"] for a in first.json()["articles"]] == ["Tin số 1", "Tin số 2"]
    assert first.json()["more"] is True
    rest = client.get(news_url(world), {"limit": 10, "after": first.json()["next"]}).json()
    assert [a["title"] for a in rest["articles"]] == ["Tin số 3", "Tin số 4", "Tin số 5"]
    assert rest["more"] is False
    published = client.get(news_url(world), {"status": "published"}).json()
    assert [a["id"] for a in published["articles"]] == [made[1].pk]
    elsewhere = client.get(news_url(world), {"status": "draft", "after": first.json()["next"]})
    assert elsewhere.status_code == 422
    etag = first.headers["ETag"]
    assert client.get(news_url(world), {"limit": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    actions.do_publish_article(made[0], acting_user=world.son_la_officer)
    assert client.get(news_url(world), {"limit": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_an_article_sent_again_with_its_key_is_written_once(api: Api, world: World) -> None:
    client = api(world.son_la_officer)
    first = post(client, news_url(world), ARTICLE, HTTP_IDEMPOTENCY_KEY="tin-1")
    again = post(client, news_url(world), ARTICLE, HTTP_IDEMPOTENCY_KEY="tin-1")
    assert first.status_code == again.status_code == 201
    assert again.headers[REPLAYED] == "true"
    assert NewsArticle.objects.count() == 1


# --- the conference's closing time ------------------------------------------------------


def test_the_closing_time_is_recorded_audited_and_printed_in_the_minutes(
    api: Api, client: Client, world: World
) -> None:
    jump(world, Phase.CONFERENCE)
    url = f"{year_url(world)}/conference"
    setup = {
        "starts_on": "2016-12-08",
        "ends_on": "2016-12-09",
        "host": world.orgs["son_la"].pk,
        "venue": "Hội trường Sở Kế hoạch và Đầu tư tỉnh Sơn La",
    }
    saved = post(api(world.son_la_officer), url, setup)
    assert saved.status_code == 200, saved.json()
    assert saved.json()["closed_at"] is None
    # Not recorded yet: the minutes leave the blank to fill by hand.
    minutes = document_text(io.BytesIO(dossier.build(world.year, "minutes")))
    assert "Hội nghị kết thúc vào hồi      giờ      phút ngày 9 tháng 12 năm 2016." in minutes
    member = post(api(world.lai_chau_officer), url, {**setup, "closed_at": "11:30"})
    assert member.status_code == 403
    closed = post(api(world.son_la_officer), url, {**setup, "closed_at": "11:30:45"})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["closed_at"] == "11:30:00"
    entry = AuditEntry.objects.filter(action="conference.set").order_by("pk").last()
    assert entry is not None
    assert entry.before is not None and entry.after is not None
    assert entry.before["closed_at"] is None and entry.after["closed_at"] == "11:30:00"
    minutes = document_text(io.BytesIO(dossier.build(world.year, "minutes")))
    assert "Hội nghị kết thúc vào hồi 11 giờ 30 phút ngày 9 tháng 12 năm 2016." in minutes
    assert "giờ      phút" not in minutes
    # The page's form shows it and keeps it when saved again.
    client.force_login(world.son_la_officer)
    page = client.get(f"/c/{world.cluster.slug}/{world.year.year}/conference/")
    assert 'value="11:30"' in page.content.decode()
    again = client.post(
        f"/c/{world.cluster.slug}/{world.year.year}/conference/", {**setup, "closed_at": "8h05"}
    )
    assert again.status_code == 302
    assert api(world.son_la_officer).get(url).json()["closed_at"] == "08:05:00"


def test_a_closing_time_that_is_no_time_is_refused_alike(
    api: Api, client: Client, world: World
) -> None:
    jump(world, Phase.CONFERENCE)
    record_conference(world)
    setup = {
        "starts_on": "2016-12-08",
        "ends_on": "2016-12-09",
        "host": world.orgs["son_la"].pk,
        "venue": "Hội trường",
    }
    client.force_login(world.son_la_officer)
    page = client.post(
        f"/c/{world.cluster.slug}/{world.year.year}/conference/", {**setup, "closed_at": "25:70"}
    )
    assert page.status_code == 400
    assert "Nhập giờ theo dạng giờ:phút, ví dụ 11:30." in page_refusal(page)
    answer = post(
        api(world.son_la_officer), f"{year_url(world)}/conference", {**setup, "closed_at": "25:70"}
    )
    # As for a date that is no date, the API's schema refuses it before the form.
    assert answer.status_code == 422, answer.json()
    kept = api(world.son_la_officer).get(f"{year_url(world)}/conference").json()
    assert kept["closed_at"] is None
