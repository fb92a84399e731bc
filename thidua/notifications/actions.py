"""Telling people of events, mailing what they are told, and what each person does with it.

Notifications are written once per person and event (`Notification.key`), in the transaction
of the action that caused them. E-mail goes out from the worker (tasks.py): each person's
waiting notifications in one e-mail, composed and re-checked when it is sent, so that nobody
who left the unit, was deactivated or turned that kind off since gets it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from thidua import access
from thidua.audit.models import AuditEntry
from thidua.audit.record import record
from thidua.cycle.models import Deadline, EmulationYear, Phase
from thidua.cycle.reads import year_figures
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock
from thidua.orgs.models import User

from . import mail, reads, rules, texts, webhooks
from .models import (
    Delivery,
    EventKind,
    FeedEvent,
    Kind,
    Notification,
    Preference,
    Subscription,
    WebhookDelivery,
)

log = logging.getLogger(__name__)


def _tell(
    people: Sequence[User],
    *,
    kind: str,
    key: str,
    text: str,
    url: str,
    year: EmulationYear,
    at: dt.datetime,
) -> int:
    """One notification for each person not yet told of `key`; how many were written."""
    told = set(
        Notification.objects.filter(key=key, recipient__in=people).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [
        Notification(
            recipient=person,
            organization_id=person.organization_id,
            kind=kind,
            key=key,
            text=text,
            url=url,
            year=year,
            cluster_id=year.cluster_id,
            created_at=at,
        )
        for person in people
        if person.pk not in told and person.organization_id is not None
    ]
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(fresh)
    except IntegrityError:  # told at the same moment by another process: once is enough
        return 0
    return len(fresh)


def _url(entry: AuditEntry, kind: str, year: EmulationYear) -> str:
    where = {"slug": year.cluster.slug, "year": year.year}
    if kind == rules.POLL:
        return reverse("voting:polls", kwargs=where)
    if kind in (rules.RETURNED, rules.DECISION):
        return reverse("awards:nomination", kwargs={**where, "pk": entry.object_id})
    return reverse("year_dashboard", kwargs=where)


def do_notify(entry: AuditEntry) -> int:
    """Tell the people an audited event concerns; how many were told.

    Called while the action's audit entry is written, in its transaction: the telling commits
    or rolls back with the action. (No audit entry of its own: one written inside another's
    would fork the chain; the notifications name the entry they tell of.)
    """
    event = rules.EVENTS.get(entry.action)
    if event is None or entry.year_id is None:
        return 0
    with transaction.atomic(), override(settings.LANGUAGE_CODE):
        year = EmulationYear.objects.select_related("cluster").get(pk=entry.year_id)
        if event.audience == rules.Audience.UNIT:
            unit = reads.unit_of(entry, event.unit_field)
            people = reads.staff([unit]) if unit is not None else []
        else:
            supervisor = event.audience == rules.Audience.MEMBERS_AND_SUPERVISOR
            people = reads.audience(year, supervisor=supervisor)
        people = [p for p in people if p.pk != entry.actor_id]  # not of one's own doing
        text = texts.of_entry(event.kind, year, object_repr=entry.object_repr, after=entry.after)
        return _tell(
            people,
            kind=event.kind,
            key=rules.audit_key(entry.pk),
            text=text,
            url=_url(entry, event.kind, year),
            year=year,
            at=entry.at,
        )


def do_sweep_deadlines() -> int:
    """Tell the members with work left that the current phase's deadline nears or has passed.

    Each stage (three days before, past) once per deadline; run daily by the worker.
    """
    today = clock.today()
    deadlines = (
        Deadline.objects.filter(
            phase=F("year__phase"), due_on__lte=today + dt.timedelta(days=rules.DEADLINE_SOON_DAYS)
        )
        .exclude(year__phase=Phase.CLOSED)
        .select_related("year__cluster")
        .order_by("pk")
    )
    told = 0
    for deadline in deadlines:
        stage = rules.deadline_stage(deadline.due_on, today)
        if stage is None:
            continue
        year = deadline.year
        with transaction.atomic(), override(settings.LANGUAGE_CODE):
            url = reverse("year_dashboard", kwargs={"slug": year.cluster.slug, "year": year.year})
            key = rules.deadline_key(year.pk, deadline.phase, deadline.due_on, stage)
            people = 0
            for row in year_figures(year).rows:
                if not row["todos"]:
                    continue
                text = texts.of_deadline(
                    year, due_on=deadline.due_on, stage=stage, today=today, todos=row["todos"]
                )
                people += _tell(
                    reads.staff([row["membership"].organization_id]),
                    kind=rules.DEADLINE,
                    key=key,
                    text=text,
                    url=url,
                    year=year,
                    at=clock.now(),
                )
            if people:
                record(
                    "notification.tell",
                    deadline,
                    actor=None,
                    after={"people": people, "stage": stage},
                )
            told += people
    return told


def _batch(now: dt.datetime) -> None:
    """Put each person's waiting notifications in one e-mail; drop those not to be mailed."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(email_due=True)
            .select_related("recipient", "year__cluster")
            .order_by("recipient_id", "created_at", "pk")
        )
        if not waiting:
            return
        wants = reads.email_kinds(n.recipient_id for n in waiting)
        mailed = [n for n in waiting if _mailed(n, wants[n.recipient_id])]
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(email_due=False)
        by_pk = {n.pk: n for n in mailed}
        for recipient_id, pks in rules.batches((n.recipient_id, n.pk) for n in mailed).items():
            recipient = by_pk[pks[0]].recipient
            delivery = Delivery.objects.create(
                recipient_id=recipient_id, address=recipient.email, next_attempt_at=now
            )
            Notification.objects.filter(pk__in=pks).update(delivery=delivery)


def _mailed(notification: Notification, wants: frozenset[str]) -> bool:
    recipient = notification.recipient
    return rules.mailed(
        rules.Told(
            kind=notification.kind,
            organization_id=notification.organization_id,
            created_at=notification.created_at,
            still_concerned=reads.still_concerned(recipient, notification),
        ),
        rules.Recipient(
            active=recipient.is_active,
            address=recipient.email,
            organization_id=recipient.organization_id,
            wants_email=wants,
        ),
        clock.now(),
    )


def _claim(delivery: Delivery, now: dt.datetime) -> bool:
    """Take the e-mail for this attempt; False if another worker took it first."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + rules.SENDING_LEASE)
    )


def _attempt(delivery: Delivery, connection: BaseEmailBackend, now: dt.datetime) -> str:
    """Send the e-mail once; its status afterwards."""
    recipient = User.objects.get(pk=delivery.recipient_id)
    told = list(delivery.notifications.select_related("year__cluster").order_by("created_at", "pk"))
    wants = reads.email_kinds([recipient.pk])[recipient.pk]
    for notification in told:
        notification.recipient = recipient
    still = [n for n in told if _mailed(n, wants)]
    attempts = delivery.attempts + 1  # counted by _claim
    fields: dict[str, Any] = {"address": recipient.email}
    if not still:
        fields.update(status=Delivery.Status.CANCELLED, last_error="")
    else:
        message = mail.compose(recipient, still)
        fields["subject"] = message.subject[:255]
        error = mail.send(connection, message)
        if error is None:
            fields.update(status=Delivery.Status.SENT, sent_at=now, last_error="")
        else:
            again = rules.retry_at(attempts, now)
            fields["last_error"] = error
            if again is None:
                fields["status"] = Delivery.Status.FAILED
            else:
                fields["next_attempt_at"] = again
            log.warning("e-mail %s refused (attempt %s): %s", delivery.pk, attempts, error)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return str(fields.get("status", Delivery.Status.PENDING))


def do_send_due(
    *, now: dt.datetime | None = None, connection: BaseEmailBackend | None = None
) -> dict[str, int]:
    """Send every e-mail due: the waiting notifications batched, and the retries whose time
    has come. How many e-mails ended in each status."""
    now = now or timezone.now()
    _batch(now)
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).order_by(
            "pk"
        )
    )
    outcome: dict[str, int] = {}
    if not due:
        return outcome
    connection = connection or get_connection(fail_silently=False)
    with mail.opened(connection):
        for delivery in due:
            if _claim(delivery, now):
                status = _attempt(delivery, connection, now)
                outcome[status] = outcome.get(status, 0) + 1
    return outcome


def next_attempt() -> dt.datetime | None:
    """When the earliest e-mail waiting to be tried again is due."""
    return Delivery.objects.filter(status=Delivery.Status.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]


def do_retry_delivery(delivery: Delivery, *, acting_user: User) -> Delivery:
    """The administrator has a failed e-mail tried again (after fixing the address)."""
    access.require(acting_user, "notifications.manage")
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if updated:
            record(
                "notification.email_retry",
                delivery,
                actor=acting_user,
                after={"address": delivery.address},
            )
    delivery.refresh_from_db()
    return delivery


def do_mark_read(notification: Notification, *, acting_user: User) -> Notification:
    """The person has read the notification (a second time changes nothing)."""
    access.require(acting_user, "notifications.read", notification)
    if notification.read_at is None:
        notification.read_at = clock.now()
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=notification.read_at
            )
    return notification


def do_mark_all_read(*, acting_user: User) -> int:
    """The person has read every notification listed; how many were unread."""
    access.require(acting_user, "notifications.list")
    with transaction.atomic():
        return reads.listed(acting_user).filter(read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def do_set_preferences(*, by_email: set[str], acting_user: User) -> None:
    """The kinds the person wants by e-mail (every other kind is only listed in the application)."""
    access.require(acting_user, "notifications.list")
    before = reads.email_kinds([acting_user.pk])[acting_user.pk]
    for kind in Kind.values:
        Preference.objects.update_or_create(
            user=acting_user, kind=kind, defaults={"email": kind in by_email}
        )
    record(
        "notification.preferences",
        acting_user,
        actor=acting_user,
        before={"email": sorted(before)},
        after={"email": sorted(set(Kind.values) & by_email)},
    )


# --- events out: the feed and the webhooks ------------------------------------------------------


def do_record_event(entry: AuditEntry) -> FeedEvent | None:
    """Put an audited action in the event feed, and queue its webhook for every active
    subscription of its kind whose owner may see it (through `thidua.access`).

    Called while the action's audit entry is written, in its transaction, so that an action
    that commits has its event and one rolled back has none; only the sending waits for the
    commit (hooks.py).
    """
    feed = rules.FEED.get(entry.action)
    if feed is None or entry.year_id is None:
        return None
    with transaction.atomic():
        year = EmulationYear.objects.select_related("cluster").get(pk=entry.year_id)
        event, created = FeedEvent.objects.get_or_create(
            entry=entry,
            defaults={
                "kind": feed.kind,
                "year": year,
                "cluster_id": year.cluster_id,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "data": rules.event_data(feed, object_repr=entry.object_repr, after=entry.after),
                "at": entry.at,
            },
        )
        if not created:
            return event
        now = timezone.now()
        subscribers = Subscription.objects.filter(active=True, owner__is_active=True)
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(subscription=s, event=event, next_attempt_at=now)
                for s in subscribers.select_related("owner")
                if feed.kind in s.kinds and s.owner.has_perm(feed.perm, year)
            ]
        )
    return event


def may_see_event(user: Any, event: FeedEvent) -> bool:
    return bool(user.is_active and user.has_perm(rules.EVENT_PERMS[event.kind], event.year))


def _webhook_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ActionRefused(
            _("The webhook's address must begin with https:// (or http://) and name a server."),
            kind=Refusal.INVALID,
        )
    if len(url) > 500:
        raise ActionRefused(
            _("The webhook's address must be at most 500 characters."), kind=Refusal.INVALID
        )
    return url


def _reachable(url: str) -> None:
    """Refuse an address webhooks may not be sent to (checked again at each sending, as its
    name may lead elsewhere by then); a name without an address yet is accepted."""
    try:
        webhooks.target(url)
    except webhooks.Forbidden as forbidden:
        raise ActionRefused(forbidden.message, kind=Refusal.INVALID) from forbidden
    except webhooks.Unresolved:
        pass


def do_subscribe(*, url: str, kinds: Sequence[str], acting_user: User) -> Subscription:
    """A program of the user's is sent the events of `kinds` that the user may see, each
    signed with a secret made for it (returned once, with the subscription)."""
    access.require(acting_user, "notifications.list")
    address = _webhook_url(url)
    chosen = sorted(set(kinds))
    unknown = [k for k in chosen if k not in EventKind.values]
    if not chosen or unknown:
        raise ActionRefused(
            _("Choose the kinds of event among: %(kinds)s.")
            % {"kinds": ", ".join(EventKind.values)},
            kind=Refusal.INVALID,
        )
    _reachable(address)  # before the transaction: the name is looked up
    with transaction.atomic():
        if Subscription.objects.filter(owner=acting_user, url=address, active=True).exists():
            raise ActionRefused(
                _("You already have a webhook sending to %(url)s.") % {"url": address},
                kind=Refusal.DUPLICATE,
            )
        subscription = Subscription.objects.create(
            owner=acting_user, url=address, secret=secrets.token_hex(32), kinds=chosen
        )
        record(
            "webhook.subscribe",
            subscription,
            actor=acting_user,
            after={"url": address, "kinds": chosen},
        )
    return subscription


def _require_owner(subscription: Subscription, acting_user: User) -> None:
    if subscription.owner_id != acting_user.pk and not access.is_admin(acting_user):
        raise PermissionDenied


@transaction.atomic
def do_unsubscribe(subscription: Subscription, *, acting_user: User) -> Subscription:
    """Stop sending to the subscription's address; what it was sent stays listed."""
    _require_owner(subscription, acting_user)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not subscription.active:
        raise ActionRefused(_("This webhook is already stopped."), kind=Refusal.WRONG_STATUS)
    subscription.active = False
    subscription.save(update_fields=["active"])
    WebhookDelivery.objects.filter(
        subscription=subscription, status=WebhookDelivery.Status.PENDING
    ).update(status=WebhookDelivery.Status.FAILED, last_error=_("The webhook was stopped."))
    record("webhook.unsubscribe", subscription, actor=acting_user, after={"url": subscription.url})
    return subscription


def _claim_webhook(delivery: WebhookDelivery, now: dt.datetime) -> bool:
    """Take the delivery for this attempt; False if another worker took it first."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + rules.SENDING_LEASE,
        )
    )


def _send_webhook(delivery: WebhookDelivery, now: dt.datetime) -> str:
    """Send the event once; the delivery's status afterwards."""
    subscription = delivery.subscription
    event = delivery.event
    attempts = delivery.attempts + 1  # counted by _claim_webhook
    fields: dict[str, Any] = {}
    if not subscription.active or not may_see_event(subscription.owner, event):
        fields.update(
            status=WebhookDelivery.Status.FAILED,
            last_error=_("The webhook's owner may no longer see this event."),
        )
    else:
        sent = webhooks.post(
            subscription.url, subscription.secret, event=event, delivery_id=delivery.pk
        )
        fields["last_status"] = sent.status
        if sent.delivered:
            fields.update(
                status=WebhookDelivery.Status.DELIVERED, delivered_at=timezone.now(), last_error=""
            )
        else:
            fields["last_error"] = sent.error
            # An address the guard refuses is not tried again: only its owner can change it.
            again = None if sent.refused else rules.webhook_retry_at(attempts, now)
            if again is None:
                fields["status"] = WebhookDelivery.Status.FAILED
            else:
                fields["next_attempt_at"] = again
            log.warning("webhook %s refused (attempt %s): %s", delivery.pk, attempts, sent.error)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return str(fields.get("status", WebhookDelivery.Status.PENDING))


def do_send_webhooks(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every webhook due (first attempts and retries whose time has come); how many
    ended in each status."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .select_related("subscription__owner", "event__year__cluster", "event__cluster")
        .order_by("pk")
    )
    outcome: dict[str, int] = {}
    for delivery in due:
        if _claim_webhook(delivery, now):
            status = _send_webhook(delivery, now)
            outcome[status] = outcome.get(status, 0) + 1
    return outcome


def next_webhook_attempt() -> dt.datetime | None:
    """When the earliest webhook waiting to be sent (again) is due."""
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]


def do_replay_webhook(delivery: WebhookDelivery, *, acting_user: User) -> WebhookDelivery:
    """The administrator has a webhook sent again (failed, or delivered and lost by the
    receiver), with its attempts counted afresh."""
    access.require(acting_user, "notifications.manage")
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(
            pk=delivery.pk,
            status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.DELIVERED],
            subscription__active=True,
        ).update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            delivered_at=None,
            next_attempt_at=timezone.now(),
        )
        if updated:
            record(
                "webhook.replay",
                delivery,
                actor=acting_user,
                after={"url": delivery.subscription.url, "event": delivery.event_id},
            )
    delivery.refresh_from_db()
    return delivery
