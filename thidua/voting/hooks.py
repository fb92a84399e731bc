"""The voting area's part in the year: its phase checks, the carry-forward, to-dos and link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.cycle import hooks
from thidua.cycle.models import EmulationYear, Membership, Phase

from . import reads
from .models import Poll
from .problems import ACTIONS

if TYPE_CHECKING:
    from thidua.orgs.models import User

SHOWN_FROM = (Phase.CONFERENCE, Phase.VOTING, Phase.PROPOSALS, Phase.CLOSED)


def elections(year: EmulationYear) -> tuple[reads.Outcome, reads.Outcome]:
    return reads.outcome(year, Poll.Purpose.HEAD), reads.outcome(year, Poll.Purpose.DEPUTY)


def phase_problems(year: EmulationYear, target: str) -> list[str]:
    """Polls must be closed before the voting ends, and the election settled before closing."""
    problems: list[str] = []
    if target == Phase.PROPOSALS:
        for title in Poll.objects.filter(year=year, status=Poll.Status.OPEN).values_list(
            "title", flat=True
        ):
            problems.append(_("The poll “%(poll)s” is still open.") % {"poll": title})
    if target == Phase.CLOSED:
        head, deputy = elections(year)
        if head.exists or deputy.exists:
            for outcome, purpose in ((head, Poll.Purpose.HEAD), (deputy, Poll.Purpose.DEPUTY)):
                if not outcome.exists:
                    problems.append(
                        _("There is no poll for %(purpose)s.")
                        % {"purpose": Poll.Purpose(purpose).label}
                    )
                elif outcome.pending:
                    problems.append(outcome.pending)
            if head.elected is not None and head.elected == deputy.elected:
                problems.append(
                    _("%(unit)s was elected both head and deputy: hold the deputy poll again.")
                    % {"unit": head.elected.display_name}
                )
    return problems


def phase_changed(year: EmulationYear, before: str, after: str, acting_user: User) -> None:
    """When a year closes, open the next one with the head and deputy its members elected.

    The members are the year's, each replaced by the unit that continues it on the new year's
    first day (a 2025 merger), as the page that opens a year proposes them; the secretariat
    can change them later. If the next year was already opened by hand, or no election was
    held, nothing is done here.
    """
    if after != Phase.CLOSED:
        return
    head, deputy = elections(year)
    if head.elected is None or deputy.elected is None:
        return
    if EmulationYear.objects.filter(cluster=year.cluster, year=year.year + 1).exists():
        return
    from thidua.cycle import opening
    from thidua.cycle.actions import do_open_year

    proposal = opening.propose(year.cluster, year.year + 1)
    if proposal.head is None or proposal.deputy is None or len(proposal.members) < 2:
        return  # the elected units no longer exist as such: the secretariat opens it by hand
    do_open_year(
        year.cluster,
        year=year.year + 1,
        members=proposal.members,
        head=proposal.head,
        deputy=proposal.deputy,
        acting_user=acting_user,
    )


def member_todos(year: EmulationYear, memberships: Sequence[Membership]) -> dict[int, list[str]]:
    """Each member unit whose leader has not yet voted in an open online poll."""
    if year.phase != Phase.VOTING:
        return {}
    polls = list(Poll.objects.filter(year=year, status=Poll.Status.OPEN, method=Poll.Method.ONLINE))
    if not polls:
        return {}
    voted = reads.turnout(polls)
    result: dict[int, list[str]] = {}
    for membership in memberships:
        for poll in polls:
            if membership.organization_id not in voted[poll.pk]:
                result.setdefault(membership.organization_id, []).append(
                    _("Vote: %(poll)s") % {"poll": poll.title}
                )
    return result


def year_links(year: EmulationYear, user: Any) -> list[hooks.Link]:
    if year.phase not in SHOWN_FROM or not user.has_perm("voting.view", year):
        return []
    url = reverse("voting:polls", kwargs={"slug": year.cluster.slug, "year": year.year})
    return [hooks.Link(label=_("Voting"), url=url)]


def register() -> None:
    """Plug voting into the year (called from VotingConfig.ready)."""
    hooks.register(
        phase_problems=phase_problems,
        phase_changed=phase_changed,
        member_todos=member_todos,
        year_links=year_links,
        report_facts=report_facts,
    )
    hooks.describe_actions(gettext_lazy("Voting"), ACTIONS)


def report_facts(year: EmulationYear) -> dict[str, Any]:
    """Who the closed polls elected; counts stay on the results page, under its disclosure."""
    polls = list(
        Poll.objects.filter(year=year, status=Poll.Status.CLOSED)
        .select_related("runoff")
        .prefetch_related("candidates__organization")
        .order_by("id")
    )
    # A poll that went to a runoff is decided by its runoff round.
    finals = [p for p in polls if not hasattr(p, "runoff")]
    results: list[dict[str, Any]] = []
    elected_by_purpose: dict[str, list[str]] = {}
    for poll in finals:
        candidates = reads.candidates_of(poll)
        result = reads.count(poll, candidates)
        if result is None:
            continue
        names: dict[Any, str] = {
            c.pk: c.organization.name if c.organization else c.person_name for c in candidates
        }
        elected = [names[key] for key in result.elected]
        results.append(
            {
                "purpose": poll.purpose,
                "title": poll.title,
                "elected": elected,
                "passed": [names[key] for key in result.passed],
                "closed": True,
            }
        )
        elected_by_purpose.setdefault(poll.purpose, []).extend(elected)
    if not results:
        return {}
    facts: dict[str, Any] = {"voting.results": results}
    if elected_by_purpose.get(Poll.Purpose.FLAG):
        facts["voting.flag"] = elected_by_purpose[Poll.Purpose.FLAG]
    if elected_by_purpose.get(Poll.Purpose.CERTIFICATE):
        facts["voting.certificates"] = elected_by_purpose[Poll.Purpose.CERTIFICATE]
    for purpose, key in (
        (Poll.Purpose.HEAD, "voting.next_head"),
        (Poll.Purpose.DEPUTY, "voting.next_deputy"),
    ):
        outcome = reads.outcome(year, purpose)
        if outcome.elected is not None:
            facts[key] = outcome.elected.name
    return facts
