"""Casting a secret ballot: one per member unit, by its leader, while the poll is open."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from thidua.audit.models import AuditEntry
from thidua.errors import ActionRefused
from thidua.testing.personas import World
from thidua.voting import actions, box
from thidua.voting.models import Ballot, BallotChoice, SealedBallot, VoterRegister

from .conftest import candidate, cast, make_poll, open_poll


def nothing_recorded() -> bool:
    return not (
        SealedBallot.objects.exists()
        or Ballot.objects.exists()
        or BallotChoice.objects.exists()
        or VoterRegister.objects.exists()
        or AuditEntry.objects.filter(action="poll.vote").exists()
    )


def test_leader_casts_the_units_ballot_and_gets_a_receipt(voting_world: World) -> None:
    poll = open_poll(voting_world)
    receipt = cast(voting_world, poll, "lai_chau", "son_la")
    assert len(receipt) == 19 and receipt.count("-") == 3
    assert VoterRegister.objects.get(poll=poll).organization == voting_world.orgs["lai_chau"]
    # Sealed until the close: its content is read only with the server's key.
    sealed = bytes(SealedBallot.objects.get(poll=poll).sealed)
    receipt_hash, choices = box.decode_ballot(box.unseal(actions.box_keys(poll), sealed))
    assert choices == (candidate(poll, "son_la", voting_world),)
    assert receipt not in receipt_hash
    assert not Ballot.objects.exists()
    actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    ballot = Ballot.objects.get(poll=poll)
    assert [c.candidate_id for c in ballot.choices.all()] == list(choices)
    assert ballot.receipt_hash == receipt_hash
    assert not SealedBallot.objects.exists()


def test_blank_ballot_is_accepted(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "cao_bang")
    actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert not BallotChoice.objects.exists()


def test_unit_cannot_vote_twice(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau", "son_la")
    with pytest.raises(ActionRefused, match="đã bỏ phiếu") as refused:
        cast(voting_world, poll, "lai_chau", "cao_bang")
    assert refused.value.kind == "already_voted"
    assert SealedBallot.objects.count() == 1
    assert VoterRegister.objects.count() == 1


def test_ordinary_officer_cannot_cast_the_ballot(voting_world: World) -> None:
    poll = open_poll(voting_world)
    with pytest.raises(ActionRefused, match="lãnh đạo") as refused:
        actions.do_cast_ballot(poll, choices=[], acting_user=voting_world.lai_chau_officer)
    assert refused.value.kind == "not_a_voter"
    assert nothing_recorded()


@pytest.mark.parametrize("persona", ["outsider", "supervisor"])
def test_non_member_cannot_cast_a_ballot(voting_world: World, persona: str) -> None:
    poll = open_poll(voting_world)
    with pytest.raises(ActionRefused, match="thành viên") as refused:
        actions.do_cast_ballot(poll, choices=[], acting_user=getattr(voting_world, persona))
    assert refused.value.kind == "not_a_voter"
    assert nothing_recorded()


def test_ballot_before_the_poll_opens_is_refused(voting_world: World) -> None:
    poll = make_poll(voting_world)
    with pytest.raises(ActionRefused, match="chưa mở") as refused:
        cast(voting_world, poll, "lai_chau", "son_la")
    assert refused.value.kind == "not_open"
    assert nothing_recorded()


def test_ballot_after_the_close_is_refused(voting_world: World) -> None:
    poll = open_poll(voting_world)
    actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    with pytest.raises(ActionRefused, match="đã kết thúc") as refused:
        cast(voting_world, poll, "lai_chau", "son_la")
    assert refused.value.kind == "closed"
    assert nothing_recorded()


def test_ballot_after_the_scheduled_close_is_refused(voting_world: World) -> None:
    poll = open_poll(voting_world, closes_at=timezone.now() + dt.timedelta(hours=1))
    poll.closes_at = timezone.now() - dt.timedelta(seconds=1)
    poll.save(update_fields=["closes_at"])  # time has passed: the schedule is now behind us
    with pytest.raises(ActionRefused) as refused:
        cast(voting_world, poll, "lai_chau", "son_la")
    assert refused.value.kind == "closed"
    assert nothing_recorded()


def test_self_vote_is_refused_where_barred(voting_world: World) -> None:
    poll = open_poll(voting_world)
    with pytest.raises(ActionRefused, match="tự bỏ phiếu cho mình") as refused:
        cast(voting_world, poll, "lai_chau", "lai_chau")
    assert refused.value.kind == "bad_ballot"
    assert nothing_recorded()


def test_self_vote_is_accepted_where_allowed(voting_world: World) -> None:
    poll = open_poll(voting_world, purpose="head", allow_self_vote=True)
    cast(voting_world, poll, "lai_chau", "lai_chau")
    assert SealedBallot.objects.count() == 1


def test_too_many_choices_are_refused(voting_world: World) -> None:
    poll = open_poll(voting_world, purpose="certificate", max_choices=2, seats=None)
    with pytest.raises(ActionRefused, match="tối đa 2") as refused:
        cast(voting_world, poll, "son_la", "cao_bang", "lai_chau", "son_la")
    assert refused.value.kind == "bad_ballot"
    assert nothing_recorded()


def test_a_candidate_not_on_the_list_is_refused(voting_world: World) -> None:
    poll = open_poll(
        voting_world, units=[voting_world.orgs["son_la"], voting_world.orgs["cao_bang"]]
    )
    other = make_poll(voting_world, title="Bầu Cụm trưởng", purpose="head")
    stranger = candidate(other, "lai_chau", voting_world)
    with pytest.raises(ActionRefused, match="không phải là ứng viên"):
        actions.do_cast_ballot(poll, choices=[stranger], acting_user=voting_world.cao_bang_leader)
    assert nothing_recorded()


def test_online_ballot_is_refused_in_a_paper_poll(voting_world: World) -> None:
    poll = open_poll(voting_world, method="paper")
    with pytest.raises(ActionRefused) as refused:
        cast(voting_world, poll, "lai_chau", "son_la")
    assert refused.value.kind == "paper"
    assert nothing_recorded()


def test_voter_checks_the_receipt_after_the_close(voting_world: World) -> None:
    poll = open_poll(voting_world)
    receipt = cast(voting_world, poll, "lai_chau", "son_la")
    assert not actions.receipt_is_counted(poll, receipt)  # nothing to check before the close
    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    assert actions.receipt_is_counted(poll, receipt)
    assert actions.receipt_is_counted(poll, receipt.lower().replace("-", " "))
    assert not actions.receipt_is_counted(poll, "AAAA-BBBB-CCCC-DDDD")


def test_casting_needs_the_cast_permission_too(voting_world: World) -> None:
    poll = open_poll(voting_world)
    voting_world.lai_chau_leader.is_active = False
    voting_world.lai_chau_leader.save()
    with pytest.raises((ActionRefused, PermissionDenied)):
        cast(voting_world, poll, "lai_chau", "son_la")
    assert nothing_recorded()
