"""The main menu reaches every page beyond a year's own that the person may use."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from thidua.orgs.models import User
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


def menu(client: Any, path: Any = "/") -> Any:
    page = client.get(path).content.decode()
    start = page.index('data-testid="main-menu"')
    return page[start : page.index("</details>", start)]


def test_each_persona_sees_the_pages_it_may_open_and_no_other(
    world: World, as_user: Callable[[User], Client]
) -> None:
    supervisor = menu(as_user(world.supervisor))
    for label, url in [
        ("Việc và cụm thi đua của bạn", 'href="/"'),
        ("Danh mục khen thưởng", 'href="/awards/"'),
        ("Lịch sử khen thưởng", 'href="/awards/people/"'),
        ("Tổng hợp toàn quốc", 'href="/awards/national/"'),
        ("Mã truy cập API", 'href="/account/tokens/"'),
    ]:
        assert label in supervisor and url in supervisor, label
    officer = menu(as_user(world.lai_chau_officer))
    assert "Danh mục khen thưởng" in officer and "Mã truy cập API" in officer
    assert "Lịch sử khen thưởng" not in officer and "Tổng hợp toàn quốc" not in officer
    assert "Quản trị hệ thống" not in officer
    outsider = menu(as_user(world.outsider))
    assert "Lịch sử khen thưởng" not in outsider
    assert "Quản trị hệ thống" in menu(as_user(world.admin))
    # Every page of the menu opens for the person it is shown to.
    for user in (world.supervisor, world.lai_chau_officer, world.admin):
        client = as_user(user)
        for href in [part.split('"')[0] for part in menu(client).split('href="')[1:]]:
            assert client.get(href).status_code == 200, (user, href)


def test_a_visitor_who_is_not_logged_in_has_no_menu(client: Client) -> None:
    assert 'data-testid="main-menu"' not in client.get("/").content.decode()
