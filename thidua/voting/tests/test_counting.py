"""The count of stored ballots: grouped and counted by the database, in one query.

It must give exactly what reading the ballots one by one and tallying them gives.
"""

import itertools
import secrets
from fractions import Fraction
from typing import Any
from uuid import UUID

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from thidua.testing.personas import World
from thidua.voting import actions, reads, rules
from thidua.voting.models import Ballot, BallotChoice, Poll

from .conftest import cast, open_poll

PEOPLE = ("Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")
NUMBERS = itertools.count(1)


@st.composite
def generated_polls(draw: Any) -> Any:
    """A certificate poll over up to five people, its ballots (as list positions) and the
    difference between the members entitled to vote and the ballots (below zero: void)."""
    n = draw(st.integers(1, len(PEOPLE)))
    seats = draw(st.none() | st.integers(1, n))
    max_choices = draw(st.integers(1, seats or n))
    spec = {
        "people": PEOPLE[:n],
        "seats": seats,
        "max_choices": max_choices,
        "threshold_base": draw(st.sampled_from(Poll.Base)),
        "threshold": Fraction(1, draw(st.integers(2, 4))),
        "strict": draw(st.booleans()),
        "tie_rule": draw(st.sampled_from(Poll.TieRule)),
    }
    choices = st.lists(st.integers(0, n - 1), unique=True, max_size=max_choices)
    ballots = draw(st.lists(choices, max_size=40))
    return spec, ballots, draw(st.integers(-2, 5))


def closed_poll_with(world: Any, spec: Any, ballots: Any, extra_entitled: Any) -> Any:
    """A poll built and closed by the actions, then given generated ballots.

    The ballots are written straight into the tables, as the national dataset's are: the
    test cluster's three members could cast only three.
    """
    poll = open_poll(
        world,
        title=f"Bình xét Bằng khen {next(NUMBERS)}",
        purpose=Poll.Purpose.CERTIFICATE,
        units=[],
        **spec,
    )
    poll = actions.do_close_poll(poll, acting_user=world.son_la_officer)
    keys = [c.pk for c in reads.candidates_of(poll)]
    stored = [Ballot(poll=poll, receipt_hash=secrets.token_hex(32)) for _ in ballots]
    Ballot.objects.bulk_create(stored)
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, candidate_id=keys[i])
        for ballot, chosen in zip(stored, ballots, strict=True)
        for i in chosen
    )
    Poll.objects.filter(pk=poll.pk).update(entitled=max(len(ballots) + extra_entitled, 1))
    poll.refresh_from_db()
    return poll


def counted_one_by_one(poll: Any) -> Any:
    """The straightforward count: every ballot read back with its choices, then tallied."""
    ids = Ballot.objects.filter(poll=poll).values_list("id", flat=True)
    chosen: dict[UUID, list[int]] = {key: [] for key in ids}
    for ballot, candidate in BallotChoice.objects.filter(ballot__poll=poll).values_list(
        "ballot_id", "candidate_id"
    ):
        chosen[ballot].append(candidate)
    candidates = reads.candidates_of(poll)
    ballots = [tuple(choices) for choices in chosen.values()]
    return rules.tally(reads.settings_of(poll, candidates), ballots, poll.entitled)


@settings(
    max_examples=30,
    deadline=None,
    # Each example builds its own poll, so the function-scoped world can be shared.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=generated_polls())
def test_the_count_equals_the_ballots_counted_one_by_one(voting_world: World, case: Any) -> None:
    spec, ballots, extra_entitled = case
    poll = closed_poll_with(voting_world, spec, ballots, extra_entitled)
    expected = counted_one_by_one(poll)
    assert reads.count(poll) == expected
    assert reads.count(poll, reads.candidates_of(poll)) == expected


def test_the_count_is_one_query_that_reads_no_ballot(
    voting_world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    poll = open_poll(voting_world, max_choices=1)
    cast(voting_world, poll, "son_la", "cao_bang")
    cast(voting_world, poll, "cao_bang", "son_la")
    cast(voting_world, poll, "lai_chau")
    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    candidates = reads.candidates_of(poll)

    with django_assert_num_queries(1):
        result = reads.count(poll, candidates)
    with django_assert_num_queries(1), CaptureQueriesContext(connection) as queries:
        assert reads.count(poll) == result
    assert result is not None
    assert (result.ballots_cast, result.blank_ballots) == (3, 1)
    # Only counts come back: no ballot's key and no receipt.
    assert "receipt_hash" not in queries[0]["sql"]
