"""What the awards area adds to a year: dashboard links, units' to-dos, report facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from thidua.cycle.hooks import Link
from thidua.cycle.models import EmulationYear, Membership, Phase

from .models import Nomination


def year_links(year: EmulationYear, user: Any) -> list[Link]:
    if not user.has_perm("awards.view", year):
        return []
    args = [year.cluster.slug, year.year]
    return [
        Link(_("Nominations and eligibility"), reverse("awards:nominations", args=args)),
        Link(_("Proposal lists (Excel)"), reverse("awards:proposal_list", args=args)),
    ]


def member_todos(year: EmulationYear, memberships: Sequence[Membership]) -> dict[int, list[str]]:
    """A unit with drafts still to submit during the proposals phase."""
    if year.phase != Phase.PROPOSALS:
        return {}
    drafts = dict(
        Nomination.objects.filter(year=year, status=Nomination.Status.DRAFT)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return {
        unit: [_("Submit %(count)s draft nominations") % {"count": count}]
        for unit, count in drafts.items()
    }


def report_facts(year: EmulationYear) -> dict[str, Any]:
    """The proposals sent up (submitted or later): counts and the lists per award."""
    from .exports import PROPOSED

    nominations = list(
        Nomination.objects.filter(year=year, status__in=PROPOSED)
        .select_related("award_type", "person", "collective", "unit")
        .order_by("award_type__rank", "pk")
    )
    if not nominations:
        return {}
    lists: dict[str, dict[str, Any]] = {}
    for n in nominations:
        entry = lists.setdefault(
            n.award_type.code,
            {"award": n.award_type.name, "level": n.award_type.level, "nominees": []},
        )
        entry["nominees"].append(
            {
                "name": n.nominee_name,
                "kind": "collective" if n.collective_id else "individual",
                "unit": n.unit.name,
            }
        )
    collectives = sum(1 for n in nominations if n.collective_id)
    return {
        "awards.counts": {
            "collectives": collectives,
            "individuals": len(nominations) - collectives,
        },
        "awards.proposals": list(lists.values()),
    }
