"""Who is told of an event, and a person's notifications and choices, read from the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from thidua import access
from thidua.audit.models import AuditEntry
from thidua.cycle.models import EmulationYear, Membership
from thidua.orgs import rules as org_rules
from thidua.orgs.models import Succession, User

from .models import Delivery, Kind, Notification, Preference


def staff(organization_ids: Iterable[int]) -> list[User]:
    """The active accounts of these units (their officers and leaders)."""
    return list(
        User.objects.filter(is_active=True, organization_id__in=set(organization_ids)).order_by(
            "pk"
        )
    )


def supervisors(year: EmulationYear) -> list[User]:
    """The active accounts of the year's supervising department, or of the one continuing it."""
    edges = Succession.objects.values_list("predecessor_id", "successor_id")
    supervisor = year.cluster.supervisor_id
    return staff({supervisor} | org_rules.successors(supervisor, edges))


def audience(year: EmulationYear, *, supervisor: bool) -> list[User]:
    """The staff of every member unit of the year, with the supervisor's if asked."""
    members = Membership.objects.filter(year=year).values_list("organization_id", flat=True)
    found = staff(members)
    return found + supervisors(year) if supervisor else found


def unit_of(entry: AuditEntry, field: str) -> int | None:
    """The unit the audited object names in `field` (a nomination's unit), if it still exists."""
    model = apps.get_model(entry.object_type)
    return (
        model._default_manager.filter(pk=entry.object_id)
        .values_list(f"{field}_id", flat=True)
        .first()
    )


def email_kinds(user_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The kinds each person wants by e-mail: every kind but those turned off."""
    people = set(user_ids)
    off: dict[int, set[str]] = {}
    turned_off = Preference.objects.filter(user_id__in=people, email=False)
    for user_id, kind in turned_off.values_list("user_id", "kind"):
        off.setdefault(user_id, set()).add(kind)
    every = frozenset(Kind.values)
    return {user_id: every - off.get(user_id, set()) for user_id in people}


def still_concerned(user: Any, notification: Notification) -> bool:
    """The person still acts for the unit told, or supervises the year, when it is mailed."""
    if notification.year is None:
        return True
    roles = access.roles_in_year(user, notification.year)
    return roles.own_member_org_id == notification.organization_id or roles.supervisor


def listed(user: Any) -> QuerySet[Notification]:
    """The notifications a person sees: those told through the unit they belong to now."""
    return Notification.objects.filter(recipient=user, organization_id=user.organization_id)


def unread_count(user: Any) -> int:
    return listed(user).filter(read_at__isnull=True).count()


def undelivered(user: Any) -> Delivery | None:
    """The last e-mail tried to the person's present address, if the mail server refused it
    (failed, or waiting to be tried again): the person is told, not only the administrator."""
    if not user.email:
        return None
    last = (
        Delivery.objects.filter(recipient=user, address__iexact=user.email, attempts__gt=0)
        .exclude(status=Delivery.Status.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )
    return last if last is not None and last.last_error else None
