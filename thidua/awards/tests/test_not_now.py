"""The nomination and decision forms are offered only in the proposals phase; before it and
after the year closes the pages say why instead, and a post sent anyway is still refused."""

from collections.abc import Callable
from typing import Any

from django.test import Client

from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear, Phase
from thidua.orgs.models import User
from thidua.testing.personas import World

from .conftest import to_proposals

BEFORE = "Việc đề nghị khen thưởng được thực hiện ở giai đoạn đề nghị khen thưởng"
CLOSED = "Năm thi đua đã kết thúc, không thể thay đổi nữa."


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_before_the_proposals_phase_the_pages_say_why_instead_of_offering_the_forms(
    as_user: Callable[[User], Client], world: World, award: Any
) -> None:
    world.to_pledge_phase()
    base = f"/awards{world.url}"
    officer = as_user(world.lai_chau_officer)
    listing = page(officer, base + "nominations/")
    assert BEFORE in listing and "giai đoạn Giao ước" in listing
    assert 'data-testid="new-nomination"' not in listing
    new = page(officer, base + "nominations/new/")
    assert BEFORE in new and 'data-testid="save-nomination"' not in new
    data = {"collective": world.orgs["lai_chau"].pk, "award_type": award("tt_ldtt").pk}
    refused = officer.post(base + "nominations/new/", data | {"summary": "Tốt."})
    assert refused.status_code == 409
    assert BEFORE in refused.content.decode()
    assert not Nomination.objects.exists()

    # The client signs in again, as the supervisor.
    decision = page(as_user(world.supervisor), base + "decision/")
    assert BEFORE in decision and 'data-testid="record-decision"' not in decision


def test_in_the_proposals_phase_the_forms_are_offered_without_a_reason(
    as_user: Callable[[User], Client], world: World
) -> None:
    base = f"/awards{to_proposals(world).url}"
    officer = as_user(world.lai_chau_officer)
    listing = page(officer, base + "nominations/")
    assert 'data-testid="new-nomination"' in listing and 'data-testid="not-now"' not in listing
    new = page(officer, base + "nominations/new/")
    assert 'data-testid="save-nomination"' in new and 'data-testid="not-now"' not in new
    decision = page(as_user(world.supervisor), base + "decision/")
    assert 'data-testid="record-decision"' in decision and 'data-testid="not-now"' not in decision


def test_once_the_year_is_closed_the_pages_say_so(
    as_user: Callable[[User], Client], world: World
) -> None:
    base = f"/awards{to_proposals(world).url}"
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.CLOSED)
    new = page(as_user(world.lai_chau_officer), base + "nominations/new/")  # then the supervisor
    assert CLOSED in new and 'data-testid="save-nomination"' not in new
    decision = page(as_user(world.supervisor), base + "decision/")
    assert CLOSED in decision and 'data-testid="record-decision"' not in decision
