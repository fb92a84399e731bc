"""Two people acting at the same moment: exactly one change is recorded."""

import threading

import pytest
from django.db import connection

from thidua.cycle import actions
from thidua.cycle.models import Pledge, Signature
from thidua.errors import ActionRefused
from thidua.orgs.models import User
from thidua.testing.personas import build_world


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_signatures_of_one_unit_record_one() -> None:
    world = build_world()
    world.to_pledge_phase()
    pledge_id = Pledge.objects.get(year=world.year).pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign() -> None:
        # Each thread has its own database connection, as two web requests would.
        try:
            leader = User.objects.get(username="lai-chau-lanhdao")
            pledge = Pledge.objects.get(pk=pledge_id)
            barrier.wait(timeout=10)
            actions.do_sign_pledge(pledge, unit=leader.organization, acting_user=leader)
            outcomes.append("signed")
        except ActionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "signed"]
    assert Signature.objects.filter(organization=world.orgs["lai_chau"]).count() == 1
