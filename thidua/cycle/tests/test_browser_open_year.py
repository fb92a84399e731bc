"""In a real browser: the supervisor opens 2017 from the demo's 2016, as proposed."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from thidua.cycle.models import EmulationYear, Membership, Pledge
from thidua.scoring.models import CriteriaTable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLUSTER = "/c/mien-nui-bien-gioi-phia-bac/"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def demo_2016(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())


def test_the_supervisor_opens_2017_as_proposed(
    demo_2016: Any, live_server: LiveServer, login: Callable[..., Page], page: Page
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    login("vu-tdkt")
    page.goto(live_server.url + CLUSTER)
    # Another year is proposed on request: 2026, with the departments of after the mergers.
    page.get_by_text("Mở một năm khác").click()
    page.get_by_label("Năm cần mở").fill("2026")
    page.get_by_role("button", name="Đề xuất", exact=True).click()
    form = page.get_by_test_id("open-year")
    assert form.get_by_role("heading").inner_text() == "Mở năm thi đua 2026"
    tuyen_quang = "Sở Tài chính tỉnh Tuyên Quang (từ 01/07/2025)"
    assert form.get_by_test_id("members").get_by_label(tuyen_quang, exact=True).is_checked()

    page.goto(live_server.url + CLUSTER)
    assert form.get_by_role("heading").inner_text() == "Mở năm thi đua 2017"
    members = form.get_by_test_id("members")
    ticked = members.locator("input:checked")
    assert ticked.count() == 7
    lao_cai = "Sở Kế hoạch và Đầu tư tỉnh Lào Cai (đến 28/02/2025, nay là Sở TC Lào Cai)"
    assert members.get_by_label(lao_cai, exact=True).is_checked()
    assert "Sở Tài chính" not in members.inner_text()
    head = form.get_by_label("Cụm trưởng")
    deputy = form.get_by_label("Cụm phó")
    assert "Lào Cai" in head.locator("option:checked").inner_text()
    assert "Hà Giang" in deputy.locator("option:checked").inner_text()
    copies = form.get_by_test_id("carry-over").locator("input[type=checkbox]")
    assert copies.count() == 3
    assert all(copies.nth(i).is_checked() for i in range(3))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "open-year-1366.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(SCREENSHOTS / "open-year-390.png"), full_page=True)

    page.get_by_test_id("open-year-submit").click()
    # The form's anchor (#open-year) follows the redirect, as browsers keep it.
    page.wait_for_url(lambda url: urlsplit(url).path == f"{CLUSTER}2017/")
    assert "Đã mở năm thi đua 2017." in page.content()
    year = EmulationYear.objects.get(year=2017)
    assert year.memberships.count() == 7
    head_unit = year.memberships.get(role=Membership.Role.HEAD).organization
    assert head_unit.name == "Sở Kế hoạch và Đầu tư tỉnh Lào Cai"
    assert CriteriaTable.objects.get(year=year).title.endswith("năm 2017")
    assert Pledge.objects.get(year=year).title == "Giao ước thi đua năm 2017"
