"""In a real browser: a member comments on a section, the secretariat revises, the comparison
shows the change."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.conference import actions
from thidua.conference.models import Comment, ReportVersion
from thidua.cycle.models import EmulationYear, Phase
from thidua.testing.personas import build_world

from .conftest import record_conference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDITION = "Đẩy mạnh cải cách hành chính, ứng dụng công nghệ thông tin."


@pytest.fixture
def drafted_world() -> Any:
    world = build_world()
    world.sign_all(world.to_pledge_phase())
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.CONFERENCE)
    world.year.refresh_from_db()
    record_conference(world)
    actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    return world


def test_a_comment_leads_to_a_revision_the_comparison_shows(
    drafted_world: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    report_url = f"{live_server.url}{drafted_world.url}conference/report/"
    page = login("lai-chau-canbo")
    page.goto(report_url)
    form = page.get_by_test_id("comment-form")
    form.locator("select[name=section]").select_option("directions")
    form.locator("select[name=kind]").select_option("addition")
    form.locator("textarea[name=text]").fill(f"Đề nghị bổ sung: {ADDITION}")
    page.get_by_test_id("send-comment").click()
    page.wait_for_url(report_url)
    assert ADDITION in page.get_by_test_id("comments-directions").inner_text()
    assert Comment.objects.get().organization == drafted_world.orgs["lai_chau"]

    page.context.clear_cookies()
    login("son-la-canbo")
    page.goto(report_url)
    assert ADDITION in page.get_by_test_id("comments-directions").inner_text()
    page.get_by_test_id("revise").click()
    directions = page.get_by_test_id("revise-directions")
    directions.fill(f"{directions.input_value()}\n{ADDITION}")
    page.locator("input[name=note]").fill("Bổ sung theo ý kiến của Lai Châu")
    page.get_by_test_id("save-revision").click()
    page.wait_for_url("**/report/compare/?a=1&b=2")
    changed = page.get_by_test_id("comparison").locator("ins")
    assert ADDITION in " ".join(changed.all_inner_texts())
    assert page.get_by_test_id("diff-cluster").count() == 1
    assert ReportVersion.objects.count() == 2
