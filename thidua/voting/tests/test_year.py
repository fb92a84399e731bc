"""The voting area in the year: phase checks, the election carried forward, to-dos and link."""

from typing import Any

import pytest

from thidua import access
from thidua.cycle.actions import do_move_phase, phase_problems
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.errors import ActionRefused
from thidua.testing.personas import World
from thidua.voting import actions, hooks

from .conftest import cast, open_poll, to_phase


def elect(world: Any, purpose: Any, winner: Any) -> Any:
    poll = open_poll(world, title=f"Bầu {purpose}", purpose=purpose, allow_self_vote=True)
    for leader in ("son_la", "cao_bang", "lai_chau"):
        cast(world, poll, leader, winner)
    return actions.do_close_poll(poll, acting_user=world.son_la_officer)


def to_proposals(world: Any) -> None:
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    world.year.refresh_from_db()


def test_voting_cannot_end_while_a_poll_is_open(voting_world: World) -> None:
    open_poll(voting_world)
    problems = phase_problems(voting_world.year, Phase.PROPOSALS)
    assert any("Đề nghị tặng Cờ thi đua" in p for p in problems)


def test_closing_the_year_waits_for_an_unresolved_election(voting_world: World) -> None:
    elect(voting_world, "head", "lai_chau")
    tied = open_poll(
        voting_world,
        title="Bầu Cụm phó",
        purpose="deputy",
        allow_self_vote=True,
    )
    cast(voting_world, tied, "son_la", "son_la")
    cast(voting_world, tied, "cao_bang", "cao_bang")
    actions.do_close_poll(tied, acting_user=voting_world.son_la_officer)
    to_proposals(voting_world)
    with pytest.raises(ActionRefused, match="Bầu Cụm phó"):
        do_move_phase(
            voting_world.year, target=Phase.CLOSED, acting_user=voting_world.son_la_officer
        )
    voting_world.year.refresh_from_db()
    assert voting_world.year.phase == Phase.PROPOSALS
    assert not EmulationYear.objects.filter(year=2017).exists()


def test_a_head_poll_without_a_deputy_poll_blocks_the_close(voting_world: World) -> None:
    elect(voting_world, "head", "lai_chau")
    to_proposals(voting_world)
    assert phase_problems(voting_world.year, Phase.CLOSED)


def test_closing_the_year_opens_the_next_with_the_elected_head_and_deputy(
    voting_world: World,
) -> None:
    elect(voting_world, "head", "lai_chau")
    elect(voting_world, "deputy", "cao_bang")
    to_proposals(voting_world)
    do_move_phase(voting_world.year, target=Phase.CLOSED, acting_user=voting_world.son_la_officer)

    next_year = EmulationYear.objects.get(cluster=voting_world.cluster, year=2017)
    roles = dict(next_year.memberships.values_list("organization__province", "role"))
    assert roles == {
        "Lai Châu": Membership.Role.HEAD,
        "Cao Bằng": Membership.Role.DEPUTY,
        "Sơn La": Membership.Role.MEMBER,
    }
    # The secretariat's rights have moved with the election.
    for user in (voting_world.lai_chau_officer, voting_world.son_la_officer):
        access.forget(user)
    assert access.roles_in_year(voting_world.lai_chau_officer, next_year).secretariat
    assert not access.roles_in_year(voting_world.son_la_officer, next_year).secretariat
    assert voting_world.lai_chau_officer.has_perm("voting.manage", next_year)


def test_a_year_without_an_election_closes_without_opening_the_next(world: World) -> None:
    to_phase(world, Phase.PROPOSALS)
    do_move_phase(world.year, target=Phase.CLOSED, acting_user=world.son_la_officer)
    assert not EmulationYear.objects.filter(year=2017).exists()


def test_dashboard_lists_the_units_that_have_not_voted(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau", "son_la")
    memberships = list(voting_world.year.memberships.all())
    todos = hooks.member_todos(voting_world.year, memberships)
    assert set(todos) == {voting_world.orgs["son_la"].pk, voting_world.orgs["cao_bang"].pk}


def test_the_year_offers_the_voting_page_to_its_members_only(voting_world: World) -> None:
    assert [
        link.url for link in hooks.year_links(voting_world.year, voting_world.lai_chau_officer)
    ] == ["/c/mien-nui-bien-gioi-phia-bac/2016/voting/"]
    assert hooks.year_links(voting_world.year, voting_world.outsider) == []
