"""An action's notifications, its event and its webhooks are written in the action's own
transaction: a committed action has them even if nothing runs after the commit (the server
stopped), a rolled-back one has none, and an event that cannot be written fails its action."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from thidua.audit.models import AuditEntry
from thidua.audit.verify import check_data, first_break
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import Phase, Pledge
from thidua.notifications import actions, rules, tasks
from thidua.notifications.models import FeedEvent, Notification, WebhookDelivery
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db

# A receiver on an internal network the administrator allows; nothing is sent to it here.
HOOK = "http://10.20.0.5/thidua"


class Boom(Exception):
    pass


@pytest.fixture
def subscribed(world: World, settings: Any) -> World:
    """The year launched, and Lai Châu's officer subscribed to the phases opened."""
    settings.THIDUA_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    world.launch()
    actions.do_subscribe(url=HOOK, kinds=["phase.opened"], acting_user=world.lai_chau_officer)
    return world


def open_pledge(world: World) -> None:
    do_move_phase(world.year, target=Phase.PLEDGE, acting_user=world.son_la_officer)


def test_a_committed_action_has_its_event_even_if_nothing_runs_after_the_commit(
    subscribed: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        open_pledge(subscribed)
    # Nothing of what runs after the commit ran: the worker was not woken...
    assert len(after_commit) == 2
    assert not DBTaskResult.objects.exists()
    # ...and yet the event, its webhook and the notifications are there, with the action.
    entry = AuditEntry.objects.get(action="year.phase")
    event = FeedEvent.objects.get()
    assert (event.entry, event.kind, event.data["phase"]) == (entry, "phase.opened", "pledge")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status) == (event, "pending")
    assert set(Notification.objects.values_list("key", flat=True)) == {rules.audit_key(entry.pk)}
    assert Notification.objects.count() == 6  # the members and the supervisor, not the mover
    # The daily run finds the webhook the worker was never woken for.
    call_command("send_notifications")
    assert DBTaskResult.objects.filter(task_path=tasks.WEBHOOKS_PATH).count() == 1


def test_the_worker_is_woken_once_the_action_commits(
    subscribed: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        open_pledge(subscribed)
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == {tasks.PATH, tasks.WEBHOOKS_PATH}


def test_a_rolled_back_action_tells_nobody(
    subscribed: World, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as after_commit,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        open_pledge(subscribed)
        assert FeedEvent.objects.exists()  # written with the action...
        raise Boom  # ...which is then rolled back
    assert not FeedEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEntry.objects.filter(action="year.phase").exists()
    assert after_commit == [] and not DBTaskResult.objects.exists()
    subscribed.year.refresh_from_db()
    assert subscribed.year.phase == Phase.SETUP


def test_the_audit_chain_and_the_seals_hold_with_the_event_in_the_action(
    subscribed: World,
) -> None:
    open_pledge(subscribed)
    subscribed.year.refresh_from_db()
    subscribed.sign_all(Pledge.objects.get(year=subscribed.year))
    do_move_phase(subscribed.year, target=Phase.IN_PROGRESS, acting_user=subscribed.son_la_officer)
    assert FeedEvent.objects.count() == 2
    assert first_break() is None
    assert check_data().findings == []


def test_an_event_that_cannot_be_written_fails_its_action(
    subscribed: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in writing the event refuses the action rather than lose the event."""

    def broken(*args: Any, **kwargs: Any) -> dict[str, object]:
        raise Boom

    monkeypatch.setattr(rules, "event_data", broken)
    with pytest.raises(Boom):
        open_pledge(subscribed)
    subscribed.year.refresh_from_db()
    assert subscribed.year.phase == Phase.SETUP
    assert not AuditEntry.objects.filter(action="year.phase").exists()
    assert not Notification.objects.exists() and not FeedEvent.objects.exists()
