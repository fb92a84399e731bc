"""Who is told of what, the batched e-mails a real SMTP server receives, retries of a refused
address, e-mail preferences, someone who left the unit, and the deadline sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import Phase
from thidua.lib import clock
from thidua.notifications import actions, rules, tasks
from thidua.notifications.models import Delivery, Kind, Notification, Preference
from thidua.orgs.models import User
from thidua.testing.personas import World

from .conftest import SITE, Mailbox

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """A block whose actions commit: what they do on commit (telling people) runs at its end."""

    @contextmanager
    def block() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


def move(world: World, target: str) -> None:
    cycle_actions.do_move_phase(world.year, target=target, acting_user=world.son_la_officer)
    world.year.refresh_from_db()


def told(user: User, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    return list(found.filter(kind=kind) if kind else found)


def to_in_progress(world: World, committed: Committed) -> None:
    """Two phases opened, one after the other: each person is told twice."""
    with committed():
        pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    with committed():
        move(world, Phase.IN_PROGRESS)


def test_a_phase_opened_is_told_to_every_member_and_the_supervisor_but_not_its_mover(
    people: World, committed: Committed
) -> None:
    with committed():
        people.to_pledge_phase()
    everyone = [
        people.son_la_leader,
        people.cao_bang_officer,
        people.cao_bang_leader,
        people.lai_chau_officer,
        people.lai_chau_leader,
        people.supervisor,
    ]
    for user in everyone:
        (notification,) = told(user)
        assert notification.kind == Kind.PHASE
        assert notification.text == (
            "Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc, năm 2016: "
            "đã chuyển sang giai đoạn “Giao ước”."
        )
        assert notification.url == people.url
        assert notification.organization_id == user.organization_id
        assert notification.email_due
    assert told(people.son_la_officer) == []  # who moved the phase
    assert told(people.outsider) == []
    # The worker is asked to send them, once, a few seconds later (to batch what follows).
    queued = DBTaskResult.objects.filter(task_path=tasks.PATH, status="READY")
    assert queued.count() == 1
    assert queued.get().run_after > timezone.now()


def test_an_event_is_told_once_however_often_it_is_handled(
    people: World, committed: Committed
) -> None:
    with committed():
        people.to_pledge_phase()
    entry = people.year.audit_entries.get(action="year.phase")
    assert actions.do_notify(entry) == 0
    assert len(told(people.lai_chau_leader)) == 1


def test_each_person_gets_one_email_listing_what_happened_and_never_again(
    people: World, committed: Committed, smtp: Mailbox
) -> None:
    to_in_progress(people, committed)

    assert actions.do_send_due() == {"sent": 6}
    assert sorted(a for r in smtp.received for a in r.recipients) == sorted(
        f"{u.username}@example.gov.vn"
        for u in (
            people.son_la_leader,
            people.cao_bang_officer,
            people.cao_bang_leader,
            people.lai_chau_officer,
            people.lai_chau_leader,
            people.supervisor,
        )
    )
    (mail,) = smtp.to("lai-chau-lanhdao@example.gov.vn")
    assert mail.recipients == ["lai-chau-lanhdao@example.gov.vn"]
    assert mail.sender == "thidua@example.gov.vn"
    assert mail.subject == "[thidua] 2 thông báo mới"
    body = mail.body
    assert body.startswith("Kính gửi lai-chau-lanhdao,")
    assert "Bạn có 2 thông báo mới trên hệ thống thi đua, khen thưởng:" in body
    assert "1. Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc, năm 2016: " in body
    assert "đã chuyển sang giai đoạn “Giao ước”." in body
    assert "2. Cụm thi đua" in body and "giai đoạn “Đang triển khai”." in body
    assert body.count(f"   {SITE}/c/mien-nui-bien-gioi-phia-bac/2016/\n") == 2
    assert f"{SITE}/notifications/preferences/" in body
    assert "&amp;" not in body
    delivery = Delivery.objects.get(recipient=people.lai_chau_leader)
    assert (delivery.status, delivery.attempts, delivery.notifications.count()) == ("sent", 1, 2)

    # Sending again finds nothing due; the same events handled again tell nobody.
    assert actions.do_send_due(now=timezone.now() + dt.timedelta(days=1)) == {}
    for entry in people.year.audit_entries.filter(action="year.phase"):
        assert actions.do_notify(entry) == 0
    assert actions.do_send_due() == {}
    assert len(smtp.received) == 6


def test_a_refused_address_is_tried_again_with_back_off_then_failed_for_the_administrator(
    people: World, committed: Committed, smtp: Mailbox, as_user: Any
) -> None:
    bounce = "lai-chau-lanhdao@example.gov.vn"
    smtp.refused.add(bounce)
    with committed():
        people.to_pledge_phase()
    start = timezone.now()

    assert actions.do_send_due(now=start) == {"sent": 5, "pending": 1}
    delivery = Delivery.objects.get(address=bounce)
    assert delivery.attempts == 1
    assert "550" in delivery.last_error and bounce in delivery.last_error
    assert delivery.next_attempt_at == start + rules.RETRY_DELAYS[0]
    assert actions.next_attempt() == delivery.next_attempt_at

    # Not before its time; then at each delay, until the attempts are used up.
    assert actions.do_send_due(now=start + dt.timedelta(minutes=1)) == {}
    at = start
    for delay in rules.RETRY_DELAYS:
        at += delay
        outcome = actions.do_send_due(now=at)
        delivery.refresh_from_db()
        assert outcome == ({"failed": 1} if delivery.status == "failed" else {"pending": 1})
    assert (delivery.status, delivery.attempts) == ("failed", rules.MAX_ATTEMPTS)
    assert actions.next_attempt() is None
    assert smtp.to(bounce) == []
    assert len(smtp.received) == 5  # the others got theirs once

    # The administrator sees it, with the server's answer, among the failed e-mails.
    page = as_user(people.admin).get("/admin/notifications/delivery/?status__exact=failed")
    assert page.status_code == 200
    assert bounce in page.content.decode()
    assert "550 5.1.1 Mailbox unavailable" in page.content.decode()
    # Once the address works again, the administrator has it tried again: it goes, once.
    smtp.refused.clear()
    actions.do_retry_delivery(delivery, acting_user=people.admin)
    assert actions.do_send_due() == {"sent": 1}
    (mail,) = smtp.to(bounce)
    assert "Giao ước" in mail.subject


def test_preferences_turn_a_kind_of_email_off_and_the_list_still_shows_it(
    people: World, committed: Committed, smtp: Mailbox, as_user: Any
) -> None:
    client = as_user(people.lai_chau_officer)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert "Gửi thư cho tôi khi" in page.content.decode()
    boxes = {kind: "on" for kind in Kind.values if kind != Kind.PHASE}
    assert client.post("/notifications/preferences/", boxes).status_code == 302
    assert Preference.objects.get(user=people.lai_chau_officer, kind=Kind.PHASE).email is False

    with committed():
        people.to_pledge_phase()
    actions.do_send_due()
    assert smtp.to("lai-chau-canbo@example.gov.vn") == []
    assert smtp.to("lai-chau-lanhdao@example.gov.vn") != []
    (notification,) = told(people.lai_chau_officer)
    assert notification.delivery is None and not notification.email_due
    assert "Giao ước" in client.get("/notifications/").content.decode()


def test_someone_who_left_the_unit_or_was_deactivated_gets_nothing(
    people: World, committed: Committed, smtp: Mailbox, as_user: Any
) -> None:
    with committed():
        people.to_pledge_phase()
    # After the event, before the e-mail: one moved to Yên Bái, one was deactivated.
    moved = people.lai_chau_officer
    moved.organization = people.orgs["yen_bai"]
    moved.save(update_fields=["organization"])
    people.cao_bang_leader.is_active = False
    people.cao_bang_leader.save(update_fields=["is_active"])

    assert actions.do_send_due() == {"sent": 4}
    assert smtp.to("lai-chau-canbo@example.gov.vn") == []
    assert smtp.to("cao-bang-lanhdao@example.gov.vn") == []
    page = as_user(moved).get("/notifications/").content.decode()
    assert "Giao ước" not in page  # told through Lai Châu, which is no longer theirs


def test_an_email_waiting_for_a_retry_is_cancelled_once_its_recipient_left(
    people: World, committed: Committed, smtp: Mailbox
) -> None:
    smtp.refused.add("lai-chau-lanhdao@example.gov.vn")
    with committed():
        people.to_pledge_phase()
    start = timezone.now()
    actions.do_send_due(now=start)
    leader = people.lai_chau_leader
    leader.organization = people.orgs["yen_bai"]
    leader.save(update_fields=["organization"])
    smtp.refused.clear()

    assert actions.do_send_due(now=start + rules.RETRY_DELAYS[0]) == {"cancelled": 1}
    assert smtp.to("lai-chau-lanhdao@example.gov.vn") == []


def test_stale_news_is_only_listed(people: World, committed: Committed, smtp: Mailbox) -> None:
    with clock.at(timezone.now() - rules.EMAIL_WITHIN - dt.timedelta(hours=1)), committed():
        people.to_pledge_phase()
    assert actions.do_send_due() == {}
    assert smtp.received == []
    assert len(told(people.lai_chau_leader)) == 1


def test_the_deadline_sweep_tells_the_members_with_work_left_once_per_stage(
    people: World, committed: Committed, smtp: Mailbox
) -> None:
    def on(day: dt.date) -> AbstractContextManager[None]:
        return clock.at(timezone.make_aware(dt.datetime.combine(day, dt.time(7))))

    opened = dt.date(2016, 4, 1)
    due = dt.date(2016, 4, 11)
    with on(opened):
        pledge = people.to_pledge_phase()
        cycle_actions.do_set_deadline(
            people.year, phase=Phase.PLEDGE, due_on=due, acting_user=people.son_la_officer
        )
        cycle_actions.do_sign_pledge(
            pledge, unit=people.orgs["son_la"], acting_user=people.son_la_leader
        )

    def sweep_on(day: dt.date) -> int:
        with on(day):
            return actions.do_sweep_deadlines()

    assert sweep_on(due - dt.timedelta(days=4)) == 0  # four days away: not yet
    # Three days before: Cao Bằng and Lai Châu have not signed; Sơn La has.
    assert sweep_on(due - dt.timedelta(days=3)) == 4
    (soon,) = told(people.lai_chau_officer, Kind.DEADLINE)
    assert soon.text == (
        "Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc, năm 2016: hạn chót của "
        "giai đoạn “Giao ước” là ngày 11/04/2016, còn 3 ngày. "
        "Việc còn phải làm: Ký giao ước thi đua."
    )
    assert soon.url == people.url
    assert told(people.son_la_officer, Kind.DEADLINE) == []
    assert sweep_on(due - dt.timedelta(days=2)) == 0  # the same stage: once

    with on(due):
        cycle_actions.do_sign_pledge(
            pledge, unit=people.orgs["cao_bang"], acting_user=people.cao_bang_leader
        )
    assert sweep_on(due + dt.timedelta(days=1)) == 2  # passed: only Lai Châu is late now
    overdue = told(people.lai_chau_leader, Kind.DEADLINE)[-1]
    assert overdue.text.endswith(
        "là ngày 11/04/2016, đã quá hạn. Việc còn phải làm: Ký giao ước thi đua."
    )
    assert len(told(people.cao_bang_officer, Kind.DEADLINE)) == 1
    assert sweep_on(due + dt.timedelta(days=2)) == 0

    with on(due + dt.timedelta(days=2)):
        assert actions.do_send_due() == {"sent": 4}
    (mail,) = smtp.to("lai-chau-canbo@example.gov.vn")
    assert mail.subject == "[thidua] 2 thông báo mới"
    assert "còn 3 ngày" in mail.body and "đã quá hạn" in mail.body


def test_the_daily_command_queues_the_sweep_for_the_worker(people: World) -> None:
    call_command("send_notifications")
    queued = DBTaskResult.objects.get(task_path=tasks.PATH)
    assert queued.args_kwargs == {"args": [], "kwargs": {"sweep": True}}
    assert queued.run_after <= timezone.now()


def test_the_worker_task_sends_and_comes_back_for_a_retry(
    people: World, committed: Committed, smtp: Mailbox
) -> None:
    smtp.refused.add("lai-chau-lanhdao@example.gov.vn")
    with committed():
        people.to_pledge_phase()
    DBTaskResult.objects.all().delete()
    tasks.deliver.call()
    assert len(smtp.received) == 5
    (again,) = DBTaskResult.objects.filter(task_path=tasks.PATH, status="READY")
    retry = Delivery.objects.get(status="pending")
    assert again.run_after == retry.next_attempt_at


def test_the_person_whose_address_bounces_is_told_on_their_pages_until_one_gets_through(
    people: World, committed: Committed, smtp: Mailbox, as_user: Any
) -> None:
    bounce = "lai-chau-lanhdao@example.gov.vn"
    smtp.refused.add(bounce)
    with committed():
        people.to_pledge_phase()
    client = as_user(people.lai_chau_leader)
    assert 'data-testid="undelivered"' not in client.get("/notifications/").content.decode()

    start = timezone.now()
    actions.do_send_due(now=start)
    for url in ("/notifications/", "/notifications/preferences/"):
        page = client.get(url).content.decode()
        assert 'data-testid="undelivered"' in page
        assert f"gửi tới {bounce} không đến được" in page
        assert "550 5.1.1 Mailbox unavailable" in page
        assert "Thư sẽ được gửi lại lúc" in page
    # Another person's refused e-mail is not theirs to see.
    other = as_user(people.lai_chau_officer).get("/notifications/").content.decode()
    assert 'data-testid="undelivered"' not in other

    smtp.refused.clear()
    actions.do_send_due(now=start + rules.RETRY_DELAYS[0])
    assert len(smtp.to(bounce)) == 1
    page = as_user(people.lai_chau_leader).get("/notifications/").content.decode()
    assert 'data-testid="undelivered"' not in page
