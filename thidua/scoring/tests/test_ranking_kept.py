"""The ranking kept for the page: read once, read again after any attributed change.

A change "made elsewhere" is one another server process commits: this process learns of it
only through the audit chain's head, not through its own saves (see `thidua.audit.stamp`).
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.test import Client
from pytest_django import DjangoAssertNumQueries

from thidua.cycle.models import Phase
from thidua.orgs.models import User
from thidua.scoring import reads
from thidua.testing.personas import World

from .conftest import move


def ranking_url(world: Any) -> Any:
    return f"{world.url}scoring/ranking/"


def test_the_ranking_frozen_elsewhere_is_seen_on_the_next_request(
    as_user: Callable[[User], Client],
    cross_checking: World,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    client = as_user(cross_checking.son_la_officer)
    before = client.get(ranking_url(cross_checking))
    assert before.context["ranking"].provisional
    assert 'class="badge provisional"' in before.content.decode()
    with elsewhere():
        move(cross_checking, Phase.CONFERENCE)
    after = client.get(ranking_url(cross_checking))
    shown = after.context["ranking"]
    assert not shown.provisional and shown.snapshot is not None
    assert 'class="badge snapshot"' in after.content.decode()
    expected = reads.ranking(cross_checking.year)
    assert expected is not None
    assert shown.standings == expected.standings


def test_a_ranking_read_again_is_not_computed_again(
    as_user: Callable[[User], Client],
    cross_checking: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = as_user(cross_checking.lai_chau_officer)
    first = client.get(ranking_url(cross_checking)).context["ranking"]
    # Session, user, the stamp: the year, the user's roles and unit and the page are kept.
    with django_assert_max_num_queries(3):
        again = client.get(ranking_url(cross_checking)).context["ranking"]
    assert again is first
    expected = reads.ranking(cross_checking.year)
    assert expected is not None
    assert again.standings == expected.standings
