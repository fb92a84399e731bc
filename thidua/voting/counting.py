"""Reading polls back for the rules: settings, the secret ballots, the count and its outcome.

Nothing here changes anything; the actions and the pages call it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from thidua.cycle.models import EmulationYear
from thidua.lib.numbers import format_percent
from thidua.orgs.models import Organization

from . import rules
from .models import Ballot, BallotChoice, Candidate, PaperCount, Poll


def candidates_of(poll: Poll) -> list[Candidate]:
    return list(poll.candidates.select_related("organization").order_by("position"))


def settings_of(poll: Poll, candidates: Sequence[Candidate]) -> rules.PollSettings:
    """The poll's rules as the pure functions take them; candidates are keyed by their id."""
    return rules.PollSettings(
        candidates=tuple(c.pk for c in candidates),
        max_choices=poll.max_choices,
        allow_self_vote=poll.allow_self_vote,
        threshold_base=rules.ThresholdBase(poll.threshold_base),
        seats=poll.seats,
        threshold=poll.threshold,
        strict=poll.strict,
        tie_rule=rules.TieRule(poll.tie_rule),
    )


def receipt_hash(code: str) -> str:
    """The only form in which a receipt is stored (codes are random, so no salt is needed)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def secret_ballots(poll: Poll) -> list[tuple[int, ...]]:
    """The poll's ballots as tuples of candidate ids.

    Grouped by the ballots' random keys; the result's order says nothing about who voted when.
    """
    chosen: dict[Any, list[int]] = {
        ballot_id: [] for ballot_id in Ballot.objects.filter(poll=poll).values_list("id", flat=True)
    }
    for ballot_id, candidate_id in BallotChoice.objects.filter(ballot__poll=poll).values_list(
        "ballot_id", "candidate_id"
    ):
        chosen[ballot_id].append(candidate_id)
    return [tuple(sorted(choices)) for _key, choices in sorted(chosen.items())]


def paper_count_of(poll: Poll) -> PaperCount | None:
    return PaperCount.objects.filter(poll=poll).prefetch_related("lines").first()


def count(poll: Poll, candidates: Sequence[Candidate] | None = None) -> rules.Result | None:
    """The count of a closed poll, or None while there is none to show.

    Results exist only after the close and, for paper, once a second person has confirmed
    the entered counts.
    """
    if poll.status != Poll.Status.CLOSED or poll.entitled is None:
        return None
    candidates = candidates if candidates is not None else candidates_of(poll)
    settings = settings_of(poll, candidates)
    if poll.is_paper:
        paper = paper_count_of(poll)
        if paper is None or not paper.is_confirmed:
            return None
        votes = {line.candidate_id: line.votes for line in paper.lines.all()}
        ballots = rules.paper_ballots(settings, votes, paper.ballots_cast, paper.blank_ballots)
        return rules.tally(settings, ballots, poll.entitled)
    return rules.tally(settings, secret_ballots(poll), poll.entitled)


@dataclass(frozen=True)
class Row:
    """One candidate's line as it may be shown."""

    label: str
    votes: int | None
    percent: str | None
    passed: bool
    elected: bool
    tied: bool


@dataclass(frozen=True)
class Shown:
    """What the results page, the minutes and any export may show of a count."""

    full: bool
    entitled: int
    ballots_cast: int | None
    blank_ballots: int | None
    rows: list[Row]
    winners: list[str]
    tie: list[str]
    needs_runoff: bool
    problems: list[str]


def shown(poll: Poll, result: rules.Result, candidates: Sequence[Candidate]) -> Shown:
    """Apply the poll's disclosure setting to `result`; every output goes through here."""
    from .problems import describe

    mode = rules.DisclosureMode(poll.disclosure)
    data = rules.disclose(result, mode)
    labels: dict[Any, str] = {c.pk: c.label for c in candidates}
    full = mode is rules.DisclosureMode.FULL
    rows = []
    for row in data["candidates"]:  # type: ignore[attr-defined]
        rows.append(
            Row(
                label=labels[row["candidate"]],
                votes=row.get("votes") if full else None,
                percent=format_percent(Decimal(row["share_percent"]), 1) if full else None,
                passed=bool(row["passed"]),
                elected=bool(row["elected"]),
                tied=bool(row["tied"]),
            )
        )
    return Shown(
        full=full,
        entitled=result.entitled,
        ballots_cast=result.ballots_cast if full else None,
        blank_ballots=result.blank_ballots if full else None,
        rows=rows,
        # The elected come in vote order; without full counts that order would leak the
        # ranking, so they are listed in the ballot's order instead.
        winners=[labels[key] for key in result.elected]
        if full
        else [labels[c.pk] for c in candidates if c.pk in set(result.elected)],
        tie=[labels[key] for key in result.tie],
        needs_runoff=result.needs_runoff,
        # A problem's wording may quote ballot counts; without full counts say only that
        # there is one.
        problems=[describe(p, labels) for p in result.problems]
        if full
        else [
            _("The count reported a problem whose details this disclosure setting does not show.")
        ]
        * bool(result.problems),
    )


@dataclass(frozen=True)
class Outcome:
    """Who a head or deputy poll (with its runoffs) elected, or why nobody is elected yet."""

    exists: bool
    elected: Organization | None = None
    pending: str = ""


def outcome(year: EmulationYear, purpose: str) -> Outcome:
    """The elected unit of the year's last round for `purpose` (head or deputy)."""
    polls = list(
        Poll.objects.filter(year=year, purpose=purpose).select_related("runoff").order_by("id")
    )
    if not polls:
        return Outcome(exists=False)
    finals = [p for p in polls if not hasattr(p, "runoff")]
    label = Poll.Purpose(purpose).label
    if len(finals) != 1:
        return Outcome(
            exists=True,
            pending=_("There is more than one poll for %(purpose)s.") % {"purpose": label},
        )
    final = finals[0]
    if final.status != Poll.Status.CLOSED:
        return Outcome(
            exists=True,
            pending=_("The poll “%(poll)s” is not closed yet.") % {"poll": final.title},
        )
    candidates = candidates_of(final)
    result = count(final, candidates)
    if result is None:
        return Outcome(
            exists=True,
            pending=_("The paper count of “%(poll)s” has not been confirmed.")
            % {"poll": final.title},
        )
    if result.tie and not result.elected:
        return Outcome(
            exists=True,
            pending=_("The poll “%(poll)s” ended in a tie: hold the runoff round.")
            % {"poll": final.title},
        )
    if not result.elected:
        return Outcome(
            exists=True,
            pending=_("Nobody reached the threshold in “%(poll)s”.") % {"poll": final.title},
        )
    elected = next(c for c in candidates if c.pk == result.elected[0])
    if elected.organization is None or elected.person_name:
        return Outcome(
            exists=True,
            pending=_("The winner of “%(poll)s” is not a member unit.") % {"poll": final.title},
        )
    return Outcome(exists=True, elected=elected.organization)


def turnout(polls: Sequence[Poll]) -> dict[int, set[int]]:
    """For each poll, the ids of the units that have voted (one query)."""
    from .models import VoterRegister

    voted: dict[int, set[int]] = defaultdict(set)
    for poll_id, org_id in VoterRegister.objects.filter(poll__in=polls).values_list(
        "poll_id", "organization_id"
    ):
        voted[poll_id].add(org_id)
    return voted
