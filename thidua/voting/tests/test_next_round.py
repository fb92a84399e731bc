"""Elections that always end: the next round the rules call for, opened in one step."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client

from thidua.audit.models import AuditEntry
from thidua.errors import ActionRefused
from thidua.orgs.models import User
from thidua.testing.personas import World
from thidua.voting import actions, reads, rules
from thidua.voting.models import Poll

from .conftest import candidate, cast, open_poll
from .test_views import FORM, url


def settings(**overrides: Any) -> Any:
    base = {
        "candidates": ("a", "b", "c", "d"),
        "max_choices": 1,
        "allow_self_vote": True,
        "threshold_base": rules.ThresholdBase.CAST,
        "seats": 1,
        "next_round": rules.NextRound.LEADING,
        "next_round_size": 2,
    }
    return rules.PollSettings(**{**base, **overrides})


def test_the_new_round_is_between_the_leading_candidates_in_list_order() -> None:
    poll = settings()
    result = rules.tally(poll, [("c",), ("c",), ("b",), ("a",), ("d",), ("d",), ()], 7)
    assert result.elected == () and not result.needs_runoff
    following = rules.next_round_settings(poll, result)
    assert following is not None
    assert following.candidates == ("c", "d") and following.seats == 1


def test_candidates_tied_with_the_last_leading_one_go_on_too() -> None:
    poll = settings()
    result = rules.tally(poll, [("c",), ("c",), ("b",), ("a",), ("d",)], 5)
    following = rules.next_round_settings(poll, result)
    assert following is not None and following.candidates == ("a", "b", "c", "d")


def test_no_new_round_when_the_rules_say_none_or_the_seats_are_filled() -> None:
    result = rules.tally(settings(next_round=rules.NextRound.NONE), [("a",), ("b",)], 3)
    assert rules.next_round_settings(result.settings, result) is None
    filled = rules.tally(settings(), [("a",), ("a",), ("b",)], 3)
    assert filled.elected == ("a",)
    assert rules.next_round_settings(filled.settings, filled) is None


def test_a_new_round_needs_seats_and_more_candidates_than_seats() -> None:
    codes = {p.code for p in rules.validate_settings(settings(seats=None), 3)}
    assert rules.NEXT_ROUND_WITHOUT_SEATS in codes
    codes = {p.code for p in rules.validate_settings(settings(next_round_size=1), 3)}
    assert rules.NEXT_ROUND_TOO_SMALL in codes


def elected(poll: Any) -> Any:
    result = reads.count(poll)
    assert result is not None
    return result.elected


def undecided(world: Any) -> Any:
    """A head poll nobody wins: 2 of the 3 members entitled is not more than two thirds."""
    poll = open_poll(
        world,
        title="Bầu Cụm trưởng năm 2017",
        purpose="head",
        allow_self_vote=True,
        threshold_base="entitled",
        threshold=Fraction(2, 3),
        next_round="leading",
        next_round_size=2,
    )
    cast(world, poll, "son_la", "son_la")
    cast(world, poll, "cao_bang", "son_la")
    cast(world, poll, "lai_chau", "cao_bang")
    return actions.do_close_poll(poll, acting_user=world.son_la_officer)


def test_the_secretariat_opens_the_next_round_in_one_step(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = undecided(voting_world)
    assert elected(poll) == ()
    client = as_user(voting_world.son_la_officer)
    page = client.get(url(voting_world, poll, "results/")).content.decode()
    assert 'data-testid="next-round"' in page
    assert "2 ứng viên có nhiều phiếu nhất" in page
    member = as_user(voting_world.lai_chau_officer)
    assert (
        'data-testid="next-round"'
        not in member.get(url(voting_world, poll, "results/")).content.decode()
    )
    assert member.post(url(voting_world, poll, "runoff/")).status_code == 403

    client = as_user(voting_world.son_la_officer)  # one test client: log the secretariat back in
    response = client.post(url(voting_world, poll, "runoff/"), {"confirm": "yes"})
    assert response.status_code == 302
    following = Poll.objects.get(parent=poll)
    assert following.status == Poll.Status.OPEN and following.round == 2
    assert [c.organization for c in reads.candidates_of(following)] == [
        voting_world.orgs["son_la"],
        voting_world.orgs["cao_bang"],
    ]
    assert AuditEntry.objects.filter(action="poll.runoff", object_id=str(following.pk)).exists()
    assert AuditEntry.objects.filter(action="poll.open", object_id=str(following.pk)).exists()
    # The rule is on the ballot page of the new round, as on the first.
    ballot_page = as_user(voting_world.lai_chau_leader).get(url(voting_world, following))
    assert 'data-testid="next-round-rule"' in ballot_page.content.decode()

    cast(voting_world, following, "lai_chau", "son_la")
    cast(voting_world, following, "cao_bang", "son_la")
    cast(voting_world, following, "son_la", "son_la")
    following = actions.do_close_poll(following, acting_user=voting_world.son_la_officer)
    assert elected(following) == (candidate(following, "son_la", voting_world),)
    assert reads.outcome(voting_world.year, "head").elected == voting_world.orgs["son_la"]
    with pytest.raises(ActionRefused) as refused:
        actions.do_open_next_round(poll, acting_user=voting_world.son_la_officer)
    assert refused.value.kind == "exists"


def test_no_next_round_where_the_rules_say_none(voting_world: World) -> None:
    poll = open_poll(voting_world, purpose="head", allow_self_vote=True, threshold_base="entitled")
    cast(voting_world, poll, "son_la", "son_la")
    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    assert elected(poll) == ()
    with pytest.raises(ActionRefused) as refused:
        actions.do_open_next_round(poll, acting_user=voting_world.son_la_officer)
    assert refused.value.kind == "wrong_status"
    assert "không bỏ phiếu thêm vòng nào" in reads.next_round_rule(poll)


def test_only_the_secretariat_opens_a_next_round(voting_world: World) -> None:
    from django.core.exceptions import PermissionDenied

    poll = undecided(voting_world)
    with pytest.raises(PermissionDenied):
        actions.do_open_next_round(poll, acting_user=voting_world.lai_chau_leader)
    assert not Poll.objects.filter(parent=poll).exists()


def test_a_candidate_name_beyond_its_limit_is_refused_by_the_form_and_the_action(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    client = as_user(voting_world.son_la_officer)
    form = {**FORM, "purpose": "certificate", "seats": "", "next_round": "none"}
    response = client.post(url(voting_world, tail="new/"), {**form, "people": "A" * 10_000})
    assert response.status_code == 400
    assert "200" in response.content.decode()
    assert not Poll.objects.exists()
    spec = actions.PollSpec(
        title="Bằng khen", purpose="certificate", people=["B" * 201], seats=None
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_create_poll(
            voting_world.year, spec=spec, acting_user=voting_world.son_la_officer
        )
    assert refused.value.kind == "invalid"
    assert not Poll.objects.exists()


def test_the_history_shows_no_vote_one_by_one_and_the_close_lists_who_voted(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = undecided(voting_world)
    assert AuditEntry.objects.filter(action="poll.vote").count() == 3
    page = as_user(voting_world.lai_chau_officer).get(voting_world.url + "history/")
    text = page.content.decode()
    assert "đã kết thúc cuộc bỏ phiếu" in text and "poll." not in text
    close = AuditEntry.objects.get(action="poll.close", object_id=str(poll.pk))
    assert close.after is not None and close.after["voted"] == sorted(
        voting_world.orgs[k].name for k in ("son_la", "cao_bang", "lai_chau")
    )
