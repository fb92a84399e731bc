"""The worker's part: sending the e-mails (and, once a day, the deadline sweep).

Sending is a task of the background worker (`thidua worker`), queued when an event has told
someone, a few seconds later so that what happens together goes in one e-mail; when some
e-mail waits to be tried again, the task queues itself for that moment. `thidua
send_notifications` (a daily timer) queues it with the deadline sweep.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import actions

PATH = "thidua.notifications.tasks.deliver"
# What happens within this long of a first event goes in the same e-mails.
BATCH = dt.timedelta(seconds=30)


@task()
def deliver(sweep: bool = False) -> str:
    """Sweep the deadlines if asked, send the e-mails due, and come back for the retries."""
    told = actions.do_sweep_deadlines() if sweep else 0
    sent = actions.do_send_due()
    again = actions.next_attempt()
    if again is not None:
        schedule(at=again)
    return f"told {told}; e-mails {sent}"


def schedule(*, at: dt.datetime | None = None, sweep: bool = False) -> None:
    """Queue `deliver` for `at` (a few seconds on), unless one queued will run by then."""
    at = at or timezone.now() + BATCH
    queued = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=PATH, run_after__lte=at
    )
    if sweep or not queued.exists():
        deliver.using(run_after=at).enqueue(sweep=sweep)


WEBHOOKS_PATH = "thidua.notifications.tasks.send_webhooks"


@task()
def send_webhooks() -> str:
    """Send the webhooks due, and come back when the next retry is due."""
    sent = actions.do_send_webhooks()
    again = actions.next_webhook_attempt()
    if again is not None:
        schedule_webhooks(at=again)
    return f"webhooks {sent}"


def schedule_webhooks(*, at: dt.datetime | None = None) -> None:
    """Queue `send_webhooks` for `at` (now), unless one queued will run by then."""
    at = at or timezone.now()
    queued = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=WEBHOOKS_PATH, run_after__lte=at
    )
    if not queued.exists():
        send_webhooks.using(run_after=at).enqueue()
