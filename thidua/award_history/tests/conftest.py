"""Award history's test helpers: the catalogue's titles and awards, and history entered by
hand (awards' tests use them too)."""

import datetime as dt
from typing import Any

import pytest

from thidua.award_history import actions
from thidua.award_history.models import AwardType
from thidua.awards.catalogue import ensure_catalogue


@pytest.fixture(autouse=True)
def _catalogue(request: pytest.FixtureRequest) -> None:
    # A transactional test elsewhere may have flushed the rows awards' migration 0002 wrote.
    uses_db = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db", "world"} & set(request.fixturenames)
    )
    if uses_db:
        transactional = "transactional_db" in request.fixturenames
        request.getfixturevalue("transactional_db" if transactional else "db")
        ensure_catalogue()


@pytest.fixture
def award(db: None) -> Any:
    return lambda code: AwardType.objects.get(code=code)


def grant(
    world: Any,
    code: Any,
    year: Any,
    *,
    person: Any = None,
    organization: Any = None,
    award: Any = None,
) -> Any:
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


def rate(
    world: Any, year: Any, rating: Any, *, person: Any = None, organization: Any = None
) -> Any:
    return actions.do_record_rating(
        year=year,
        rating=rating,
        person=person,
        organization=organization,
        acting_user=world.supervisor,
    )
