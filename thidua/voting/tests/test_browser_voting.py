"""In a browser: a leader votes and sees the receipt; the secretariat closes, sees the result."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.cycle.models import Phase
from thidua.testing.personas import build_world
from thidua.voting.models import Ballot, Poll, SealedBallot

from .conftest import open_poll, to_phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def poll_world() -> Any:
    world = build_world()
    to_phase(world, Phase.VOTING)
    poll = open_poll(world)
    return world, poll


def test_leader_votes_then_secretariat_closes_and_sees_the_result(
    poll_world: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    world, poll = poll_world
    page = login("lai-chau-lanhdao")
    page.goto(live_server.url + world.url)
    page.get_by_role("button", name="Bỏ phiếu", exact=True).click()
    page.get_by_role("link", name=poll.title).click()
    page.get_by_label("Sở Kế hoạch và Đầu tư tỉnh Sơn La").check()
    page.get_by_test_id("cast").click()
    receipt = page.get_by_test_id("receipt").inner_text().strip()
    assert len(receipt) == 19
    assert "Đơn vị của bạn đã bỏ phiếu." in page.content()
    # Sealed until the close: nothing readable is stored while the poll is open.
    assert SealedBallot.objects.filter(poll=poll).count() == 1
    assert not Ballot.objects.filter(poll=poll).exists()

    page = login("son-la-canbo")
    page.goto(f"{live_server.url}{world.url}voting/{poll.pk}/")
    assert page.get_by_test_id("poll-status").inner_text() == "Đang mở"
    page.get_by_test_id("confirm-close").check()
    page.get_by_test_id("close-poll").click()
    assert page.get_by_test_id("poll-status").inner_text() == "Đã kết thúc"
    assert Ballot.objects.filter(poll=poll).count() == 1 and not SealedBallot.objects.exists()
    page.get_by_test_id("results-link").click()
    assert "Sở Kế hoạch và Đầu tư tỉnh Sơn La" in page.get_by_test_id("winners").inner_text()
    page.wait_for_function("window.Chart && Chart.getChart('result-chart') !== undefined")
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.CLOSED

    page = login("lai-chau-lanhdao")
    page.goto(f"{live_server.url}{world.url}voting/{poll.pk}/results/")
    page.get_by_label("Mã biên nhận").fill(receipt)
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert page.get_by_test_id("receipt-result").inner_text() == "Phiếu của bạn đã được kiểm."
