"""The awards area's own personas: a cluster year in its proposals phase, with people."""

import datetime as dt

import pytest

from thidua.awards import actions
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.models import AwardType
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import EmulationYear, Phase
from thidua.orgs.actions import do_create_organization


def to_proposals(world):
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


@pytest.fixture(autouse=True)
def _catalogue(request):
    # A transactional test elsewhere may have flushed the rows migration 0002 wrote.
    uses_db = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db", "world"} & set(request.fixturenames)
    )
    if uses_db:
        transactional = "transactional_db" in request.fixturenames
        request.getfixturevalue("transactional_db" if transactional else "db")
        ensure_catalogue()


@pytest.fixture
def award(db):
    return lambda code: AwardType.objects.get(code=code)


@pytest.fixture
def proposals(world):
    return to_proposals(world)


@pytest.fixture
def lai_chau_person(proposals):
    return actions.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=proposals.orgs["lai_chau"],
        position="Chuyên viên",
        year=proposals.year,
        acting_user=proposals.lai_chau_officer,
    )


@pytest.fixture
def office(proposals):
    """A collective of Lai Châu's department: its office."""
    return do_create_organization(
        name="Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        parent=proposals.orgs["lai_chau"],
        acting_user=proposals.admin,
    )


def grant(world, code, year, *, person=None, organization=None, award=None):
    return actions.do_record_award(
        award_type=AwardType.objects.get(code=code),
        year=year,
        person=person,
        organization=organization,
        decision_number=f"{year}/QĐ-SKHĐT",
        decision_date=dt.date(year + 1, 1, 15),
        issuer_name="Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        acting_user=world.supervisor,
    )


def rate(world, year, rating, *, person=None, organization=None):
    return actions.do_record_rating(
        year=year,
        rating=rating,
        person=person,
        organization=organization,
        acting_user=world.supervisor,
    )
