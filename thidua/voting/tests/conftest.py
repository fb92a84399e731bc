"""The small cluster of the personas, taken to the voting phase, and polls built by actions."""

from __future__ import annotations

from typing import Any

import pytest

from thidua.cycle.models import EmulationYear, Phase
from thidua.testing.personas import World
from thidua.voting import actions
from thidua.voting.models import Candidate, Poll


def to_phase(world: World, target: Phase) -> None:
    """Sign the pledge through the actions, then put the year straight into `target`.

    Walking phase by phase would need every other area's data (criteria, scores...), whose
    checks are their own tests' business; the voting tests start where voting starts.
    """
    world.sign_all(world.to_pledge_phase())
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=target)
    world.year.refresh_from_db()


def make_poll(world: World, **overrides: Any) -> Poll:
    spec: dict[str, Any] = {
        "title": "Đề nghị tặng Cờ thi đua",
        "purpose": Poll.Purpose.FLAG,
        "units": [world.orgs["son_la"], world.orgs["cao_bang"], world.orgs["lai_chau"]],
    }
    spec.update(overrides)
    return actions.do_create_poll(
        world.year, spec=actions.PollSpec(**spec), acting_user=world.son_la_officer
    )


def open_poll(world: World, **overrides: Any) -> Poll:
    poll = make_poll(world, **overrides)
    return actions.do_open_poll(poll, acting_user=world.son_la_officer)


def candidate(poll: Poll, org_key: str, world: World) -> int:
    return Candidate.objects.get(poll=poll, organization=world.orgs[org_key]).pk


def cast(world: World, poll: Poll, leader_key: str, *chosen: str) -> str:
    leader = getattr(world, f"{leader_key}_leader")
    return actions.do_cast_ballot(
        poll, choices=[candidate(poll, key, world) for key in chosen], acting_user=leader
    )


@pytest.fixture
def voting_world(world: World) -> World:
    to_phase(world, Phase.VOTING)
    return world
