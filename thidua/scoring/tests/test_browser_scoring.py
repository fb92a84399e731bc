"""In a real browser: a unit officer self-scores and submits; the secretariat sees the ranking."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.cycle.models import Phase
from thidua.scoring import actions
from thidua.scoring.models import SelfAssessment
from thidua.testing.personas import build_world

from .conftest import FIGURES, make_table, membership, move, self_score, to_in_progress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scoring_world() -> Any:
    world = build_world()
    to_in_progress(world)
    make_table(world)
    move(world, Phase.SELF_ASSESSMENT)
    return world


def test_unit_officer_self_scores_and_the_secretariat_sees_the_ranking(
    scoring_world: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    world = scoring_world
    page = login("lai-chau-canbo")
    page.goto(live_server.url + world.url)
    page.get_by_role("button", name="Bản tự chấm điểm của đơn vị").click()
    form = page.get_by_test_id("scores-form")
    assert page.get_by_test_id("running-total").inner_text() == "0"
    expected = Decimal(0)
    for number, value in FIGURES["lai_chau"].items():
        row = form.locator(f"tr[data-number='{number}']")
        # Every box is labelled with its criterion's number, for screen readers too.
        assert page.get_by_label(f"Điểm tự chấm mục {number}", exact=True).count() == 1
        assert page.get_by_label(f"Giải trình mục {number}", exact=True).count() == 1
        row.locator("input.points").fill(value.replace(".", ","))
        expected += Decimal(value)
        # The total adds up while typing; points without an explanation are marked at once.
        shown = page.get_by_test_id("running-total").inner_text()
        assert Decimal(shown.replace(".", "").replace(",", ".")) == expected
        explanation = row.locator("textarea")
        if value != "0":
            assert explanation.get_attribute("aria-invalid") == "true"
            explanation.fill("Theo báo cáo tổng kết năm.")
        assert explanation.get_attribute("aria-invalid") == "false"
    page.get_by_test_id("save-scores").click()
    assert "Đã lưu điểm." in page.content()
    page.get_by_test_id("confirm-submit").check()
    page.get_by_test_id("submit-assessment").click()
    assert "Đã gửi bản tự chấm điểm." in page.content()
    assert page.get_by_test_id("scores-form").count() == 0
    assert SelfAssessment.objects.get(membership__organization=world.orgs["lai_chau"]).is_submitted

    for key in ("son_la", "cao_bang"):
        self_score(world, key, FIGURES[key])
        actions.do_submit_assessment(
            membership(world, key),
            acting_user=world.son_la_officer if key == "son_la" else world.cao_bang_officer,
        )
    move(world, Phase.CROSS_CHECK)

    page = login("son-la-canbo")
    page.goto(live_server.url + world.url)
    page.get_by_role("button", name="Xếp hạng").click()
    assert page.get_by_test_id("ranking-status").inner_text() == "Tạm tính"
    first = page.get_by_test_id("ranking").locator("tbody tr").first
    assert "Sơn La" in first.inner_text()
    last = page.get_by_test_id("ranking").locator("tbody tr").last
    assert "Lai Châu" in last.inner_text() and "15" in last.inner_text()
    page.wait_for_function("Chart.getChart('ranking-chart') !== undefined")


def test_outsider_is_refused_the_self_assessment(
    scoring_world: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    page = login("yen-bai-canbo")
    url = f"{live_server.url}{scoring_world.url}scoring/units/{scoring_world.orgs['lai_chau'].pk}/"
    response = page.goto(url)
    assert response is not None and response.status == 404
