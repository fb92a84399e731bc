"""The notifications page, the unread count beside the user's name, reading, and who may."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import Phase, Pledge
from thidua.notifications.models import Notification
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase_opened(world: World, django_capture_on_commit_callbacks: Any) -> World:
    """The year moved to the pledge phase: everyone but its mover is told."""
    with django_capture_on_commit_callbacks(execute=True):
        world.to_pledge_phase()
    return world


@contextmanager
def no_change() -> Iterator[None]:
    before = list(Notification.objects.order_by("pk").values_list("pk", "read_at"))
    yield
    assert list(Notification.objects.order_by("pk").values_list("pk", "read_at")) == before


def test_the_list_shows_the_notification_and_the_header_counts_it(
    phase_opened: World, as_user: Any
) -> None:
    client = as_user(phase_opened.lai_chau_officer)
    page = client.get("/notifications/").content.decode()
    assert "Bạn có 1 thông báo chưa đọc." in page
    assert "đã chuyển sang giai đoạn “Giao ước”." in page
    assert page.count('data-testid="notification"') == 1
    home = client.get("/").content.decode()
    assert 'data-testid="notifications-link"' in home
    assert 'aria-label="Thông báo: 1 chưa đọc"' in home
    assert '<span class="badge todo" data-testid="unread-count">1</span>' in home


def test_the_count_follows_what_another_process_tells(
    phase_opened: World, as_user: Any, elsewhere: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user(phase_opened.lai_chau_officer)
    assert 'data-testid="unread-count">1</span>' in client.get("/").content.decode()
    phase_opened.sign_all(Pledge.objects.get(year=phase_opened.year))
    with elsewhere(), django_capture_on_commit_callbacks(execute=True):
        cycle_actions.do_move_phase(
            phase_opened.year, target=Phase.IN_PROGRESS, acting_user=phase_opened.son_la_officer
        )
    assert 'data-testid="unread-count">2</span>' in client.get("/").content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    phase_opened: World, as_user: Any
) -> None:
    client = as_user(phase_opened.lai_chau_officer)
    notification = Notification.objects.get(recipient=phase_opened.lai_chau_officer)
    response = client.post("/notifications/read/", {"notification": notification.pk, "open": "1"})
    assert response.status_code == 302
    assert response["Location"] == phase_opened.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    home = client.get("/").content.decode()
    assert '<span class="badge" data-testid="unread-count">0</span>' in home
    assert 'data-read="yes"' in client.get("/notifications/").content.decode()


def test_mark_all_read(phase_opened: World, as_user: Any) -> None:
    client = as_user(phase_opened.supervisor)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=phase_opened.supervisor, read_at=None)
    # The others' are untouched.
    assert Notification.objects.filter(recipient=phase_opened.lai_chau_officer, read_at=None)


def test_a_person_reads_only_their_own(phase_opened: World, as_user: Any) -> None:
    theirs = Notification.objects.get(recipient=phase_opened.lai_chau_leader)
    # An officer of the same unit, the outsider and the phase's mover are refused as if the
    # notification did not exist, and change nothing; each lists only their own.
    for user, own in (
        (phase_opened.lai_chau_officer, 1),
        (phase_opened.outsider, 0),
        (phase_opened.son_la_officer, 0),
    ):
        client = as_user(user)
        with no_change():
            response = client.post("/notifications/read/", {"notification": theirs.pk})
        assert response.status_code == 404
        page = client.get("/notifications/").content.decode()
        assert page.count('data-testid="notification"') == own
        assert f'value="{theirs.pk}"' not in page
    # Its recipient may.
    client = as_user(phase_opened.lai_chau_leader)
    assert client.post("/notifications/read/", {"notification": theirs.pk}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is not None


def test_without_login_the_pages_send_to_the_login_page(client: Any, phase_opened: World) -> None:
    for url in ("/notifications/", "/notifications/preferences/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    with no_change():
        response = client.post("/notifications/read-all/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_read_without_its_notification_is_a_bad_request(as_user: Any, world: World) -> None:
    response = as_user(world.lai_chau_officer).post("/notifications/read/", {})
    assert response.status_code == 400


def test_the_preferences_page_says_where_the_emails_go(as_user: Any, world: World) -> None:
    page = as_user(world.lai_chau_officer).get("/notifications/preferences/").content.decode()
    assert "Tài khoản của bạn chưa có địa chỉ thư điện tử" in page
    world.lai_chau_officer.email = "canbo@laichau.gov.vn"
    world.lai_chau_officer.save(update_fields=["email"])
    page = as_user(world.lai_chau_officer).get("/notifications/preferences/").content.decode()
    assert "Thư được gửi tới canbo@laichau.gov.vn." in page
    for label in ("Năm thi đua chuyển sang giai đoạn mới", "Có quyết định khen thưởng"):
        assert label in page
    assert page.count('type="checkbox"') == 5
    assert page.count("checked") == 5
