"""Who hears of which event, which of a person's notifications go in an e-mail, when a
refused e-mail or webhook is tried again, and how a webhook is signed. Pure: no database, no
Django. (Which addresses a webhook may reach: `thidua.lib.outbound`.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from thidua.cycle import rules as cycle_rules

# The kinds of notification (models.Kind's values).
PHASE, DEADLINE, RETURNED, POLL, DECISION = "phase", "deadline", "returned", "poll", "decision"


class Audience(StrEnum):
    MEMBERS = "members"  # the officers and leaders of every member unit of the year
    MEMBERS_AND_SUPERVISOR = "members_and_supervisor"  # and the supervising department's staff
    UNIT = "unit"  # the officers and leader of the one unit the event is about


@dataclass(frozen=True)
class Event:
    """What an audited action tells, and to whom."""

    kind: str
    audience: Audience
    # For Audience.UNIT: the field of the audited object that names the unit.
    unit_field: str = ""


# The audited actions that are told, by the action's name in the audit trail. Nothing else is
# read from the areas: the object's unit, for an event told to one unit, by its field's name.
EVENTS: dict[str, Event] = {
    "year.phase": Event(PHASE, Audience.MEMBERS_AND_SUPERVISOR),
    "poll.open": Event(POLL, Audience.MEMBERS),
    "nomination.return": Event(RETURNED, Audience.UNIT, unit_field="unit"),
    "nomination.decide": Event(DECISION, Audience.UNIT, unit_field="unit"),
    "indicator.remind": Event(DEADLINE, Audience.UNIT, unit_field="organization"),
}

# A deadline is told when it is this close, and again once it has passed.
DEADLINE_SOON_DAYS = 3


def deadline_stage(due_on: dt.date, today: dt.date) -> str | None:
    """ "soon" within three days of the deadline, "overdue" once past it, None before."""
    urgency = cycle_rules.urgency(due_on, today)
    return urgency if urgency in ("soon", "overdue") else None


def audit_key(entry_id: int) -> str:
    return f"audit:{entry_id}"


def deadline_key(year_id: int, phase: str, due_on: dt.date, stage: str) -> str:
    """A deadline's stage, told once; a deadline moved to another day is told again."""
    return f"deadline:{year_id}:{phase}:{due_on.isoformat()}:{stage}"


# An e-mail the server refuses is tried again after these delays, then failed.
RETRY_DELAYS = (dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# While one worker sends an e-mail, no other takes it; if that worker dies, it is tried again
# once this has passed (the attempt counts).
SENDING_LEASE = dt.timedelta(minutes=10)
# Notifications waiting longer than this for their e-mail (the worker was down) are only listed
# in the application: news that old is no longer worth a mail.
EMAIL_WITHIN = dt.timedelta(days=7)


def retry_at(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """When to try again after `attempts` refused attempts; None once they are used up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts - 1]


@dataclass(frozen=True)
class Recipient:
    """What decides, when an e-mail is composed, whether a person still gets a notification."""

    active: bool
    address: str
    organization_id: int | None
    wants_email: frozenset[str]  # the kinds this person wants by e-mail


@dataclass(frozen=True)
class Told:
    kind: str
    organization_id: int
    created_at: dt.datetime
    still_concerned: bool  # the person still acts for the unit, or supervises, in that year


def mailed(told: Told, recipient: Recipient, now: dt.datetime) -> bool:
    """Whether the notification goes in the person's e-mail.

    Not to an account deactivated or without an address, nor to someone who left the unit it
    was told through, nor of a kind the person turned off, nor once it is stale.
    """
    return (
        recipient.active
        and bool(recipient.address)
        and recipient.organization_id == told.organization_id
        and told.still_concerned
        and told.kind in recipient.wants_email
        and now - told.created_at <= EMAIL_WITHIN
    )


def batches(waiting: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """(person, notification) pairs as one e-mail per person listing their notifications."""
    found: dict[int, list[int]] = {}
    for recipient, notification in waiting:
        found.setdefault(recipient, []).append(notification)
    return found


# --- events out ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """An audited action the event feed carries: its kind, the permission (on the year) a reader
    needs to see it, and which of the audit entry's "after" values it repeats."""

    kind: str
    perm: str
    fields: tuple[str, ...] = ()


FEED: dict[str, FeedEntry] = {
    "year.phase": FeedEntry("phase.opened", "cycle.view_year", ("phase",)),
    "poll.open": FeedEntry("poll.opened", "voting.view", ("status",)),
    "poll.close": FeedEntry("poll.closed", "voting.view", ("status",)),
    "nomination.return": FeedEntry("nomination.returned", "awards.view", ("status", "reason")),
    "nomination.decide": FeedEntry("decision.recorded", "awards.view", ("status",)),
}

# The permission to see each kind of event (on its year).
EVENT_PERMS = {entry.kind: entry.perm for entry in FEED.values()}


def event_data(
    feed: FeedEntry, *, object_repr: str, after: dict[str, object] | None
) -> dict[str, object]:
    """What an event says beyond its kind: the object's name and the whitelisted values."""
    values = after or {}
    return {"object": object_repr, **{f: values[f] for f in feed.fields if f in values}}


# A webhook the receiver does not accept (not 2xx, no answer within the timeout) is tried
# again after a pause doubling from the first, never longer than the cap; then it is failed.
WEBHOOK_FIRST_PAUSE = dt.timedelta(seconds=30)
WEBHOOK_LONGEST_PAUSE = dt.timedelta(hours=1)
WEBHOOK_MAX_ATTEMPTS = 8


def webhook_retry_at(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """When to send again after `attempts` refused attempts; None once they are used up."""
    if attempts >= WEBHOOK_MAX_ATTEMPTS:
        return None
    pause = min(WEBHOOK_FIRST_PAUSE * 2 ** (attempts - 1), WEBHOOK_LONGEST_PAUSE)
    return now + pause


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Thidua-Signature` of a webhook: HMAC-SHA256 of "timestamp.body" with the
    subscription's secret, hexadecimal, prefixed "sha256="."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
