"""Where notifications plug in: every audit entry of an event someone is told of, or that the
event feed and the webhooks carry, as it is written."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save

from thidua.audit.models import AuditEntry

from . import actions, context_processors, rules, tasks


def entry_recorded(sender: Any, instance: AuditEntry, created: bool, **kwargs: Any) -> None:
    """Tell whom the audited action concerns and put it in the event feed, in the action's
    own transaction (the entry is saved inside it), and wake the worker once it commits.

    In the transaction, so that a committed action never loses its notifications or its
    event (nothing runs between the commit and them) and a refused one, rolled back, tells
    nobody. A failure to write them fails the action: an event that cannot be recorded is a
    bug, and the action is better refused than its event silently lost. Only the waking is
    robust: a worker not woken finds what is due at its next run.
    """
    if not created:
        return
    if instance.action in rules.EVENTS and actions.do_notify(instance):
        transaction.on_commit(tasks.schedule, robust=True)
    if instance.action in rules.FEED:  # the event feed and the webhooks
        event = actions.do_record_event(instance)
        if event is not None and event.deliveries.exists():
            transaction.on_commit(tasks.schedule_webhooks, robust=True)


def register() -> None:
    """Listen to the audit trail, and count a person's unread notifications when they log in
    (called from NotificationsConfig.ready)."""
    post_save.connect(entry_recorded, sender=AuditEntry, dispatch_uid="thidua.notifications")
    user_logged_in.connect(context_processors.logged_in, dispatch_uid="thidua.notifications")
