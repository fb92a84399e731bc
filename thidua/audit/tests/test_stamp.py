"""The audit stamp: read once per request while nothing is saved, on every call otherwise."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from pytest_django import DjangoAssertNumQueries

from thidua.audit.record import record
from thidua.audit.stamp import StampedCache, fresh_copy, stamp
from thidua.cycle.models import EmulationYear
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_test_connection() -> Iterator[Any]:
    """As the test client does: a request's start and end must not close the test database."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def in_request() -> Iterator[Any]:
    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


def test_a_request_reads_the_chain_head_once(
    in_request: Any, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        assert stamp() == stamp()


def test_a_change_made_during_the_request_gives_a_new_stamp(in_request: Any, world: World) -> None:
    before = stamp()
    record("organization.change", world.orgs["son_la"], actor=world.admin)
    after = stamp()
    assert after != before and after[1] != before[1]


def test_outside_a_request_every_call_reads_the_head(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        stamp()
        stamp()


def test_the_next_request_reads_the_head_again(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    request_started.send(sender=None)
    stamp()
    request_finished.send(sender=None)
    request_started.send(sender=None)
    try:
        with django_assert_num_queries(1):
            stamp()
    finally:
        request_finished.send(sender=None)


def test_a_kept_row_is_given_as_a_copy_of_its_own(world: World) -> None:
    kept = StampedCache[EmulationYear](size=1)
    year = kept.get("year", lambda: EmulationYear.objects.select_related("cluster").get())
    copy = fresh_copy(year)
    copy.phase = "closed"
    copy.cluster.name = "Khác"
    assert (year.phase, year.cluster.name) == (world.year.phase, world.cluster.name)
    assert (copy.pk, copy.cluster.pk) == (year.pk, year.cluster.pk)
