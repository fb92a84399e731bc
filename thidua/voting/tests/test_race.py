"""Two simultaneous submissions of the same unit's ballot record exactly one.

Each thread has its own database connection, so on PostgreSQL this is two real sessions
racing; the poll row lock makes the second wait, then find the register entry.
"""

import threading

import pytest
from django.db import connection, connections

from thidua.cycle.models import Phase
from thidua.testing.personas import build_world
from thidua.voting import actions
from thidua.voting.models import Ballot, Poll, SealedBallot, VoterRegister

from .conftest import open_poll, to_phase


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_ballots_of_one_unit_record_exactly_one() -> None:
    world = build_world()
    to_phase(world, Phase.VOTING)
    poll = open_poll(world)
    leader_pk = world.lai_chau_leader.pk
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def submit() -> None:
        from thidua.orgs.models import User

        try:
            leader = User.objects.get(pk=leader_pk)  # each thread its own user and connection
            start.wait(timeout=10)
            outcomes.append(actions.do_cast_ballot(poll, choices=[], acting_user=leader))
        except Exception as error:  # the refusal is what this test looks at
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert VoterRegister.objects.filter(poll=poll).count() == 1
    assert SealedBallot.objects.filter(poll=poll).count() == 1
    receipts = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if not isinstance(o, str)]
    assert len(receipts) == 1 and len(refusals) == 1
    if connection.vendor == "postgresql":
        # On a real server the second session waits for the lock, then is refused cleanly.
        assert isinstance(refusals[0], actions.ActionRefused)
        assert refusals[0].kind == "already_voted"


@pytest.mark.django_db(transaction=True)
def test_a_ballot_cast_as_the_poll_closes_is_counted_or_refused_never_lost() -> None:
    world = build_world()
    to_phase(world, Phase.VOTING)
    poll = open_poll(world)
    leader_pk, officer_pk = world.lai_chau_leader.pk, world.son_la_officer.pk
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def run(name: str, user_pk: int) -> None:
        from thidua.orgs.models import User

        try:
            user = User.objects.get(pk=user_pk)
            start.wait(timeout=10)
            if name == "cast":
                outcomes[name] = actions.do_cast_ballot(poll, choices=[], acting_user=user)
            else:
                outcomes[name] = actions.do_close_poll(poll, acting_user=user)
        except Exception as error:  # the refusal is what this test looks at
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("cast", leader_pk)),
        threading.Thread(target=run, args=("close", officer_pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    poll.refresh_from_db()
    assert poll.status == "closed", outcomes
    counted = Ballot.objects.filter(poll=poll).count()
    registered = VoterRegister.objects.filter(poll=poll).count()
    # Counted and registered together, or refused and neither; nothing left sealed.
    assert counted == registered
    assert not SealedBallot.objects.filter(poll=poll).exists()
    if isinstance(outcomes["cast"], str):
        assert counted == 1
        assert actions.receipt_is_counted(poll, outcomes["cast"])
    else:
        assert counted == 0
        assert isinstance(outcomes["cast"], actions.ActionRefused)


def race(poll: Poll, closer: int, voters: list[int]) -> dict[int, object]:
    """Each voter casts a blank ballot while `closer` closes the poll, all at once; each one's
    receipt, the closed poll, or the refusal, by user."""
    from thidua.orgs.models import User

    start = threading.Barrier(len(voters) + 1)
    outcomes: dict[int, object] = {}

    def act(user_pk: int) -> None:
        try:
            user = User.objects.get(pk=user_pk)
            start.wait(timeout=10)
            if user_pk == closer:
                outcomes[user_pk] = actions.do_close_poll(poll, acting_user=user)
            else:
                outcomes[user_pk] = actions.do_cast_ballot(poll, choices=[], acting_user=user)
        except Exception as error:  # the refusal is what this test looks at
            outcomes[user_pk] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(pk,)) for pk in [*voters, closer]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_three_ballots_racing_the_close_are_each_counted_or_refused() -> None:
    """Three leaders vote while the secretariat closes, three polls over: on each, every
    receipt handed out is in the count, every refused ballot is not, and none is counted twice."""
    world = build_world()
    to_phase(world, Phase.VOTING)
    leaders = [world.son_la_leader.pk, world.cao_bang_leader.pk, world.lai_chau_leader.pk]
    for run in range(3):
        poll = open_poll(world, title=f"Bỏ phiếu lần {run + 1}")
        outcomes = race(poll, world.son_la_officer.pk, leaders)

        poll.refresh_from_db()
        assert poll.status == "closed", outcomes
        receipts = [o for pk, o in outcomes.items() if pk in leaders and isinstance(o, str)]
        refused = [o for pk, o in outcomes.items() if pk in leaders and not isinstance(o, str)]
        assert len(receipts) + len(refused) == len(leaders)
        if connection.vendor == "postgresql":
            # Each waits for the poll's lock, then is told the poll is closed.
            assert all(isinstance(r, actions.ActionRefused) for r in refused), refused
        assert all(actions.receipt_is_counted(poll, r) for r in receipts)
        assert Ballot.objects.filter(poll=poll).count() == len(receipts)
        assert VoterRegister.objects.filter(poll=poll).count() == len(receipts)
        assert not SealedBallot.objects.filter(poll=poll).exists()
