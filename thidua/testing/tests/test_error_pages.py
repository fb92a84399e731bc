"""Visitors meet thidua's own error pages in Vietnamese, with a way back, never Django's."""

from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from thidua.orgs.models import User
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db

HOME = 'href="/"'


def test_an_outsider_opening_a_cluster_year_gets_the_vietnamese_404_with_a_way_home(
    world: World, as_user: Callable[[User], Client]
) -> None:
    response = as_user(world.outsider).get(world.url)
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert "<h1>Không tìm thấy trang</h1>" in page
    assert HOME in page and "Về trang chủ" in page
    assert "Bạn đang đăng nhập bằng tài khoản" in page
    # Nothing of Django's debug page: no URL patterns, no English.
    assert "URLconf" not in page and "Page not found" not in page


def test_a_visitor_who_is_not_logged_in_is_offered_to_log_in(client: Client) -> None:
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "/accounts/login/?next=/khong-co-trang-nay/" in page


def test_a_refused_action_gets_the_vietnamese_403_without_the_permission_code(
    world: World, as_user: Callable[[User], Client]
) -> None:
    # A member's officer may open the year but not move its phase.
    response = as_user(world.lai_chau_officer).post(
        world.url + "phase/", {"target": "pledge"}, HTTP_REFERER="http://testserver" + world.url
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Không có quyền</h1>" in page
    assert "cycle.change_phase" not in page
    assert "Quay lại trang trước" in page and world.url in page


@override_settings(ROOT_URLCONF="thidua.testing.tests.error_urls")
def test_a_bug_gets_the_vietnamese_500_page(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Đã xảy ra lỗi</h1>" in page
    assert "Không có dữ liệu nào bị lưu dở" in page and HOME in page
    assert "RuntimeError" not in page and "Traceback" not in page
