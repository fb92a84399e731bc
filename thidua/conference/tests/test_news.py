"""The cluster's public news: anyone reads the published articles, with the other news."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from thidua.conference import actions
from thidua.conference.models import NewsArticle
from thidua.testing.personas import World


@pytest.fixture
def published(at_conference: World) -> Any:
    world = at_conference
    articles = []
    for title in ("Phát động thi đua", "Giao lưu kinh nghiệm", "Tổng kết"):
        article = actions.do_save_article(
            world.year, title=title, body=f"{title}.\n\nĐoạn hai.", acting_user=world.son_la_officer
        )
        articles.append(actions.do_publish_article(article, acting_user=world.son_la_officer))
    actions.do_save_article(
        world.year, title="Bản nháp chưa đăng", body="Nháp.", acting_user=world.son_la_officer
    )
    return world, articles


def test_anyone_reads_the_published_news_without_logging_in(
    published: Any, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    world, _articles = published
    with django_assert_max_num_queries(3):
        response = client.get(f"/news/{world.cluster.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phát động thi đua" in page and "Tổng kết" in page
    assert "Bản nháp chưa đăng" not in page


def test_an_article_lists_the_other_news_under_it(
    published: Any, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    world, articles = published
    with django_assert_max_num_queries(4):
        response = client.get(f"/news/{world.cluster.slug}/{articles[0].pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đoạn hai." in page
    assert 'data-testid="other-news"' in page
    assert "Giao lưu kinh nghiệm" in page and "Bản nháp chưa đăng" not in page


def test_a_draft_is_not_public(published: Any, client: Client) -> None:
    world, _articles = published
    draft = NewsArticle.objects.get(status="draft")
    assert client.get(f"/news/{world.cluster.slug}/{draft.pk}/").status_code == 404


def test_an_article_is_only_found_under_its_own_cluster(published: Any, client: Client) -> None:
    _world, articles = published
    assert client.get(f"/news/another-cluster/{articles[0].pk}/").status_code == 404
    assert client.get("/news/another-cluster/").status_code == 404


def test_a_withdrawn_article_leaves_the_public_page(published: Any, client: Client) -> None:
    world, articles = published
    actions.do_publish_article(articles[0], publish=False, acting_user=world.son_la_officer)
    assert client.get(f"/news/{world.cluster.slug}/{articles[0].pk}/").status_code == 404


def test_the_conference_article_is_drafted_from_the_data(
    at_conference: World, stated_facts: Callable[[dict[str, Any]], None]
) -> None:
    from .conftest import FACTS

    stated_facts(FACTS)
    article = actions.do_draft_conference_article(
        at_conference.year, acting_user=at_conference.son_la_officer
    )
    body = article.body
    assert "ngày 11 và 12 tháng 3 năm 2017" in body  # when
    assert "Sở Kế hoạch và Đầu tư tỉnh Sơn La" in body  # where
    assert "Lê Thị Mai" in body and "Lê Hồng Minh" in body  # who attended
    assert "khoảng 8,5%" in body  # what was reported
    assert "Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in body  # what was decided: next head
    assert "ký kết giao ước thi đua năm 2017" in body
    assert article.status == NewsArticle.Status.DRAFT
