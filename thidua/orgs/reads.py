"""Organisations read for the other areas: who stands for a unit on a given day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from django.db.models import Case, QuerySet, When

from . import rules
from .models import Organization, Succession


def continuing_on(org_ids: Iterable[int], day: dt.date) -> dict[int, list[Organization]]:
    """For each organisation, who stands for it on `day` (`rules.continuers`), archived left out.

    Three queries whatever the number of organisations.
    """
    ids = set(org_ids)
    if not ids:
        return {}
    edges = list(Succession.objects.values_list("predecessor_id", "successor_id"))
    reach = set(ids)
    for org_id in ids:
        reach |= rules.successors(org_id, edges)
    orgs = Organization.objects.in_bulk(reach)
    periods = {pk: (org.valid_from, org.valid_to) for pk, org in orgs.items()}
    return {
        org_id: [
            orgs[pk]
            for pk in rules.continuers(org_id, day, edges, periods)
            if not orgs[pk].archived
        ]
        for org_id in ids
    }


def existing_on(day: dt.date, *, first: Collection[int] = ()) -> QuerySet[Organization]:
    """The organisations, not archived, that exist on `day`: those in `first`, then the others,
    each by name. A unit within an organisation that has ended is left out with it."""
    return (
        Organization.objects.filter(archived=False)
        .exclude(valid_from__gt=day)
        .exclude(valid_to__lt=day)
        .exclude(parent__valid_to__lt=day)
        .order_by(Case(When(pk__in=list(first), then=0), default=1), "name", "valid_from", "pk")
    )
