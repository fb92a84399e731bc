"""The dashboard's figures of a year: shared by its readers, read again after any change.

A change "made elsewhere" is one another server process commits: this process learns of it
only through the audit chain's head, not through its own saves (see `thidua.audit.stamp`).
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from thidua.audit.record import record
from thidua.cycle.actions import do_sign_pledge
from thidua.orgs.models import User
from thidua.testing.personas import World

TO_SIGN = "Ký giao ước thi đua"


def test_a_signature_made_elsewhere_is_seen_on_the_next_request(
    as_user: Callable[[User], Client],
    world: World,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    pledge = world.to_pledge_phase()
    client = as_user(world.son_la_officer)
    assert client.get(world.url).content.decode().count(TO_SIGN) == 3
    with elsewhere():
        do_sign_pledge(pledge, unit=world.orgs["son_la"], acting_user=world.son_la_leader)
    assert client.get(world.url).content.decode().count(TO_SIGN) == 2


def test_what_stops_the_next_phase_is_shown_to_the_secretariat_only(
    as_user: Callable[[User], Client], world: World
) -> None:
    # A member reads the year first; the secretariat then sees its own part all the same.
    member = as_user(world.lai_chau_officer).get(world.url)
    assert member.context["blockers"] == [] and member.context["can_change_phase"] is False
    secretariat = as_user(world.son_la_officer).get(world.url)
    assert secretariat.context["blockers"] and secretariat.context["can_change_phase"] is True
    assert as_user(world.lai_chau_officer).get(world.url).context["blockers"] == []


def test_each_language_has_its_own_figures(as_user: Callable[[User], Client], world: World) -> None:
    world.to_pledge_phase()
    client = as_user(world.son_la_officer)
    assert TO_SIGN in client.get(world.url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(world.url).content.decode()
    assert TO_SIGN not in body and "Sign the emulation pledge" in body


def test_a_dashboard_read_again_asks_only_for_the_user_the_year_and_the_stamp(
    as_user: Callable[[User], Client],
    world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    world.to_pledge_phase()
    client = as_user(world.son_la_officer)
    client.get(world.url)
    # Session, user, year, successions, the user's roles, the stamp, an area's link check,
    # the user's unit in the page header: the roles are read once for the whole request.
    with django_assert_max_num_queries(8):
        assert client.get(world.url).status_code == 200


def test_a_supervision_taken_away_elsewhere_is_refused_on_the_next_request(
    as_user: Callable[[User], Client],
    world: World,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    client = as_user(world.supervisor)
    assert client.get(world.url).status_code == 200
    cluster = world.cluster
    with elsewhere():
        cluster.supervisor = world.orgs["yen_bai"]
        cluster.save()
        record("cluster.change", cluster, actor=world.admin)
    assert client.get(world.url).status_code == 404


def test_the_header_shows_each_readers_own_unit_and_a_new_name_on_the_next_request(
    as_user: Callable[[User], Client],
    world: World,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    def header(user: Any) -> Any:
        return as_user(user).get(world.url).content.decode().split("<main")[0]

    son_la, lai_chau = escape(world.orgs["son_la"].display_name), world.orgs["lai_chau"]
    assert son_la in header(world.son_la_officer)
    assert escape(lai_chau.display_name) in header(world.lai_chau_officer)
    assert son_la not in header(world.lai_chau_officer)
    with elsewhere():
        lai_chau.short_name = "Sở KH&ĐT Lai Châu (mới)"
        lai_chau.save()
        record("organization.change", lai_chau, actor=world.admin)
    assert "Sở KH&amp;ĐT Lai Châu (mới)" in header(world.lai_chau_officer)


def test_a_page_read_again_reads_only_the_session_the_user_and_the_stamp(
    as_user: Callable[[User], Client],
    world: World,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = as_user(world.son_la_officer)
    client.get(world.url)
    with django_assert_num_queries(3):
        page = client.get(world.url).content.decode()
    assert escape(world.orgs["son_la"].display_name) in page
