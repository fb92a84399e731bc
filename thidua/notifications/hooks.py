"""Where notifications plug in: every committed audit entry of an event someone is told of,
or that the event feed and the webhooks carry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save

from thidua.audit.models import AuditEntry

from . import actions, context_processors, rules, tasks


def _told(entry: AuditEntry) -> None:
    if actions.do_notify(entry):
        tasks.schedule()


def _fed(entry: AuditEntry) -> None:
    event = actions.do_record_event(entry)
    if event is not None and event.deliveries.exists():
        tasks.schedule_webhooks()


def entry_recorded(sender: Any, instance: AuditEntry, created: bool, **kwargs: Any) -> None:
    """Once the action that recorded the entry has committed, tell whom it concerns.

    After the commit, so that a refused action tells nobody; robust, so that a failure to tell
    (logged) never turns the action the user saw succeed into an error page.
    """
    if created and instance.action in rules.EVENTS:
        transaction.on_commit(lambda: _told(instance), robust=True)
    if created and instance.action in rules.FEED:  # the event feed and the webhooks
        transaction.on_commit(lambda: _fed(instance), robust=True)


def register() -> None:
    """Listen to the audit trail, and count a person's unread notifications when they log in
    (called from NotificationsConfig.ready)."""
    post_save.connect(entry_recorded, sender=AuditEntry, dispatch_uid="thidua.notifications")
    user_logged_in.connect(context_processors.logged_in, dispatch_uid="thidua.notifications")
