"""`thidua send_notifications`: have the worker sweep the deadlines and send what is due.

Queues the worker's task (tasks.deliver) with the deadline sweep: the members with work left
are told that the current phase's deadline is three days away or has passed (each once), and
every e-mail due goes out; the webhooks due are sent too (one whose event committed while the
worker could not be woken is found here). Safe to run as often as wanted; a systemd timer runs
it daily.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from thidua.notifications import actions, tasks


class Command(BaseCommand):
    help = "Queue the deadline reminders, the e-mails and the webhooks due for the worker."

    def handle(self, *args: Any, **options: Any) -> None:
        tasks.schedule(at=timezone.now(), sweep=True)
        waiting = actions.next_webhook_attempt()
        if waiting is not None:
            tasks.schedule_webhooks(at=max(waiting, timezone.now()))
        self.stdout.write(
            "Queued for the worker: the deadline sweep, the e-mails and the webhooks due."
        )
