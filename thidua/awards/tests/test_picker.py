"""The nomination picker tells namesakes apart (year of birth, unit) and, in a browser,
finds a person by name, year of birth or unit as typed, with or without diacritics."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.award_history import actions as history
from thidua.awards.forms import NominationForm
from thidua.orgs.models import Organization, Person
from thidua.testing.personas import World, build_world

from .conftest import to_proposals


def people(world: Any) -> Any:
    lai_chau = world.orgs["lai_chau"]
    office = Organization.objects.create(name="Văn phòng Sở", short_name="VP", parent=lai_chau)
    for name, born, unit in [
        ("Nguyễn Văn An", 1980, lai_chau),
        ("Nguyễn Văn An", 1985, office),
        ("Lò Thị Hoa", 1990, office),
    ]:
        history.do_register_person(
            full_name=name, birth_year=born, gender="", unit=unit, acting_user=world.supervisor
        )
    return lai_chau, office


def test_namesakes_are_labelled_with_their_year_of_birth_and_unit(world: World) -> None:
    lai_chau, _office = people(world)
    Person.objects.create(full_name="Người Khác", birth_year=1970)  # not the unit's
    form = NominationForm(unit=lai_chau)
    person: Any = form.fields["person"]  # a choice field: its choices as the page lists them
    collective: Any = form.fields["collective"]
    labels = [label for value, label in person.choices if value]
    assert labels == [
        "Lò Thị Hoa (1990, VP)",
        "Nguyễn Văn An (1980, Sở KH&ĐT Lai Châu)",
        "Nguyễn Văn An (1985, VP)",
    ]
    collectives = [label for value, label in collective.choices if value]
    assert collectives == ["Sở Kế hoạch và Đầu tư tỉnh Lai Châu", "Văn phòng Sở"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_the_picker_finds_a_person_by_what_is_typed(
    live_server: LiveServer, login: Callable[..., Page], width: int
) -> None:
    world = to_proposals(build_world())  # the form is offered in the proposals phase only
    people(world)
    page = login("lai-chau-canbo")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/awards/c/{world.cluster.slug}/2016/nominations/new/")
    search = page.get_by_label("Tìm theo họ tên, năm sinh hoặc đơn vị")
    search.fill("nguyen van an")
    assert page.get_by_test_id("picker-count").inner_text().strip() == "2 / 3"
    search.fill("an 1985")
    chosen = page.locator("#id_person").evaluate("s => s.selectedOptions[0].textContent")
    assert chosen == "Nguyễn Văn An (1985, VP)"
    search.fill("lo thi hoa vp")
    assert page.get_by_test_id("picker-count").inner_text().strip() == "1 / 3"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"var/screenshots/h6-picker-{width}.png", full_page=True)
