"""Scoring through the API: the table, self-assessments as the pages show them, the ranking."""

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from thidua.cycle.models import Phase
from thidua.testing.personas import World

from .conftest import (
    define_indicators,
    make_table,
    move,
    self_score,
    submit,
    to_cross_check,
    to_in_progress,
    year_url,
)


def to_self_assessment(world: Any) -> None:
    to_in_progress(world)
    define_indicators(world)
    make_table(world)
    move(world, Phase.SELF_ASSESSMENT)


@pytest.fixture
def self_assessing(world: World) -> Any:
    """The table is locked; Sơn La has saved a draft, Cao Bằng has submitted."""
    to_self_assessment(world)
    self_score(world, "son_la")
    self_score(world, "cao_bang")
    submit(world, "cao_bang")
    return world


def test_member_reads_the_criteria_table_with_its_bands(api: Any, self_assessing: Any) -> None:
    table = api(self_assessing.lai_chau_officer).get(year_url(self_assessing) + "/scoring/table")
    data = table.json()
    assert data["locked"] is True
    assert [(c["number"], c["parent"], c["depth"]) for c in data["criteria"]] == [
        ("I", None, 0),
        ("I.1", "I", 1),
        ("I.2", "I", 1),
        ("B", None, 0),
        ("P", None, 0),
    ]
    assert (data["max_total"], data["min_total"]) == ("22", "-3")
    assert [b["classification"] for b in data["bands"]] == ["xuat_sac", "tot", "hoan_thanh"]
    assert data["problems"] == []


def test_there_is_no_table_to_read_before_the_secretariat_makes_one(api: Any, world: World) -> None:
    assert api(world.son_la_officer).get(year_url(world) + "/scoring/table").status_code == 404


def test_outsider_gets_404_for_every_scoring_endpoint(api: Any, self_assessing: Any) -> None:
    client = api(self_assessing.outsider)
    for path in ("/table", "/ranking", f"/units/{self_assessing.orgs['son_la'].pk}"):
        assert client.get(year_url(self_assessing) + "/scoring" + path).status_code == 404


def test_a_unit_sees_its_own_draft(api: Any, self_assessing: Any) -> None:
    url = year_url(self_assessing) + f"/scoring/units/{self_assessing.orgs['son_la'].pk}"
    own = api(self_assessing.son_la_leader).get(url).json()
    assert (own["visible"], own["submitted"]) == (True, False)
    assert [(s["number"], s["points"]) for s in own["scores"]] == [
        ("I.1", "10"),
        ("I.2", "9"),
        ("B", "2"),
        ("P", "0"),
    ]
    assert own["total"] == "21"


def test_another_unit_and_the_supervisor_do_not_see_a_draft(api: Any, self_assessing: Any) -> None:
    url = year_url(self_assessing) + f"/scoring/units/{self_assessing.orgs['son_la'].pk}"
    for user in (self_assessing.lai_chau_officer, self_assessing.supervisor):
        other = api(user).get(url).json()
        assert (other["visible"], other["scores"], other["total"]) == (False, [], None)


def test_a_submitted_assessment_is_seen_by_every_member(api: Any, self_assessing: Any) -> None:
    url = year_url(self_assessing) + f"/scoring/units/{self_assessing.orgs['cao_bang'].pk}"
    seen = api(self_assessing.lai_chau_officer).get(url).json()
    assert seen["submitted"] is True and seen["visible"] is True
    assert seen["total"] == "19"


def test_there_is_no_ranking_before_cross_check(api: Any, self_assessing: Any) -> None:
    response = api(self_assessing.son_la_officer).get(year_url(self_assessing) + "/scoring/ranking")
    assert response.status_code == 404


def test_the_ranking_is_provisional_in_cross_check_and_frozen_after(
    api: Any, world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    to_self_assessment(world)
    to_cross_check(world)
    client = api(world.lai_chau_officer)
    url = year_url(world) + "/scoring/ranking"
    with django_assert_max_num_queries(15):
        live = client.get(url).json()
    assert live["provisional"] is True and live["frozen_at"] is None
    assert [(s["rank"], s["total"], s["classification"]) for s in live["standings"]] == [
        (1, "21", "xuat_sac"),
        (2, "19", "xuat_sac"),
        (3, "15", "hoan_thanh"),
    ]
    move(world, Phase.CONFERENCE)
    frozen = client.get(url).json()
    assert frozen["provisional"] is False and frozen["frozen_at"] is not None
    assert frozen["standings"] == live["standings"]
