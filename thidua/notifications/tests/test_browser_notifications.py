"""In a real browser, on a desktop and on a phone: the count beside the name, the list, opening
a notification, and choosing what comes by e-mail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import Phase
from thidua.notifications.models import Kind, Notification, Preference
from thidua.testing.personas import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def told_twice() -> World:
    """Two phases opened: every member's staff is told twice."""
    world = build_world()
    world.sign_all(world.to_pledge_phase())
    cycle_actions.do_move_phase(
        world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer
    )
    return world


def fits(page: Page, width: int) -> None:
    """The page's own content (the header is the site's) reads without scrolling sideways."""
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main, main *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert right <= width, f"the page scrolls sideways ({right}px on {width}px)"
    count = page.get_by_test_id("notifications-link").bounding_box()
    assert count is not None and count["x"] + count["width"] <= width


@pytest.mark.parametrize("screen", SCREENS)
def test_the_officer_sees_the_count_reads_and_opens_a_notification(
    told_twice: World, live_server: Any, login: Any, page: Page, screen: str, pytestconfig: Any
) -> None:
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    login("lai-chau-canbo")
    assert page.get_by_test_id("unread-count").inner_text() == "2"
    page.get_by_test_id("notifications-link").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thông báo"
    assert "Bạn có 2 thông báo chưa đọc." in page.content()
    items = page.get_by_test_id("notification")
    assert items.count() == 2
    assert "“Đang triển khai”" in items.nth(0).inner_text()  # newest first
    fits(page, width)
    folder = Path(pytestconfig.rootpath) / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"notifications-{width}.png"), full_page=True)

    items.nth(1).get_by_role("button", name="Xem").click()
    page.wait_for_url(f"**{told_twice.url}")
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    read = Notification.objects.get(recipient=told_twice.lai_chau_officer, read_at__isnull=False)
    assert "“Giao ước”" in read.text

    page.goto(live_server.url + "/notifications/")
    page.get_by_test_id("read-all").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_test_id("unread-count").inner_text() == "0"
    assert "Đã đánh dấu tất cả thông báo là đã đọc." in page.content()


def test_the_officer_turns_the_phase_emails_off_on_a_phone(
    told_twice: World, live_server: Any, login: Any, page: Page, pytestconfig: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login("lai-chau-canbo")
    page.goto(live_server.url + "/notifications/")
    page.get_by_role("link", name="Chọn loại thông báo nhận qua thư điện tử").click()
    page.wait_for_url("**/notifications/preferences/")
    assert page.get_by_role("heading", level=1).inner_text() == "Nhận thông báo qua thư điện tử"
    box = page.get_by_label("Năm thi đua chuyển sang giai đoạn mới")
    assert box.is_checked()
    box.uncheck()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/notifications/preferences/")
    assert "Đã lưu lựa chọn của bạn." in page.content()
    assert not page.get_by_label("Năm thi đua chuyển sang giai đoạn mới").is_checked()
    fits(page, 390)
    folder = Path(pytestconfig.rootpath) / "var" / "screenshots"
    page.screenshot(path=str(folder / "notifications-preferences-390.png"), full_page=True)
    assert Preference.objects.get(user=told_twice.lai_chau_officer, kind=Kind.PHASE).email is False
