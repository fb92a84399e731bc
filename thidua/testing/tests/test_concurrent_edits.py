"""Two people editing the same record at once: the second save is refused, never lost silently."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from thidua.audit.models import AuditEntry
from thidua.award_history import actions as history_actions
from thidua.award_history.models import AwardType
from thidua.awards import actions as award_actions
from thidua.awards.catalogue import ensure_catalogue
from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import EmulationYear, Movement, Phase, Pledge
from thidua.errors import ActionRefused
from thidua.testing.personas import World, build_world

STALE = "đã được người khác sửa sau khi bạn mở trang này"


def browser(client_class: Any, user: Any) -> Any:
    client = client_class()
    client.force_login(user)
    return client


def form_values(response: Any, name: Any = "form") -> Any:
    """What the page's form holds: the fields as the browser would send them back."""
    form = response.context[name]
    return {field.name: field.value() or "" for field in form}


def test_second_save_of_the_movement_is_refused_and_the_first_is_kept(
    client: Client, world: World
) -> None:
    world.launch()
    url = world.url + "movement/"
    first = browser(type(client), world.son_la_officer)
    second = browser(type(client), world.cao_bang_officer)
    first_form = form_values(first.get(url))
    second_form = form_values(second.get(url))

    first_form["title"] = "Phong trào thi đua “Đoàn kết, sáng tạo” năm 2016"
    assert first.post(url, first_form).status_code == 302
    second_form["goals"] = "Một mục tiêu khác, viết cùng lúc."
    refused = second.post(url, second_form)

    assert refused.status_code == 409
    assert STALE in refused.content.decode()
    movement = Movement.objects.get(year=world.year)
    assert movement.title == "Phong trào thi đua “Đoàn kết, sáng tạo” năm 2016"
    assert movement.goals == "Hoàn thành xuất sắc nhiệm vụ chính trị được giao."
    assert AuditEntry.objects.filter(action="movement.set").count() == 2  # launch + first


def test_the_refused_form_keeps_what_the_second_person_typed(client: Client, world: World) -> None:
    world.launch()
    url = world.url + "movement/"
    first = browser(type(client), world.son_la_officer)
    second = browser(type(client), world.cao_bang_officer)
    stale = form_values(second.get(url))
    assert first.post(url, form_values(first.get(url)) | {"title": "Tên mới"}).status_code == 302

    refused = second.post(url, stale | {"title": "Tên của người thứ hai"})
    assert refused.context["form"]["title"].value() == "Tên của người thứ hai"
    reloaded = form_values(second.get(url))
    assert reloaded["title"] == "Tên mới"
    assert second.post(url, reloaded | {"title": "Tên của người thứ hai"}).status_code == 302


def test_second_save_of_the_pledge_is_refused(client: Client, world: World) -> None:
    world.launch()
    url = world.url + "pledge/edit/"
    first = browser(type(client), world.son_la_officer)
    second = browser(type(client), world.cao_bang_officer)
    first_form, second_form = form_values(first.get(url)), form_values(second.get(url))

    first_form["articles"] += "\n\nTăng cường kỷ luật, kỷ cương hành chính."
    assert first.post(url, first_form).status_code == 302
    refused = second.post(url, second_form | {"title": "Giao ước (bản sửa)"})

    assert refused.status_code == 409
    assert STALE in refused.content.decode()
    pledge = Pledge.objects.get(year=world.year)
    assert pledge.title == "Giao ước thi đua năm 2016"
    assert pledge.articles.count() == 3


def test_a_form_without_its_version_is_refused_as_out_of_date(client: Client, world: World) -> None:
    world.launch()
    client.force_login(world.son_la_officer)
    values = form_values(client.get(world.url + "movement/"))
    del values["version"]
    response = client.post(world.url + "movement/", values | {"title": "Không rõ phiên bản"})
    assert response.status_code == 409
    assert Movement.objects.get(year=world.year).title == "Phong trào thi đua năm 2016"


def test_saving_the_same_version_twice_in_a_row_refuses_the_replay(
    client: Client, world: World
) -> None:
    world.launch()
    client.force_login(world.son_la_officer)
    values = form_values(client.get(world.url + "movement/"))
    assert client.post(world.url + "movement/", values | {"title": "Lần một"}).status_code == 302
    assert client.post(world.url + "movement/", values | {"title": "Lần hai"}).status_code == 409
    assert Movement.objects.get(year=world.year).title == "Lần một"


def test_second_save_of_a_nomination_is_refused(client: Client, world: World) -> None:
    ensure_catalogue()
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    cycle_actions.do_move_phase(
        world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer
    )
    # The phases in between belong to other areas and are not what this test is about.
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    world.year.refresh_from_db()
    person = history_actions.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    nomination = award_actions.do_draft_nomination(
        world.year,
        unit=world.orgs["lai_chau"],
        award_type=AwardType.objects.get(code="cstd_bo"),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=person,
        acting_user=world.lai_chau_officer,
    )
    url = f"/awards/c/{world.cluster.slug}/2016/nominations/{nomination.pk}/"
    officer = browser(type(client), world.lai_chau_officer)
    leader = browser(type(client), world.lai_chau_leader)
    officer_form = form_values(officer.get(url), "edit_form")
    leader_form = form_values(leader.get(url), "edit_form")

    officer_form["summary"] = "Bổ sung: chủ trì 2 đề tài cấp tỉnh."
    assert officer.post(url + "update/", officer_form).status_code == 302
    refused = leader.post(url + "update/", leader_form | {"clean_record": "no"})

    assert refused.status_code == 409
    assert STALE in refused.content.decode()
    nomination.refresh_from_db()
    assert (nomination.summary, nomination.clean_record) == (
        "Bổ sung: chủ trì 2 đề tài cấp tỉnh.",
        None,
    )


@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_on_one_version_keep_exactly_one() -> None:
    """The versions are compared under the year's row lock, so a race cannot slip through."""
    world = build_world()
    world.launch()
    seen = cycle_actions.movement_version(Movement.objects.get(year=world.year))
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user: Any, title: Any) -> None:
        try:
            start.wait()
            cycle_actions.do_set_movement(
                world.year,
                title=title,
                launched_on=dt.date(2016, 3, 18),
                goals="Hoàn thành xuất sắc nhiệm vụ chính trị được giao.",
                version=seen,
                acting_user=user,
            )
            outcomes.append(title)
        except ActionRefused as refused:
            outcomes.append(refused.kind)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(world.son_la_officer, "Bản của Sơn La")),
        threading.Thread(target=save, args=(world.cao_bang_officer, "Bản của Cao Bằng")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    kept = Movement.objects.get(year=world.year).title
    assert sorted(outcomes) == sorted(["stale", kept])
    assert AuditEntry.objects.filter(action="movement.set").count() == 2
