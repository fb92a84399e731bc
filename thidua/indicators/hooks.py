"""Where indicators plugs into the year: its page, the members' to-dos and its facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thidua.cycle import hooks
from thidua.cycle.hooks import CarryOver, Link, ProgressStep
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.cycle.rules import PHASES

from . import actions, reads
from .models import Indicator, IndicatorValue

if TYPE_CHECKING:
    from thidua.orgs.models import User


def year_links(year: EmulationYear, user: Any) -> list[Link]:
    if not user.has_perm("indicators.view", year):
        return []
    return [Link(_("Indicators"), reverse("indicators:index", args=[year.cluster.slug, year.year]))]


# Between the pledge (10) and the self-assessment (30) in the dashboard's chart.
REPORTED_ORDER = 20


def member_progress(year: EmulationYear, memberships: Sequence[Membership]) -> list[ProgressStep]:
    """From the year in progress on: how many of the year's indicators each member reported.
    Two queries."""
    if PHASES.index(year.phase) < PHASES.index(Phase.IN_PROGRESS):
        return []
    total = Indicator.objects.filter(year=year).count()
    if not total:
        return []
    reported = dict(
        IndicatorValue.objects.filter(indicator__year=year, value__isnull=False)
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    return [
        ProgressStep(
            key="indicators.reported",
            label=_("Indicators reported"),
            order=REPORTED_ORDER,
            done={
                m.organization_id: (min(reported.get(m.organization_id, 0), total), total)
                for m in memberships
            },
        )
    ]


def member_todos(year: EmulationYear, memberships: Sequence[Membership]) -> dict[int, list[str]]:
    """While values are reported: who still has some to report, and whether it was reminded."""
    if year.phase not in reads.REPORTING_PHASES:
        return {}
    total = Indicator.objects.filter(year=year).count()
    if not total:
        return {}
    reported = dict(
        IndicatorValue.objects.filter(indicator__year=year, value__isnull=False)
        .values("organization_id")
        .annotate(n=Count("id", filter=Q(value__isnull=False)))
        .values_list("organization_id", "n")
    )
    reminders = reads.latest_reminders(year)
    todos: dict[int, list[str]] = {}
    for membership in memberships:
        org = membership.organization_id
        missing = total - reported.get(org, 0)
        if missing <= 0:
            continue
        items = [_("Report indicators: %(count)s missing") % {"count": missing}]
        reminder = reminders.get(org)
        if reminder is not None:
            when = timezone.localtime(reminder.reminded_at).strftime("%d/%m/%Y")
            items.append(_("Reminded on %(date)s") % {"date": when})
        todos[org] = items
    return todos


def report_facts(year: EmulationYear) -> dict[str, Any]:
    """What the indicators state about the year: the results paragraph and each figure."""
    from .models import Indicator

    if not Indicator.objects.filter(year=year).exists():
        return {}
    data = reads.load(year)
    return {
        "indicators.results_paragraph": reads.results_paragraph(year),
        "indicators.aggregates": [
            {"code": f.indicator.code, "name": f.indicator.name, "stated": f.statement}
            for f in reads.figures(data)
        ],
    }


CARRY_OVER = "indicators"


def carry_overs(year: EmulationYear) -> list[CarryOver]:
    """The year's indicators, offered to the next year."""
    count = Indicator.objects.filter(year=year).count()
    if not count:
        return []
    label = ngettext(
        "Copy the %(count)s indicator of %(year)s",
        "Copy the %(count)s indicators of %(year)s",
        count,
    ) % {"count": count, "year": year.year}
    return [CarryOver(CARRY_OVER, label)]


def year_opened(
    previous: EmulationYear, year: EmulationYear, options: frozenset[str], acting_user: User
) -> list[str]:
    """Copy last year's indicators into the new year, if the secretariat ticked them."""
    if CARRY_OVER not in options:
        return []
    created = actions.copy_indicators(previous, year, acting_user=acting_user)
    if not created:
        return []
    return [
        ngettext("%(count)s indicator", "%(count)s indicators", len(created))
        % {"count": len(created)}
    ]


def register() -> None:
    """Plug indicators into the year (called from IndicatorsConfig.ready)."""
    hooks.register(
        member_todos=member_todos,
        member_progress=member_progress,
        year_links=year_links,
        report_facts=report_facts,
        carry_overs=carry_overs,
        year_opened=year_opened,
    )
