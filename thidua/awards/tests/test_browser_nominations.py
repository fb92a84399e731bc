"""In a real browser: an officer drafts a nomination and sees its verdict; the supervisor
returns it with a reason."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.award_history import actions as history
from thidua.awards import actions
from thidua.awards.models import Nomination
from thidua.testing.personas import build_world

from .conftest import grant, to_proposals

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proposals_world() -> Any:
    world = to_proposals(build_world())
    person = history.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    grant(world, "cstdcs", 2015, person=person)
    grant(world, "cstdcs", 2016, person=person)
    return world


def test_officer_drafts_and_sees_the_verdict_then_the_supervisor_returns_it(
    proposals_world: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    world = proposals_world
    base = f"{live_server.url}/awards/c/{world.cluster.slug}/2016/nominations/"
    page = login("lai-chau-canbo")
    page.goto(base)
    page.get_by_test_id("new-nomination").click()
    # The picker names a person with their year of birth and unit: "Nguyễn Thị Hòa (1985, …)".
    person = page.get_by_label("Cá nhân")
    person.select_option(person.locator("option", has_text="Nguyễn Thị Hòa").inner_text())
    page.get_by_label("Danh hiệu, hình thức khen thưởng").select_option(
        label="Chiến sĩ thi đua cấp bộ, ngành, tỉnh"
    )
    page.get_by_label("Tóm tắt thành tích").fill("Hoàn thành xuất sắc nhiệm vụ năm 2016.")
    page.get_by_test_id("save-nomination").click()
    assert page.get_by_test_id("verdict").inner_text() == "Không đủ tiêu chuẩn"
    assert (
        "Cần 3 năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; hiện có 2 năm — 2015, 2016."
        in page.get_by_test_id("reasons").inner_text()
    )

    nomination = Nomination.objects.get()
    actions.do_submit_nomination(nomination, acting_user=world.lai_chau_leader)
    actions.do_compile_proposal(world.year, acting_user=world.son_la_officer)

    page = login("vu-tdkt")
    page.goto(f"{base}{nomination.pk}/")
    page.get_by_label("Lý do trả lại").fill("Chưa đủ 3 năm Chiến sĩ thi đua cơ sở liên tục.")
    page.get_by_test_id("return").click()
    assert page.get_by_test_id("status").inner_text() == "Bị trả lại"
    assert "Chưa đủ 3 năm" in page.get_by_test_id("return-reason").inner_text()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.RETURNED
