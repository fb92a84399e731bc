"""What the page that opens a year proposes, read from the cluster's last year.

The members are last year's, each replaced by the units that continue it on the new year's
first day (a 2017 keeps the 2016 departments; a 2026 has the departments they merged into in
2025). The head and deputy are those last year's conference elected for the year after it, as
the voting area states them in its report facts; what the areas can copy comes from their
`carry_overs`. The secretariat confirms or changes each of them in the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from thidua.lib import clock
from thidua.lib.dates import short_date
from thidua.orgs import reads as org_reads
from thidua.orgs.forms import label_for_choice
from thidua.orgs.models import Cluster, Organization

from . import actions, hooks
from .models import EmulationYear, Membership

# The report facts in which the voting area names the head and deputy it elected.
ELECTED = {"head": "voting.next_head", "deputy": "voting.next_deputy"}


@dataclass
class Proposal:
    """The opening of `year` as proposed; `notes` say where each part comes from."""

    year: int
    previous: EmulationYear | None = None
    members: list[Organization] = field(default_factory=list)
    head: Organization | None = None
    deputy: Organization | None = None
    carry_overs: list[hooks.CarryOver] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def initial(self) -> dict[str, object]:
        """The form's initial values: every proposed part, every copy ticked."""
        return {
            "year": self.year,
            "members": [org.pk for org in self.members],
            "head": self.head.pk if self.head else None,
            "deputy": self.deputy.pk if self.deputy else None,
            "carry_over": [offer.key for offer in self.carry_overs],
        }


def next_year_of(cluster: Cluster) -> int:
    """The year after the cluster's latest (this year's, for a cluster without any)."""
    latest = cluster.years.order_by("-year").values_list("year", flat=True).first()
    return latest + 1 if latest is not None else clock.today().year


def propose(cluster: Cluster, year: int) -> Proposal:
    """The opening of `year` as the cluster's last year before it suggests."""
    proposal = Proposal(year=year)
    previous = actions.last_year(cluster, year)
    if previous is None:
        return proposal
    proposal.previous = previous
    memberships = list(previous.memberships.select_related("organization"))
    continuing = org_reads.continuing_on(
        [m.organization_id for m in memberships], proposal.first_day
    )
    standing_for: dict[int, list[Organization]] = {}
    for membership in sorted(memberships, key=lambda m: m.organization.name):
        org = membership.organization
        now = continuing[org.pk]
        standing_for[org.pk] = now
        for successor in now:
            if successor not in proposal.members:
                proposal.members.append(successor)
        if not now:
            proposal.notes.append(
                _("%(unit)s no longer exists on %(day)s and nothing continues it.")
                % {"unit": label_for_choice(org), "day": short_date(proposal.first_day)}
            )
        elif now != [org]:
            proposal.notes.append(
                _("%(unit)s is continued by %(successors)s.")
                % {
                    "unit": org.display_name,
                    "successors": ", ".join(label_for_choice(o) for o in now),
                }
            )
    _propose_elected(proposal, previous, memberships, standing_for)
    proposal.carry_overs = actions.carry_overs(previous)
    return proposal


def _propose_elected(
    proposal: Proposal,
    previous: EmulationYear,
    memberships: list[Membership],
    standing_for: dict[int, list[Organization]],
) -> None:
    """The head and deputy elected last year, if the election was for this year."""
    if proposal.year != previous.year + 1:
        proposal.notes.append(
            _("The election of %(previous)s chose the head and deputy of %(next)s: choose them.")
            % {"previous": previous.year, "next": previous.year + 1}
        )
        return
    facts = hooks.facts_of(previous)
    by_name: dict[str, list[int]] = {}
    for membership in memberships:
        by_name.setdefault(membership.organization.name, []).append(membership.organization_id)
    for role, key in ELECTED.items():
        found = by_name.get(facts.get(key) or "", [])
        now = standing_for.get(found[0], []) if len(found) == 1 else []
        if len(now) == 1:
            setattr(proposal, role, now[0])
    if proposal.head is None or proposal.deputy is None:
        proposal.notes.append(
            _("No head and deputy elected in %(previous)s for this year were found: choose them.")
            % {"previous": previous.year}
        )
    else:
        proposal.notes.append(
            _("The head and the deputy are those the members elected in %(previous)s.")
            % {"previous": previous.year}
        )
