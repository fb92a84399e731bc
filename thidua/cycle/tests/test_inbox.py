"""Each person lands on what they must do, with the deadline the secretariat set."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from thidua.cycle import actions, rules
from thidua.cycle.models import Deadline, Phase
from thidua.cycle.reads import inbox
from thidua.errors import ActionRefused
from thidua.lib import clock
from thidua.orgs.models import User
from thidua.testing.personas import World

VN = dt.timezone(dt.timedelta(hours=7))


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=VN)


def test_urgency_of_a_deadline() -> None:
    today = dt.date(2016, 3, 20)
    assert rules.urgency(None, today) == ""
    assert rules.urgency(dt.date(2016, 3, 19), today) == "overdue"
    assert rules.urgency(dt.date(2016, 3, 23), today) == "soon"
    assert rules.urgency(dt.date(2016, 3, 24), today) == "later"


def test_deadline_rules_refuse_what_cannot_hold() -> None:
    today = dt.date(2016, 3, 20)
    base: dict[str, Any] = {"year": 2016, "current": "pledge", "others": {}, "today": today}
    opened = dt.date(2016, 3, 18)
    ok = rules.deadline_problems(
        phase="pledge", due_on=dt.date(2016, 3, 31), opened_on=opened, **base
    )
    assert ok == []

    def codes(**kw: Any) -> list[str]:
        return [p.code for p in rules.deadline_problems(**{**base, "opened_on": opened, **kw})]

    assert codes(phase="pledge", due_on=dt.date(2016, 3, 1)) == ["deadline_before_opening"]
    assert codes(phase="setup", due_on=dt.date(2016, 3, 31)) == ["phase_over"]
    assert codes(phase="pledge", due_on=dt.date(2019, 1, 1)) == ["deadline_outside_year"]
    assert codes(
        phase="self_assessment",
        due_on=dt.date(2016, 12, 1),
        others={"in_progress": dt.date(2016, 12, 20)},
    ) == ["deadline_out_of_order"]
    assert codes(phase="pledge", due_on=dt.date(2016, 4, 1), current="closed") == ["year_closed"]
    # A phase still to come opens today at the earliest: its deadline cannot have passed.
    assert codes(phase="in_progress", due_on=dt.date(2016, 3, 19)) == [
        "deadline_before_next_opening"
    ]
    assert codes(phase="in_progress", due_on=today) == []
    # On opening, a deadline that has passed meanwhile stops the move; today's does not.
    assert [p.code for p in rules.deadline_passed("in_progress", dt.date(2016, 3, 19), today)] == [
        "deadline_passed_before_opening"
    ]
    assert rules.deadline_passed("in_progress", today, today) == []
    assert rules.deadline_passed("in_progress", None, today) == []


@pytest.mark.django_db
def test_each_persona_sees_its_own_work_with_the_deadline(
    world: World, as_user: Callable[[User], Client]
) -> None:
    with clock.at(at(dt.date(2016, 3, 18))):
        pledge = world.to_pledge_phase()
        actions.do_set_deadline(
            world.year,
            phase=Phase.PLEDGE,
            due_on=dt.date(2016, 3, 25),
            acting_user=world.son_la_officer,
        )
        actions.do_sign_pledge(pledge, unit=world.orgs["son_la"], acting_user=world.son_la_leader)

    with clock.at(at(dt.date(2016, 3, 24))):
        lai_chau = inbox(world.lai_chau_leader)
        assert [(i.text, i.due_on, i.urgency) for i in lai_chau] == [
            ("Ký giao ước thi đua", dt.date(2016, 3, 25), "soon")
        ]
        # The secretariat sees its own unit's work (done) and what stops the year moving on.
        secretariat = [i.text for i in inbox(world.son_la_officer)]
        moving_on = "Trước khi chuyển năm thi đua sang giai đoạn Đang triển khai: Các thành viên"
        assert len(secretariat) == 1 and secretariat[0].startswith(moving_on)
        assert inbox(world.outsider) == []
        page = as_user(world.lai_chau_leader).get("/").content.decode()
        assert 'data-testid="inbox"' in page and "Ký giao ước thi đua" in page
        assert "25/03/2016" in page and world.url in page

    with clock.at(at(dt.date(2016, 3, 28))):
        assert [i.urgency for i in inbox(world.lai_chau_leader)] == ["overdue"]


@pytest.mark.django_db
def test_only_the_secretariat_sets_a_deadline_and_a_wrong_one_is_refused(
    world: World, as_user: Callable[[User], Client]
) -> None:
    with clock.at(at(dt.date(2016, 3, 18))):
        world.to_pledge_phase()
        url = world.url + "deadlines/"
        officer = as_user(world.lai_chau_officer)
        assert officer.post(url, {"phase": "pledge", "due_on": "25/03/2016"}).status_code == 403
        client = as_user(world.son_la_officer)
        wrong = client.post(url, {"phase": "setup", "due_on": "25/03/2016"}, follow=True)
        assert "đã kết thúc" in wrong.content.decode()
        early = client.post(url, {"phase": "pledge", "due_on": "10/03/2016"}, follow=True)
        assert "không thể sớm hơn" in early.content.decode()
        assert not Deadline.objects.exists()
        with pytest.raises(ActionRefused):
            actions.do_set_deadline(
                world.year,
                phase="pledge",
                due_on=dt.date(2015, 1, 1),
                acting_user=world.son_la_officer,
            )
        done = client.post(url, {"phase": "pledge", "due_on": "25/03/2016"}, follow=True)
        assert Deadline.objects.get().due_on == dt.date(2016, 3, 25)
        assert "25/03/2016" in done.content.decode()
        client.post(url, {"phase": "pledge", "due_on": ""}, follow=True)
        assert not Deadline.objects.exists()


@pytest.mark.django_db
def test_a_deadline_before_its_phase_opens_is_refused_when_set_and_stops_the_move(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.son_la_officer)
    url = world.url + "deadlines/"
    with clock.at(at(dt.date(2016, 3, 18))):
        pledge = world.to_pledge_phase()
        early = client.post(url, {"phase": "in_progress", "due_on": "17/03/2016"}, follow=True)
        assert "chưa bắt đầu, sớm nhất là từ ngày 18/03/2016" in early.content.decode()
        assert not Deadline.objects.exists()
        actions.do_set_deadline(
            world.year,
            phase=Phase.IN_PROGRESS,
            due_on=dt.date(2016, 3, 25),
            acting_user=world.son_la_officer,
        )
        world.sign_all(pledge)

    with clock.at(at(dt.date(2016, 3, 28))):
        moved = client.post(world.url + "phase/", {"target": "in_progress", "confirm": "on"})
        page = client.get(world.url).content.decode()
        assert moved.status_code == 302
        assert "Hạn của giai đoạn Đang triển khai (ngày 25/03/2016) đã qua" in page
        world.year.refresh_from_db()
        assert world.year.phase == Phase.PLEDGE
        # Lifted, the year moves on.
        client.post(url, {"phase": "in_progress", "due_on": ""})
        actions.do_move_phase(
            world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer
        )
        world.year.refresh_from_db()
        assert world.year.phase == Phase.IN_PROGRESS
