"""Polls through the API: ballots by the units' leaders, results only after the close."""

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from thidua.cycle.models import Phase
from thidua.testing.personas import World
from thidua.voting.models import Poll, SealedBallot, VoterRegister

from .conftest import candidate, cast, close, jump, open_poll, year_url


@pytest.fixture
def voting(world: World) -> Any:
    world.sign_all(world.to_pledge_phase())
    jump(world, Phase.VOTING)
    return world


@pytest.fixture
def poll(voting: Any) -> Any:
    return open_poll(voting)


def poll_url(world: Any, poll: Any, tail: Any = "") -> Any:
    return year_url(world) + f"/polls/{poll.pk}{tail}"


def vote(client: Any, world: Any, poll: Any, *keys: Any) -> Any:
    return client.post(
        poll_url(world, poll, "/ballots"),
        {"choices": [candidate(poll, world, key) for key in keys]},
        content_type="application/json",
    )


def test_member_lists_the_polls_with_turnout_in_a_fixed_number_of_queries(
    api: Any, voting: Any, poll: Any, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    open_poll(voting, title="Bầu Trưởng khối năm 2017", purpose=Poll.Purpose.HEAD)
    cast(voting, poll, "lai_chau", "son_la")
    client = api(voting.lai_chau_officer)
    with django_assert_max_num_queries(10):
        polls = client.get(year_url(voting) + "/polls").json()
    assert [(p["title"], p["units_voted"], p["my_unit_voted"]) for p in polls] == [
        ("Đề nghị tặng Cờ thi đua", 1, True),
        ("Bầu Trưởng khối năm 2017", 0, False),
    ]


def test_outsider_gets_404_for_the_polls_and_may_not_vote(api: Any, voting: Any, poll: Any) -> None:
    client = api(voting.outsider)
    for tail in ("", "/results"):
        assert client.get(poll_url(voting, poll, tail)).status_code == 404
    assert client.get(year_url(voting) + "/polls").status_code == 404
    assert vote(client, voting, poll, "son_la").status_code == 404
    assert not SealedBallot.objects.exists()


def test_poll_detail_shows_the_rules_candidates_and_who_has_voted(
    api: Any, voting: Any, poll: Any
) -> None:
    cast(voting, poll, "cao_bang", "son_la")
    detail = api(voting.supervisor).get(poll_url(voting, poll)).json()
    assert (detail["threshold"], detail["seats"], detail["disclosure"]) == ("1/2", 1, "full")
    assert [c["organization_id"] for c in detail["candidates"]] == [
        voting.orgs[k].pk for k in ("son_la", "cao_bang", "lai_chau")
    ]
    voted = {r["organization_id"]: r["voted"] for r in detail["voter_register"]}
    assert voted[voting.orgs["cao_bang"].pk] is True
    assert voted[voting.orgs["lai_chau"].pk] is False
    assert detail["has_results"] is False


def test_a_leader_casts_the_units_ballot_once_and_gets_a_receipt(
    api: Any, voting: Any, poll: Any
) -> None:
    client = api(voting.lai_chau_leader)
    first = vote(client, voting, poll, "son_la")
    assert first.status_code == 201
    assert len(first.json()["receipt"]) == 19
    again = vote(client, voting, poll, "cao_bang")
    assert again.status_code == 409
    assert "đã bỏ phiếu" in again.json()["detail"]
    assert SealedBallot.objects.count() == 1


def test_an_officer_and_the_supervisor_get_403_casting_a_ballot(
    api: Any, voting: Any, poll: Any
) -> None:
    for user in (voting.lai_chau_officer, voting.supervisor):
        refused = vote(api(user), voting, poll, "son_la")
        assert refused.status_code == 403
        assert refused.json()["detail"]
    assert not VoterRegister.objects.exists()


def test_a_ballot_for_an_unknown_candidate_is_refused_and_nothing_is_stored(
    api: Any, voting: Any, poll: Any
) -> None:
    client = api(voting.lai_chau_leader)
    refused = client.post(
        poll_url(voting, poll, "/ballots"), {"choices": [0]}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Lựa chọn không phải là ứng viên của cuộc bỏ phiếu này."
    assert not VoterRegister.objects.exists()


def test_there_are_no_results_and_no_receipt_check_until_the_poll_closes(
    api: Any, voting: Any, poll: Any
) -> None:
    receipt = cast(voting, poll, "lai_chau", "son_la")
    client = api(voting.lai_chau_leader)
    assert client.get(poll_url(voting, poll, "/results")).status_code == 404
    check = client.post(
        poll_url(voting, poll, "/receipt-check"), {"code": receipt}, content_type="application/json"
    )
    assert check.status_code == 404


def test_after_the_close_the_full_count_and_the_receipt_check(
    api: Any, voting: Any, poll: Any
) -> None:
    receipt = cast(voting, poll, "lai_chau", "son_la")
    cast(voting, poll, "cao_bang", "son_la")
    close(voting, poll)
    client = api(voting.lai_chau_leader)
    results = client.get(poll_url(voting, poll, "/results")).json()
    assert (results["full"], results["ballots_cast"]) == (True, 2)
    assert results["winners"] == ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"]
    assert [r["votes"] for r in results["rows"]] == [2, 0, 0]

    def check(code: Any) -> Any:
        url = poll_url(voting, poll, "/receipt-check")
        return client.post(url, {"code": code}, content_type="application/json").json()

    assert check(receipt.lower()) == {"counted": True}
    assert check("AAAA-BBBB-CCCC-DDDD") == {"counted": False}


def test_a_poll_that_discloses_the_outcome_only_shows_no_counts(api: Any, voting: Any) -> None:
    poll = open_poll(voting, disclosure=Poll.Disclosure.OUTCOME_ONLY)
    cast(voting, poll, "lai_chau", "son_la")
    cast(voting, poll, "cao_bang", "son_la")
    close(voting, poll)
    results = api(voting.supervisor).get(poll_url(voting, poll, "/results")).json()
    assert results["full"] is False
    assert results["ballots_cast"] is None and results["blank_ballots"] is None
    assert [(r["votes"], r["percent"], r["elected"]) for r in results["rows"]] == [
        (None, None, True),
        (None, None, False),
        (None, None, False),
    ]
