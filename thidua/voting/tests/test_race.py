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
from thidua.voting.models import Ballot, VoterRegister

from .conftest import open_poll, to_phase


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_ballots_of_one_unit_record_exactly_one():
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
    assert Ballot.objects.filter(poll=poll).count() == 1
    receipts = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if not isinstance(o, str)]
    assert len(receipts) == 1 and len(refusals) == 1
    if connection.vendor == "postgresql":
        # On a real server the second session waits for the lock, then is refused cleanly.
        assert isinstance(refusals[0], actions.ActionRefused)
        assert refusals[0].kind == "already_voted"
