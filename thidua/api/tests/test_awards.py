"""Nominations, eligibility and award history through the API, as the pages show them."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from thidua.award_history import actions as history_actions
from thidua.award_history.models import AwardType
from thidua.awards.models import Nomination
from thidua.cycle.models import Phase
from thidua.orgs.actions import do_create_organization, do_record_succession
from thidua.orgs.models import Organization, Succession, User
from thidua.testing.personas import World

from .conftest import jump, nominate, year_url


@pytest.fixture
def proposals(world: World) -> Any:
    world.sign_all(world.to_pledge_phase())
    jump(world, Phase.PROPOSALS)
    return world


@pytest.fixture
def made(proposals: Any) -> Any:
    return nominate(proposals)


def test_member_lists_the_nominations_with_verdicts_in_a_fixed_number_of_queries(
    api: Any, proposals: Any, made: Any, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = api(proposals.cao_bang_officer)
    with django_assert_max_num_queries(25):
        listed = client.get(year_url(proposals) + "/nominations").json()
    assert listed["count"] == 3
    assert sum(listed["totals"].values()) == 3
    by_award = {n["award"]: n for n in listed["nominations"]}
    assert set(by_award) == {"ldtt", "cstdcs", "tt_ldtt"}
    assert by_award["cstdcs"]["nominee"] == "Nguyễn Thị Hòa"
    assert by_award["cstdcs"]["verdict"]["verdict"] in {"eligible", "not_eligible", "needs_review"}
    assert by_award["cstdcs"]["verdict"]["label"]


def test_nominations_filter_by_unit_award_status_and_name(
    api: Any, proposals: Any, made: Any
) -> None:
    client = api(proposals.supervisor)
    url = year_url(proposals) + "/nominations"

    def awards(**query: Any) -> Any:
        return sorted(n["award"] for n in client.get(url, query).json()["nominations"])

    assert awards(award="cstdcs") == ["cstdcs"]
    assert awards(q="hoa") == ["cstdcs", "ldtt", "tt_ldtt"]  # "Kế hoạch" has "hoa" too
    assert awards(q="Thị Hoà") == ["cstdcs", "ldtt"]
    assert awards(unit=proposals.orgs["son_la"].pk) == []
    assert awards(status="draft") == ["cstdcs", "ldtt", "tt_ldtt"]
    assert awards(status="submitted") == []
    refused = client.get(url, {"status": "unknown", "unit": "Sơn La"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "Yêu cầu không hợp lệ: query.unit: phải là số nguyên. query.status: phải là một "
        "trong các giá trị: 'draft', 'submitted', 'compiled', 'approved', 'returned', 'decided'."
    )


def test_one_nomination_with_its_verdict_and_reasons(api: Any, proposals: Any, made: Any) -> None:
    nomination = made.nominations[1]
    url = year_url(proposals) + f"/nominations/{nomination.pk}"
    detail = api(proposals.lai_chau_officer).get(url).json()
    assert (detail["award"], detail["status"]) == ("cstdcs", "draft")
    assert detail["summary"] == "Hoàn thành xuất sắc nhiệm vụ."
    assert detail["verdict"]["reasons"]
    assert all(r["text"] for r in detail["verdict"]["reasons"])


def test_the_year_judged_as_a_batch(api: Any, proposals: Any, made: Any) -> None:
    batch = api(proposals.son_la_officer).get(year_url(proposals) + "/eligibility").json()
    assert batch["count"] == 3
    listed = api(proposals.son_la_officer).get(year_url(proposals) + "/nominations").json()
    assert batch["totals"] == listed["totals"]


def test_outsider_gets_404_for_nominations_eligibility_and_history(
    api: Any, proposals: Any, made: Any
) -> None:
    client = api(proposals.outsider)
    base = year_url(proposals)
    for path in (
        "/nominations",
        f"/nominations/{made.nominations[0].pk}",
        "/eligibility",
        f"/award-history/people/{made.person.pk}",
        f"/award-history/units/{proposals.orgs['lai_chau'].pk}",
    ):
        assert client.get(base + path).status_code == 404


def test_a_persons_history_lists_titles_in_order(api: Any, proposals: Any, made: Any) -> None:
    url = year_url(proposals) + f"/award-history/people/{made.person.pk}"
    history = api(proposals.supervisor).get(url).json()
    assert history["full_name"] == "Nguyễn Thị Hòa"
    assert [(a["award"], a["year"]) for a in history["awards"]] == [("ldtt", 2014), ("ldtt", 2015)]


def test_the_history_of_someone_outside_the_years_units_is_not_found(
    api: Any, proposals: Any, made: Any
) -> None:
    stranger = history_actions.do_register_person(
        full_name="Trần Văn Nam",
        birth_year=1975,
        gender="male",
        unit=proposals.orgs["yen_bai"],
        acting_user=proposals.supervisor,
    )
    url = year_url(proposals) + f"/award-history/people/{stranger.pk}"
    assert api(proposals.supervisor).get(url).status_code == 404
    unit = year_url(proposals) + f"/award-history/units/{proposals.orgs['yen_bai'].pk}"
    assert api(proposals.supervisor).get(unit).status_code == 404


def test_award_history_answers_in_the_api_as_on_its_pages(
    api: Any, as_user: Callable[[User], Client], proposals: Any, made: Any
) -> None:
    # The person's and the unit's history pages are the supervisor's (awards.manage_history);
    # the API refuses the same members' officers the pages refuse, with the same status.
    person = made.person.pk
    unit = proposals.orgs["lai_chau"].pk
    pairs = [
        (f"/award-history/people/{person}", f"/awards/people/{person}/"),
        (f"/award-history/units/{unit}", f"/awards/units/{unit}/"),
    ]
    for user in (proposals.son_la_officer, proposals.lai_chau_officer, proposals.supervisor):
        for in_api, on_page in pairs:
            api_status = api(user).get(year_url(proposals) + in_api).status_code
            page_status = as_user(user).get(on_page).status_code
            assert api_status == page_status, (user, in_api, api_status, page_status)


def test_a_units_history_includes_the_units_it_continues(
    api: Any, proposals: Any, made: Any
) -> None:
    before = do_create_organization(
        name="Sở Kế hoạch tỉnh Lai Châu",
        kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
        province="Lai Châu",
        acting_user=proposals.admin,
    )
    do_record_succession(
        [before],
        proposals.orgs["lai_chau"],
        kind=Succession.Kind.RENAME,
        effective=dt.date(2010, 1, 1),
        acting_user=proposals.admin,
    )
    history_actions.do_record_award(
        award_type=AwardType.objects.get(code="tt_ldxs"),
        year=2008,
        organization=before,
        decision_number="12/QĐ-UBND",
        decision_date=dt.date(2009, 1, 20),
        issuer_name="Ủy ban nhân dân tỉnh Lai Châu",
        acting_user=proposals.supervisor,
    )
    url = year_url(proposals) + f"/award-history/units/{proposals.orgs['lai_chau'].pk}"
    history = api(proposals.supervisor).get(url).json()
    assert set(history["lineage"]) == {proposals.orgs["lai_chau"].pk, before.pk}
    assert [(a["award"], a["year"], a["organization_id"]) for a in history["awards"]] == [
        ("tt_ldxs", 2008, before.pk)
    ]
    assert history["awards"][0]["unit_name"] == "Sở Kế hoạch tỉnh Lai Châu"


def test_a_nomination_of_another_year_is_not_found(api: Any, proposals: Any, made: Any) -> None:
    other = Nomination.objects.filter(year=proposals.year).first()
    assert other is not None
    url = f"/api/v1/clusters/{proposals.cluster.slug}/years/2015/nominations/{other.pk}"
    assert api(proposals.son_la_officer).get(url).status_code == 404
