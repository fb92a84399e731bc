"""The API and the pages answer the same status for the same refusal of the rules."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from thidua.cycle.models import Phase
from thidua.testing.personas import World

from .conftest import candidate, define_indicators, jump, open_poll, to_in_progress, year_url


def page(user: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def voting(world: World) -> Any:
    world.sign_all(world.to_pledge_phase())
    jump(world, Phase.VOTING)
    return world


def ballot(world: Any, poll: Any, user: Any, key: Any) -> Any:
    """The same ballot through the page and through the API, each from a fresh state."""
    choice = candidate(poll, world, key)
    vote_page = reverse(
        "voting:vote", kwargs={"slug": world.cluster.slug, "year": 2016, "poll_id": poll.pk}
    )
    return (
        lambda: page(user).post(vote_page, {"choices": str(choice)}),
        lambda api_client: api_client.post(
            year_url(world) + f"/polls/{poll.pk}/ballots",
            {"choices": [choice]},
            content_type="application/json",
        ),
    )


def test_a_second_ballot_is_a_409_on_the_page_and_in_the_api(api: Any, voting: Any) -> None:
    poll = open_poll(voting)
    on_page, in_api = ballot(voting, poll, voting.lai_chau_leader, "son_la")
    assert on_page().status_code == 200  # the receipt: the first ballot is cast
    page_again = on_page()
    api_again = in_api(api(voting.lai_chau_leader))
    assert page_again.status_code == api_again.status_code == 409
    assert escape(api_again.json()["detail"]) in page_again.content.decode()


def test_a_ballot_from_an_officer_is_a_403_on_the_page_and_in_the_api(
    api: Any, voting: Any
) -> None:
    poll = open_poll(voting)
    on_page, in_api = ballot(voting, poll, voting.lai_chau_officer, "son_la")
    refused_page = on_page()
    refused_api = in_api(api(voting.lai_chau_officer))
    assert refused_page.status_code == refused_api.status_code == 403
    assert escape(refused_api.json()["detail"]) in refused_page.content.decode()


def test_a_second_signature_is_a_409_on_the_page_and_in_the_api(api: Any, world: World) -> None:
    world.to_pledge_phase()
    leader = world.lai_chau_leader
    pledge_page = reverse("pledge", kwargs={"slug": world.cluster.slug, "year": 2016})
    assert page(leader).post(pledge_page, {"confirm": "yes"}).status_code == 302
    refused_page = page(leader).post(pledge_page, {"confirm": "yes"})
    refused_api = api(leader).post(year_url(world) + "/pledge/signatures")
    assert refused_page.status_code == refused_api.status_code == 409
    assert escape(refused_api.json()["detail"]) in refused_page.content.decode()


def test_values_the_rules_refuse_are_a_400_on_the_page_and_in_the_api(
    api: Any, world: World
) -> None:
    to_in_progress(world)
    define_indicators(world)
    officer, org = world.lai_chau_officer, world.orgs["lai_chau"].pk
    values_page = reverse(
        "indicators:unit", kwargs={"slug": world.cluster.slug, "year": 2016, "org_id": org}
    )
    refused_page = page(officer).post(values_page, {"value_TONG_SO_XA": "-3"})
    refused_api = api(officer).put(
        year_url(world) + f"/indicators/units/{org}",
        {"values": {"TONG_SO_XA": {"value": -3}}},
        content_type="application/json",
    )
    assert refused_page.status_code == refused_api.status_code == 400
    assert escape(refused_api.json()["detail"]) in refused_page.content.decode()
