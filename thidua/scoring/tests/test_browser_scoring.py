"""In a real browser: a unit officer self-scores and submits; the secretariat sees the ranking."""

import pytest

from thidua.cycle.models import Phase
from thidua.scoring import actions
from thidua.scoring.models import SelfAssessment
from thidua.testing.personas import build_world

from .conftest import FIGURES, make_table, membership, move, self_score, to_in_progress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scoring_world():
    world = build_world()
    to_in_progress(world)
    make_table(world)
    move(world, Phase.SELF_ASSESSMENT)
    return world


def test_unit_officer_self_scores_and_the_secretariat_sees_the_ranking(
    scoring_world, live_server, login
):
    world = scoring_world
    page = login("lai-chau-canbo")
    page.goto(live_server.url + world.url)
    page.get_by_role("button", name="Bản tự chấm điểm của đơn vị").click()
    form = page.get_by_test_id("scores-form")
    for number, value in FIGURES["lai_chau"].items():
        row = form.locator(f"tr[data-number='{number}']")
        row.locator("input.points").fill(value.replace(".", ","))
        if value != "0":
            row.locator("textarea").fill("Theo báo cáo tổng kết năm.")
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


def test_outsider_is_refused_the_self_assessment(scoring_world, live_server, login):
    page = login("yen-bai-canbo")
    url = f"{live_server.url}{scoring_world.url}scoring/units/{scoring_world.orgs['lai_chau'].pk}/"
    response = page.goto(url)
    assert response is not None and response.status == 404
