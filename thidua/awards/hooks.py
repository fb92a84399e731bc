"""What the awards area adds to a year (dashboard links, units' to-dos, report facts), the
background job it registers (the national eligibility check), and what it does when award
history merges two records of one person (their nominations follow)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.award_history import hooks as history_hooks
from thidua.cycle import hooks
from thidua.cycle.hooks import Link
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.jobs import registry
from thidua.jobs.models import Job
from thidua.jobs.progress import Progress
from thidua.jobs.registry import Outcome
from thidua.orgs.models import Person

from .exports import PROPOSED, national_proposal_list
from .models import Nomination

# The kind of job awards registers (the value stored in Job.kind).
CHECK_ELIGIBILITY = "check_eligibility"


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


def move_nominations(keep: Person, duplicate: Person) -> None:
    """A merged person's nominations become the kept record's."""
    Nomination.objects.filter(person=duplicate).update(person=keep)


def check_eligibility(job: Job, progress: Progress) -> Outcome:
    year = int(job.params["year"])
    return Outcome(
        _("Every proposal of %(year)s is checked; the list is ready.") % {"year": year},
        national_proposal_list(year, progress=progress),
        f"xet-dieu-kien-{year}.xlsx",
    )


def register() -> None:
    """Plug awards into the year, the background jobs and award history's merges (called
    from AwardsConfig.ready)."""
    hooks.register(year_links=year_links, member_todos=member_todos, report_facts=report_facts)
    history_hooks.people_merged.append(move_nominations)
    # Every cluster's proposals of a year: the national page's, as the national report.
    registry.register(
        CHECK_ELIGIBILITY,
        label=gettext_lazy("Eligibility check"),
        permission="conference.national_report",
        work=check_eligibility,
    )
