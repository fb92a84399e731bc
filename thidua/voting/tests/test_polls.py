"""Preparing, opening and closing polls: the secretariat's actions and their limits."""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from thidua.audit.models import AuditEntry
from thidua.cycle.models import Phase
from thidua.errors import ActionRefused
from thidua.testing.personas import World
from thidua.voting import actions
from thidua.voting.models import Candidate, Poll

from .conftest import make_poll, open_poll, to_phase


def test_secretariat_prepares_a_poll_with_its_candidates_in_list_order(voting_world: World) -> None:
    poll = make_poll(voting_world)
    labels = [c.label for c in Candidate.objects.filter(poll=poll).select_related("organization")]
    assert labels == [
        "Sở Kế hoạch và Đầu tư tỉnh Sơn La",
        "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng",
        "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
    ]
    assert poll.status == Poll.Status.DRAFT
    assert AuditEntry.objects.filter(action="poll.create").count() == 1


def test_polls_can_be_prepared_during_the_conference(world: World) -> None:
    to_phase(world, Phase.CONFERENCE)
    assert make_poll(world).status == Poll.Status.DRAFT


def test_polls_cannot_be_prepared_before_the_conference(world: World) -> None:
    to_phase(world, Phase.CROSS_CHECK)
    with pytest.raises(ActionRefused):
        make_poll(world)
    assert not Poll.objects.exists()


def test_a_poll_opens_only_in_the_voting_phase(world: World) -> None:
    to_phase(world, Phase.CONFERENCE)
    poll = make_poll(world)
    with pytest.raises(ActionRefused):
        actions.do_open_poll(poll, acting_user=world.son_la_officer)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT


def test_member_cannot_prepare_a_poll(voting_world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_create_poll(
            voting_world.year,
            spec=actions.PollSpec(title="x", purpose="flag", units=[voting_world.orgs["son_la"]]),
            acting_user=voting_world.lai_chau_leader,
        )
    assert not Poll.objects.exists()


def test_an_outsider_unit_cannot_be_a_candidate(voting_world: World) -> None:
    with pytest.raises(ActionRefused, match="Yên Bái"):
        make_poll(voting_world, units=[voting_world.orgs["son_la"], voting_world.orgs["yen_bai"]])
    assert not Poll.objects.exists()


def test_flag_head_and_deputy_polls_elect_one(voting_world: World) -> None:
    with pytest.raises(ActionRefused):
        make_poll(voting_world, seats=2, max_choices=1)
    assert not Poll.objects.exists()


def test_invalid_settings_are_refused_with_every_reason(voting_world: World) -> None:
    with pytest.raises(ActionRefused) as refused:
        make_poll(
            voting_world,
            purpose="certificate",
            seats=None,
            max_choices=4,
            threshold=Fraction(1, 1),
        )
    assert refused.value.kind == "settings"
    assert not Poll.objects.exists()


def test_settings_change_before_the_poll_opens(voting_world: World) -> None:
    poll = make_poll(voting_world)
    spec = actions.PollSpec(
        title="Cờ thi đua (sửa)",
        purpose="flag",
        units=[voting_world.orgs["son_la"], voting_world.orgs["lai_chau"]],
        threshold=Fraction(2, 3),
        disclosure="outcome_only",
    )
    poll = actions.do_update_poll(poll, spec=spec, acting_user=voting_world.son_la_officer)
    assert poll.threshold == Fraction(2, 3)
    assert poll.candidates.count() == 2
    entry = AuditEntry.objects.get(action="poll.update")
    assert entry.before is not None and entry.after is not None
    assert len(entry.before["candidates"]) == 3 and len(entry.after["candidates"]) == 2


def test_settings_are_fixed_once_the_poll_opens(voting_world: World) -> None:
    poll = open_poll(voting_world)
    spec = actions.PollSpec(title="Khác", purpose="flag", units=[voting_world.orgs["son_la"]])
    with pytest.raises(ActionRefused, match="không thể thay đổi"):
        actions.do_update_poll(poll, spec=spec, acting_user=voting_world.son_la_officer)
    poll.refresh_from_db()
    assert poll.title == "Đề nghị tặng Cờ thi đua"
    assert poll.candidates.count() == 3


def test_opening_fixes_the_number_of_voters(voting_world: World) -> None:
    poll = open_poll(voting_world)
    assert poll.status == Poll.Status.OPEN
    assert poll.entitled == 3
    assert poll.opened_at is not None


def test_an_open_poll_without_its_opening_facts_cannot_be_stored(voting_world: World) -> None:
    poll = make_poll(voting_world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Poll.objects.filter(pk=poll.pk).update(status="open")


def test_secretariat_closes_an_open_poll_once(voting_world: World) -> None:
    poll = open_poll(voting_world)
    poll = actions.do_close_poll(poll, acting_user=voting_world.cao_bang_officer)
    assert poll.status == Poll.Status.CLOSED
    with pytest.raises(ActionRefused):
        actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    closed = AuditEntry.objects.get(action="poll.close")
    assert closed.after is not None and closed.after["units_voted"] == 0
