"""The inbox through the API: a person's notifications paged with a cursor, marking them read,
and which kinds come by e-mail, as the notifications pages do."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from thidua.audit.models import AuditEntry
from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import Phase
from thidua.notifications.models import Kind, Notification, Preference
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


@pytest.fixture
def told(world: World, django_capture_on_commit_callbacks: Any) -> World:
    """The year moved to the pledge phase, then in progress: everyone but its mover is told
    twice."""
    with django_capture_on_commit_callbacks(execute=True):
        world.sign_all(world.to_pledge_phase())
    with django_capture_on_commit_callbacks(execute=True):
        cycle_actions.do_move_phase(
            world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer
        )
    assert Notification.objects.filter(recipient=world.lai_chau_officer).count() == 2
    return world


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_a_person_reads_their_notifications_a_page_at_a_time(api: Any, told: World) -> None:
    client = api(told.lai_chau_officer)
    first = client.get(URL, {"limit": 1})
    assert first.status_code == 200
    page = first.json()
    assert (len(page["notifications"]), page["unread"], page["more"]) == (1, 2, True)
    assert page["notifications"][0]["kind"] == "phase"
    assert page["notifications"][0]["cluster"] == told.cluster.slug
    assert "Giao ước" in page["notifications"][0]["text"]
    rest = client.get(URL, {"limit": 1, "after": page["next"]}).json()
    assert len(rest["notifications"]) == 1 and not rest["more"]
    assert rest["notifications"][0]["id"] > page["notifications"][0]["id"]
    # Another person's are not theirs to list.
    mine = {n["id"] for n in client.get(URL).json()["notifications"]}
    assert mine == set(
        Notification.objects.filter(recipient=told.lai_chau_officer).values_list("pk", flat=True)
    )


def test_a_mirror_polls_the_list_cheaply(api: Any, told: World) -> None:
    client = api(told.lai_chau_officer)
    listed = client.get(URL)
    assert client.get(URL, HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304
    notification = Notification.objects.filter(recipient=told.lai_chau_officer).first()
    assert notification is not None
    post(client, f"{URL}/{notification.pk}/read")
    assert client.get(URL, HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 200
    unread = client.get(URL, {"unread": True}).json()
    assert len(unread["notifications"]) == 1
    refused = client.get(URL, {"unread": False, "after": unread["next"]})
    assert refused.status_code == 422  # a cursor of the unread list, brought to the whole list


def test_a_person_marks_a_notification_read(api: Any, told: World) -> None:
    notification = Notification.objects.filter(recipient=told.lai_chau_officer).first()
    assert notification is not None
    answer = post(api(told.lai_chau_officer), f"{URL}/{notification.pk}/read")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["read_at"] is not None
    notification.refresh_from_db()
    assert notification.read_at is not None
    again = post(api(told.lai_chau_officer), f"{URL}/{notification.pk}/read")
    assert again.json()["read_at"] == answer.json()["read_at"]  # a second time changes nothing


def test_another_persons_notification_is_not_found_alike(
    api: Any, client: Client, told: World
) -> None:
    theirs = Notification.objects.filter(recipient=told.lai_chau_officer).first()
    assert theirs is not None
    answer = post(api(told.cao_bang_officer), f"{URL}/{theirs.pk}/read")
    client.force_login(told.cao_bang_officer)
    page = client.post("/notifications/read/", {"notification": theirs.pk})
    assert answer.status_code == page.status_code == 404
    assert answer.json()["detail"] == "Không tìm thấy, hoặc bạn không có quyền xem."
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_person_marks_every_notification_read(api: Any, told: World) -> None:
    answer = post(api(told.lai_chau_officer), f"{URL}/read-all")
    assert answer.status_code == 200
    assert answer.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=told.lai_chau_officer, read_at=None)
    assert Notification.objects.filter(recipient=told.cao_bang_officer, read_at=None).count() == 2
    assert post(api(told.lai_chau_officer), f"{URL}/read-all").json() == {"marked": 0}


def test_a_person_chooses_what_comes_by_email(api: Any, world: World) -> None:
    client = api(world.lai_chau_officer)
    shown = client.get(f"{URL}/preferences").json()
    assert all(k["email"] for k in shown["kinds"])  # every kind, until chosen otherwise
    assert {k["kind"] for k in shown["kinds"]} == set(Kind.values)
    answer = post(client, f"{URL}/preferences", {"email": ["returned", "decision"]})
    assert answer.status_code == 200, answer.json()
    chosen = {k["kind"] for k in answer.json()["kinds"] if k["email"]}
    assert chosen == {"returned", "decision"}
    off = Preference.objects.filter(user=world.lai_chau_officer, email=False)
    assert set(off.values_list("kind", flat=True)) == {"phase", "deadline", "poll"}
    entry = AuditEntry.objects.get(action="notification.preferences")
    assert entry.actor == world.lai_chau_officer
    assert entry.after == {"email": ["decision", "returned"]}
    # Another person's choices are their own.
    assert all(
        k["email"] for k in api(world.son_la_officer).get(f"{URL}/preferences").json()["kinds"]
    )


def test_an_unknown_kind_is_refused(api: Any, world: World) -> None:
    answer = post(api(world.lai_chau_officer), f"{URL}/preferences", {"email": ["gossip"]})
    assert answer.status_code == 422
    assert not Preference.objects.exists()
    assert not AuditEntry.objects.filter(action="notification.preferences").exists()


def test_the_inbox_needs_a_token(client: Client, told: World) -> None:
    assert client.get(URL).status_code == 401
    assert post(client, f"{URL}/read-all").status_code == 401
    assert Notification.objects.filter(read_at=None).exists()


def test_a_notification_of_a_unit_left_is_no_longer_listed(api: Any, told: World) -> None:
    """As on the page: a person who moved to another unit sees what they are told there only."""
    officer = told.lai_chau_officer
    theirs = Notification.objects.filter(recipient=officer).first()
    assert theirs is not None
    officer.organization = told.orgs["cao_bang"]
    officer.save(update_fields=["organization"])
    client = api(officer)
    assert client.get(URL).json()["notifications"] == []
    assert post(client, f"{URL}/{theirs.pk}/read").status_code == 404
