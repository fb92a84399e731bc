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

from django.db import connections
from django.utils.translation import gettext as _

from thidua.cycle.models import EmulationYear
from thidua.lib.numbers import format_percent
from thidua.orgs.models import Organization

from . import rules
from .models import Ballot, BallotChoice, Candidate, PaperCount, Poll, PublishedBox


def candidates_of(poll: Poll) -> list[Candidate]:
    return list(poll.candidates.select_related("organization").order_by("position"))


def settings_of(poll: Poll, candidates: Sequence[Candidate]) -> rules.PollSettings:
    """The poll's rules as the pure functions take them; candidates are keyed by their id."""
    return _settings(poll, [c.pk for c in candidates])


def _settings(poll: Poll, keys: Sequence[int]) -> rules.PollSettings:
    return rules.PollSettings(
        candidates=tuple(keys),
        max_choices=poll.max_choices,
        allow_self_vote=poll.allow_self_vote,
        threshold_base=rules.ThresholdBase(poll.threshold_base),
        seats=poll.seats,
        threshold=poll.threshold,
        strict=poll.strict,
        tie_rule=rules.TieRule(poll.tie_rule),
        next_round=rules.NextRound(poll.next_round),
        next_round_size=poll.next_round_size,
    )


def receipt_hash(code: str) -> str:
    """The only form in which a receipt is stored (codes are random, so no salt is needed)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


# The count of a poll's secret ballots in one statement, one round trip at any size: the
# database groups and counts, and no ballot's key, receipt or row comes back. Its rows:
# ("votes", candidate id, ballots choosing it), the blank ballots under a NULL candidate;
# ("marked", ballots with a choice, the most choices on one ballot); and, unless the caller
# has read the candidates already, ("candidate", id, position on the list).
_BALLOTS, _CHOICES = Ballot._meta.db_table, BallotChoice._meta.db_table
_VOTES = f"""
    SELECT 'votes', c.candidate_id, COUNT(*)
    FROM {_BALLOTS} b LEFT JOIN {_CHOICES} c ON c.ballot_id = b.id
    WHERE b.poll_id = %s
    GROUP BY c.candidate_id
"""
_MARKED = f"""
    SELECT 'marked', COUNT(*), COALESCE(MAX(per_ballot.choices), 0)
    FROM (
        SELECT COUNT(*) AS choices
        FROM {_BALLOTS} b JOIN {_CHOICES} c ON c.ballot_id = b.id
        WHERE b.poll_id = %s
        GROUP BY b.id
    ) per_ballot
"""
_CANDIDATES = f"""
    SELECT 'candidate', k.id, k.position FROM {Candidate._meta.db_table} k WHERE k.poll_id = %s
"""


def ballot_counts(poll: Poll, *, with_candidates: bool) -> tuple[list[int], rules.BallotCounts]:
    """The poll's candidate ids in list order (if asked for) and its ballots, counted.

    Counted by the database, never read one by one: the count needs how many ballots chose
    each candidate, how many are blank and the most choices on one ballot; a candidate twice
    on one ballot is what the one_choice_per_candidate_per_ballot constraint rules out.
    """
    parts = [_VOTES, _MARKED] + ([_CANDIDATES] if with_candidates else [])
    with connections[Ballot.objects.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [poll.pk] * len(parts))
        rows = cursor.fetchall()
    votes: dict[rules.CandidateKey, int] = {}
    marked = largest = 0
    listed: list[tuple[int, int]] = []
    for kind, key, number in rows:
        if kind == "votes":
            votes[key] = number
        elif kind == "marked":
            marked, largest = key, number
        else:
            listed.append((number, key))
    blank = votes.pop(None, 0)
    counts = rules.BallotCounts(cast=marked + blank, blank=blank, largest=largest, votes=votes)
    return [key for _position, key in sorted(listed)], counts


def paper_count_of(poll: Poll) -> PaperCount | None:
    return PaperCount.objects.filter(poll=poll).prefetch_related("lines").first()


def count(poll: Poll, candidates: Sequence[Candidate] | None = None) -> rules.Result | None:
    """The count of a closed poll, or None while there is none to show.

    Results exist only after the close and, for paper, once a second person has confirmed
    the entered counts.
    """
    if poll.status != Poll.Status.CLOSED or poll.entitled is None:
        return None
    if not poll.is_paper:
        keys, counts = ballot_counts(poll, with_candidates=candidates is None)
        if candidates is not None:
            keys = [c.pk for c in candidates]
        return rules.tally_counts(_settings(poll, keys), counts, poll.entitled)
    paper = paper_count_of(poll)
    if paper is None or not paper.is_confirmed:
        return None
    settings = settings_of(poll, candidates if candidates is not None else candidates_of(poll))
    votes = {line.candidate_id: line.votes for line in paper.lines.all()}
    ballots = rules.paper_ballots(settings, votes, paper.ballots_cast, paper.blank_ballots)
    return rules.tally(settings, ballots, poll.entitled)


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


def next_round_rule(poll: Poll) -> str:
    """The poll's rule for when seats stay empty, in one sentence (for the ballot page and
    the minutes)."""
    if poll.next_round == Poll.NextRound.LEADING:
        return _(
            "If no candidate reaches the threshold, a new round is held between the "
            "%(size)s candidates with the most votes."
        ) % {"size": poll.next_round_size}
    return _("If no candidate reaches the threshold, no further round is held.")


def calls_for_next_round(poll: Poll, result: rules.Result) -> bool:
    """Whether the count and the rules call for a round after `poll` and it is not held yet."""
    if rules.next_round_settings(result.settings, result) is None:
        return False
    return not Poll.objects.filter(parent=poll).exists()


def published_box(poll: Poll) -> PublishedBox | None:
    """The closed online poll's published ballot box (None for paper and before the close)."""
    return PublishedBox.objects.filter(poll=poll).first()


def box_is_public(poll: Poll) -> bool:
    """Whether the box may be handed out: each ballot's choices show the full counts, so only
    a poll that discloses them publishes its box."""
    return poll.status == Poll.Status.CLOSED and poll.disclosure == Poll.Disclosure.FULL


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
