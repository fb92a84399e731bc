"""Organisations keep their history through renames and mergers."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from thidua import access
from thidua.cycle.models import Membership
from thidua.errors import ActionRefused
from thidua.orgs import actions, rules
from thidua.orgs.models import Organization, Succession
from thidua.testing.personas import World, make_user


def test_predecessors_follow_chains_of_mergers() -> None:
    edges = [(1, 3), (2, 3), (3, 4), (5, 6)]
    assert rules.predecessors(4, edges) == {1, 2, 3}
    assert rules.successors(1, edges) == {3, 4}
    assert rules.predecessors(1, edges) == set()


@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8))))
def test_lineage_never_contains_the_unit_itself_and_terminates_on_cycles(edges: Any) -> None:
    for node in range(9):
        assert node not in rules.predecessors(node, edges)
        for before in rules.predecessors(node, edges):
            assert node in rules.successors(before, edges)


def _merge_ha_giang_into_tuyen_quang(world: Any) -> Any:
    ha_giang = world.orgs["lai_chau"]  # plays the merged-away province's department here
    finance = actions.do_create_organization(
        name="Sở Tài chính tỉnh Tuyên Quang",
        short_name="Sở TC Tuyên Quang",
        kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
        province="Tuyên Quang",
        acting_user=world.admin,
    )
    actions.do_record_succession(
        [ha_giang],
        finance,
        kind=Succession.Kind.MERGER,
        effective=dt.date(2025, 7, 1),
        acting_user=world.admin,
    )
    return ha_giang, finance


def test_a_successor_sees_its_predecessors_years(world: World) -> None:
    _ha_giang, finance = _merge_ha_giang_into_tuyen_quang(world)
    officer = make_user("tuyen-quang-canbo", finance)
    assert officer.has_perm("cycle.view_year", world.year)
    assert access.clusters_visible_to(officer).filter(pk=world.cluster.pk).exists()
    # ... but it does not act as a member of a year it was not in.
    assert not officer.has_perm("cycle.sign_pledge", world.year)


def test_old_records_keep_the_name_the_unit_had(world: World) -> None:
    ha_giang, _finance = _merge_ha_giang_into_tuyen_quang(world)
    membership = Membership.objects.get(year=world.year, organization=ha_giang)
    assert membership.organization.name == "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
    ha_giang.refresh_from_db()
    assert ha_giang.valid_to == dt.date(2025, 6, 30)


def test_a_rename_continues_exactly_one_unit(world: World) -> None:
    new = actions.do_create_organization(name="Sở mới", acting_user=world.admin)
    with pytest.raises(ActionRefused):
        actions.do_record_succession(
            [world.orgs["son_la"], world.orgs["cao_bang"]],
            new,
            kind=Succession.Kind.RENAME,
            effective=dt.date(2025, 3, 1),
            acting_user=world.admin,
        )
    assert not Succession.objects.exists()


def test_only_the_administrator_changes_organisations(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.do_create_organization(name="Sở X", acting_user=world.son_la_officer)


def test_organisation_page_shows_what_it_continues(client: Client, world: World) -> None:
    ha_giang, finance = _merge_ha_giang_into_tuyen_quang(world)
    client.force_login(world.lai_chau_officer)
    body = client.get(f"/orgs/{finance.pk}/").content.decode()
    assert "Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in body
    assert "Hợp nhất vào" in body or "hợp nhất vào" in body
    body = client.get(f"/orgs/{ha_giang.pk}/").content.decode()
    assert "Sở Tài chính tỉnh Tuyên Quang" in body
    assert f"/c/{world.cluster.slug}/2016/" in body  # the member sees its own year


def test_organisation_page_hides_clusters_from_those_who_may_not_see_them(
    client: Client, world: World
) -> None:
    client.force_login(world.outsider)
    body = client.get(f"/orgs/{world.orgs['son_la'].pk}/").content.decode()
    assert f"/c/{world.cluster.slug}/2016/" not in body


def test_organisation_page_needs_a_login(client: Client, world: World) -> None:
    assert client.get(f"/orgs/{world.orgs['son_la'].pk}/").status_code == 302
    client.force_login(world.outsider)
    assert client.get("/orgs/999999/").status_code == 404
