"""The awards area's own personas: a cluster year in its proposals phase, with people; with
award history's helpers (the catalogue, titles and ratings entered by hand)."""

from typing import Any

import pytest

from thidua.award_history import actions as history
from thidua.award_history.tests.conftest import _catalogue as _catalogue
from thidua.award_history.tests.conftest import award as award
from thidua.award_history.tests.conftest import grant as grant
from thidua.award_history.tests.conftest import rate as rate
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import EmulationYear, Phase
from thidua.orgs.actions import do_create_organization
from thidua.testing.personas import World


def to_proposals(world: Any) -> Any:
    """Put the personas' year in the proposals phase.

    The phases in between belong to other areas (scores, the conference, the polls) whose
    own checks would have to be satisfied first; they are not what these tests are about,
    so the year is set there directly. The demo test plays the real sequence.
    """
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    do_move_phase(world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer)
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    world.year.refresh_from_db()
    return world


@pytest.fixture
def proposals(world: World) -> Any:
    return to_proposals(world)


@pytest.fixture
def lai_chau_person(proposals: Any) -> Any:
    return history.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=proposals.orgs["lai_chau"],
        position="Chuyên viên",
        year=proposals.year,
        acting_user=proposals.lai_chau_officer,
    )


@pytest.fixture
def office(proposals: Any) -> Any:
    """A collective of Lai Châu's department: its office."""
    return do_create_organization(
        name="Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        parent=proposals.orgs["lai_chau"],
        acting_user=proposals.admin,
    )
