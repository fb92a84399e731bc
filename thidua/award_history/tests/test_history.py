"""Award history entered by hand: people, their posts, titles, ratings and initiatives."""

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from thidua.audit.models import AuditEntry
from thidua.award_history import actions, reads
from thidua.award_history.models import AwardRecord, Initiative, TaskRating
from thidua.award_history.rules import Post, head_in_year, is_head, unit_in_year
from thidua.errors import ActionRefused
from thidua.orgs.models import Person, PersonPosition, User
from thidua.testing.personas import World

from .conftest import grant


@pytest.fixture
def hoa(world: World) -> Any:
    """Nguyễn Thị Hòa of Lai Châu, registered by the supervisor."""
    return actions.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        position="Chuyên viên",
        since=dt.date(2010, 3, 1),
        acting_user=world.supervisor,
    )


def record_form(award: Any, **overrides: Any) -> Any:
    data = {
        "award-award_type": award("cstdcs").pk,
        "award-year": "2015",
        "award-decision_number": "  25/QĐ-SKHĐT ",
        "award-decision_date": "2016-01-20",
        "award-issuer_name": "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        "award-unit_name": "",
    }
    return {**data, **overrides}


# --- the pure parts --------------------------------------------------------------------------


def test_the_unit_in_a_year_is_the_post_begun_last_by_then() -> None:
    posts = [
        Post("Phòng Tổng hợp", dt.date(2010, 1, 1), dt.date(2014, 6, 30)),
        Post("Văn phòng Sở", dt.date(2014, 7, 1)),
    ]
    assert unit_in_year(posts, 2013) == "Phòng Tổng hợp"
    assert unit_in_year(posts, 2014) == "Văn phòng Sở"
    assert unit_in_year(posts, 2009) == ""


@pytest.mark.parametrize(
    ("title", "head"),
    [
        ("Trưởng phòng", True),
        ("Chánh Văn phòng", True),
        ("Chi cục trưởng", True),
        ("Giám đốc", True),
        ("Phó Trưởng phòng", False),
        ("Phó Chi cục trưởng", False),
        ("Chuyên viên", False),
        ("", False),
    ],
)
def test_a_head_is_told_from_the_title_and_a_deputy_never_is(title: str, head: bool) -> None:
    assert is_head(title) == head


def test_the_head_of_a_unit_in_a_year_is_the_one_in_post_that_year() -> None:
    posts = [
        Post("Văn phòng", dt.date(2010, 1, 1), dt.date(2015, 12, 31), "Chánh Văn phòng", "An"),
        Post("Văn phòng", dt.date(2016, 1, 1), None, "Chánh Văn phòng", "Bình"),
        Post("Văn phòng", None, None, "Phó Chánh Văn phòng", "Cường"),
    ]
    assert head_in_year(posts, 2015) == "An"
    assert head_in_year(posts, 2016) == "Bình"


# --- people ----------------------------------------------------------------------------------


def test_a_person_is_registered_with_the_post_in_the_unit_and_an_audit_entry(
    world: World, hoa: Any
) -> None:
    post = PersonPosition.objects.get(person=hoa)
    assert (post.organization, post.title, post.valid_from) == (
        world.orgs["lai_chau"],
        "Chuyên viên",
        dt.date(2010, 3, 1),
    )
    assert AuditEntry.objects.filter(action="person.create", object_id=str(hoa.pk)).exists()


def test_an_implausible_year_of_birth_or_a_reversed_period_is_refused(world: World) -> None:
    for birth, since, until in (
        (1850, None, None),
        (2015, None, None),
        (1980, dt.date(2016, 1, 1), dt.date(2015, 1, 1)),
    ):
        with pytest.raises(ActionRefused):
            actions.do_register_person(
                full_name="Trần Văn Nam",
                birth_year=birth,
                gender="male",
                unit=world.orgs["lai_chau"],
                since=since,
                until=until,
                acting_user=world.supervisor,
            )
    assert not Person.objects.exists()


def test_an_officer_registers_only_through_the_year_and_for_a_member_unit(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_register_person(
            full_name="Trần Văn Nam",
            birth_year=1985,
            gender="male",
            unit=world.orgs["lai_chau"],
            acting_user=world.lai_chau_officer,
        )


def test_the_supervisor_adds_a_later_post_and_the_same_post_twice_is_refused(
    world: World, hoa: Any
) -> None:
    actions.do_add_position(
        hoa,
        unit=world.orgs["son_la"],
        position="Phó Trưởng phòng",
        since=dt.date(2016, 1, 1),
        acting_user=world.supervisor,
    )
    with pytest.raises(ActionRefused):
        actions.do_add_position(
            hoa,
            unit=world.orgs["son_la"],
            position=" Phó  Trưởng phòng",
            since=dt.date(2016, 1, 1),
            acting_user=world.supervisor,
        )
    assert hoa.positions.count() == 2


def test_people_like_a_name_are_found_whatever_its_unicode_form_and_tone_placement(
    world: World, hoa: Any
) -> None:
    decomposed = unicodedata.normalize("NFD", "nguyễn thị hoà")
    assert reads.people_like(decomposed) == [hoa]
    assert reads.people_like("Nguyễn Thị Hồ") == []


# --- titles, ratings, initiatives ------------------------------------------------------------


def test_a_title_entered_by_hand_takes_the_unit_of_the_year_and_is_normalised(
    world: World, hoa: Any, award: Any
) -> None:
    rec = actions.do_record_award(
        award_type=award("cstdcs"),
        year=2015,
        person=hoa,
        decision_number="  25/QĐ-SKHĐT ",
        decision_date=dt.date(2016, 1, 20),
        issuer_name="Sở Kế hoạch   và Đầu tư tỉnh Lai Châu",
        acting_user=world.supervisor,
    )
    assert (rec.decision_number, rec.issuer_name, rec.unit_name, rec.source) == (
        "25/QĐ-SKHĐT",
        "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        AwardRecord.Source.MANUAL,
    )


def test_the_same_title_twice_is_refused_with_a_clear_message(
    world: World, hoa: Any, award: Any
) -> None:
    grant(world, "cstdcs", 2015, person=hoa)
    with pytest.raises(ActionRefused) as refused:
        grant(world, "cstdcs", 2015, person=hoa)
    assert refused.value.message == (
        "Nguyễn Thị Hòa đã có danh hiệu Chiến sĩ thi đua cơ sở năm 2015 trong lịch sử khen thưởng."
    )
    assert AwardRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("code", "year", "decided", "who"),
    [
        ("tt_ldtt", 2015, dt.date(2016, 1, 20), "person"),  # a collective's title
        ("cstdcs", 2015, dt.date(2014, 12, 1), "person"),  # decided before its year
        ("cstdcs", 1930, dt.date(1931, 1, 1), "person"),  # before the history begins
        ("cstdcs", 2015, dt.date(2016, 1, 20), "nobody"),
    ],
)
def test_a_title_that_cannot_be_is_refused_and_nothing_stored(
    world: World, hoa: Any, award: Any, code: str, year: int, decided: Any, who: str
) -> None:
    with pytest.raises(ActionRefused):
        actions.do_record_award(
            award_type=award(code),
            year=year,
            person=hoa if who == "person" else None,
            decision_number="1/QĐ",
            decision_date=decided,
            issuer_name="UBND tỉnh Lai Châu",
            acting_user=world.supervisor,
        )
    assert not AwardRecord.objects.exists()


def test_a_merged_person_takes_no_more_history(world: World, hoa: Any, award: Any) -> None:
    twin = actions.do_register_person(
        full_name="Nguyễn Thị Hoà",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        acting_user=world.supervisor,
    )
    actions.do_merge_people(hoa, twin, acting_user=world.supervisor)
    twin.refresh_from_db()
    with pytest.raises(ActionRefused):
        grant(world, "ldtt", 2015, person=twin)


def test_the_same_rating_twice_is_refused_and_a_different_one_replaces_only_when_asked(
    world: World, hoa: Any
) -> None:
    def rate(rating: Any, replace: Any = False) -> Any:
        return actions.do_record_rating(
            year=2015, rating=rating, person=hoa, replace=replace, acting_user=world.supervisor
        )

    rate("httnv")
    with pytest.raises(ActionRefused) as same:
        rate("httnv")
    assert same.value.kind == "duplicate"
    with pytest.raises(ActionRefused) as other:
        rate("htxsnv")
    assert other.value.kind == "exists"
    assert TaskRating.objects.get().rating == "httnv"
    rate("htxsnv", replace=True)
    assert TaskRating.objects.get().rating == "htxsnv"


def test_the_same_initiative_in_another_spelling_is_refused(world: World, hoa: Any) -> None:
    actions.do_record_initiative(
        hoa,
        title="Phần mềm theo dõi vốn đầu tư công",
        level="grassroots",
        year=2016,
        acting_user=world.supervisor,
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_record_initiative(
            hoa,
            title=unicodedata.normalize("NFD", "phần mềm  theo dõi vốn đầu tư CÔNG"),
            level="grassroots",
            year=2016,
            acting_user=world.supervisor,
        )
    assert refused.value.kind == "duplicate"
    assert Initiative.objects.count() == 1


def test_only_the_supervisor_keeps_the_history(world: World, hoa: Any, award: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_record_initiative(
            hoa, title="x", level="grassroots", year=2016, acting_user=world.lai_chau_officer
        )


# --- the pages -------------------------------------------------------------------------------


def test_the_supervisor_lists_and_searches_people_and_an_officer_gets_403(
    as_user: Callable[[User], Client],
    world: World,
    hoa: Any,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    assert as_user(world.lai_chau_officer).get("/awards/people/").status_code == 403
    client = as_user(world.supervisor)
    body = client.get("/awards/people/?q=hoà").content.decode()
    assert "Nguyễn Thị Hòa" in body
    assert "Sở Kế hoạch và Đầu tư tỉnh Lai Châu" not in body.split('data-testid="people"')[0]
    assert (
        "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
        in client.get("/awards/people/?q=lai châu").content.decode()
    )
    # Both counts are taken on the first request after a change: what the access checks
    # read is kept until the data changes (and so is the main menu, read again then: 3).
    actions.do_register_person(
        full_name="Người thứ nhất",
        birth_year=1980,
        gender="male",
        unit=world.orgs["son_la"],
        acting_user=world.supervisor,
    )
    with django_assert_max_num_queries(15) as few:
        client.get("/awards/people/")
    for i in range(8):
        actions.do_register_person(
            full_name=f"Người thứ {i}",
            birth_year=1980,
            gender="male",
            unit=world.orgs["son_la"],
            acting_user=world.supervisor,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/awards/people/")


def test_the_supervisor_registers_a_person_in_the_page(
    as_user: Callable[[User], Client], world: World
) -> None:
    data = {
        "full_name": "  Trần   Văn Nam ",
        "birth_year": "1985",
        "gender": "male",
        "unit": world.orgs["cao_bang"].pk,
        "position": "Chuyên viên",
        "since": "2012-05-01",
    }
    assert as_user(world.lai_chau_officer).post("/awards/people/new/", data).status_code == 403
    response = as_user(world.supervisor).post("/awards/people/new/", data)
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/awards/people/{person.pk}/"
    assert person.full_name == "Trần Văn Nam"


def test_a_possible_duplicate_is_shown_before_registering_and_kept_apart_when_confirmed(
    as_user: Callable[[User], Client], world: World, hoa: Any
) -> None:
    data = {
        "full_name": unicodedata.normalize("NFD", "Nguyễn Thị Hoà"),
        "birth_year": "1980",
        "gender": "female",
        "unit": world.orgs["son_la"].pk,
    }
    client = as_user(world.supervisor)
    response = client.post("/awards/people/new/", data)
    assert response.status_code == 400
    assert 'data-testid="similar-people"' in response.content.decode()
    assert f"/awards/people/{hoa.pk}/" in response.content.decode()
    assert Person.objects.count() == 1
    response = client.post("/awards/people/new/", {**data, "confirm_new": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 2
    twin = Person.objects.exclude(pk=hoa.pk).get()
    merge_page = client.get("/awards/people/duplicates/").content.decode()
    assert f'name="keep" value="{hoa.pk}"' in merge_page
    assert f'name="duplicate" value="{twin.pk}"' in merge_page


def test_an_officer_registers_a_person_of_the_unit_and_another_member_unit_cannot_be_chosen(
    as_user: Callable[[User], Client], world: World
) -> None:
    url = world.url.replace("/c/", "/awards/c/") + "people/new/"
    data = {"full_name": "Lò Văn Hùng", "birth_year": "1990", "gender": "male"}
    client = as_user(world.lai_chau_officer)
    refused = client.post(url, {**data, "unit": world.orgs["son_la"].pk})
    assert refused.status_code == 400
    assert not Person.objects.exists()
    response = client.post(url, {**data, "unit": world.orgs["lai_chau"].pk})
    assert response.status_code == 302
    assert Person.objects.get().positions.get().organization == world.orgs["lai_chau"]
    assert as_user(world.outsider).get(url).status_code == 404
    assert as_user(world.supervisor).get(url).status_code == 403


def test_the_supervisor_enters_a_title_a_rating_and_an_initiative_in_the_page(
    as_user: Callable[[User], Client], world: World, hoa: Any, award: Any
) -> None:
    page = f"/awards/people/{hoa.pk}/"
    client = as_user(world.supervisor)
    assert client.post(page + "award/", record_form(award)).status_code == 302
    assert (
        client.post(
            page + "rating/", {"rating-year": "2015", "rating-rating": "htxsnv"}
        ).status_code
        == 302
    )
    initiative = {
        "initiative-title": "Sổ tay thẩm định dự án",
        "initiative-level": "grassroots",
        "initiative-year": "2015",
    }
    assert client.post(page + "initiative/", initiative).status_code == 302
    body = client.get(page).content.decode()
    for shown in ("Chiến sĩ thi đua cơ sở", "25/QĐ-SKHĐT", "Sổ tay thẩm định dự án"):
        assert shown in body
    assert hoa.award_records.get().unit_name == "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"


def test_the_same_title_twice_in_the_page_answers_409_with_the_reason(
    as_user: Callable[[User], Client], world: World, hoa: Any, award: Any
) -> None:
    page = f"/awards/people/{hoa.pk}/"
    client = as_user(world.supervisor)
    client.post(page + "award/", record_form(award))
    response = client.post(page + "award/", record_form(award))
    assert response.status_code == 409
    assert "đã có danh hiệu Chiến sĩ thi đua cơ sở năm 2015" in response.content.decode()
    assert AwardRecord.objects.count() == 1


def test_an_incomplete_form_answers_400_and_an_unknown_kind_404(
    as_user: Callable[[User], Client], world: World, hoa: Any, award: Any
) -> None:
    page = f"/awards/people/{hoa.pk}/"
    client = as_user(world.supervisor)
    assert client.post(page + "award/", record_form(award, **{"award-year": ""})).status_code == 400
    assert client.post(page + "medal/", record_form(award)).status_code == 404
    assert as_user(world.cao_bang_officer).get(page).status_code == 403


def test_a_units_title_and_rating_are_entered_in_its_page(
    as_user: Callable[[User], Client], world: World, award: Any
) -> None:
    office = world.orgs["lai_chau"]
    page = f"/awards/units/{office.pk}/"
    client = as_user(world.supervisor)
    data = record_form(award, **{"award-award_type": award("tt_ldtt").pk})
    assert client.post(page + "award/", data).status_code == 302
    assert client.post(page + "initiative/", {}).status_code == 404
    assert office.award_records.get().award_type.code == "tt_ldtt"
    assert as_user(world.lai_chau_officer).get(page).status_code == 403
