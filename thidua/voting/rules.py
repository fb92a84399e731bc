"""Secret-ballot rules for the year-end review of an emulation cluster.

Member units of a cluster vote on whom to propose for the emulation flag
(one choice), for certificates of merit (up to N choices) and for next
year's head and deputy (one choice each).  This module holds the pure
rules: validating a poll's settings, checking one ballot, counting the
ballots, deciding who passed the threshold and who is elected, detecting
ties for the last seat, building the runoff poll and preparing what may be
shown once the count is closed.

House rules: no Django, no ORM, frozen dataclasses in and out, and every
problem is a structured :class:`Problem` (a code plus parameters) that the
views translate into Vietnamese.

Candidate keys are any hashable values (unit codes, primary keys...).
Ordering among candidates never compares keys: "list order" always means
the position in ``PollSettings.candidates``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypeAlias

CandidateKey: TypeAlias = Hashable
"""A candidate (or voter) key: any hashable value, e.g. a unit code."""


class ThresholdBase(StrEnum):
    """What the threshold share is measured against."""

    CAST = "cast"
    """Of the ballots cast (blank ballots included)."""

    ENTITLED = "entitled"
    """Of the members entitled to vote: absent members count against."""


class TieRule(StrEnum):
    """How a tie for the last seat is settled.  Chosen before the poll opens."""

    RUNOFF = "runoff"
    """The tied candidates go to a runoff round among themselves."""

    SECRETARIAT_DECIDES = "secretariat_decides"
    """The tie stays unresolved and is recorded for a documented human decision."""

    ORDER_OF_LIST = "order_of_list"
    """The candidate earlier on the candidate list wins."""


class NextRound(StrEnum):
    """What follows a count that leaves seats empty without a tie.  Chosen before the poll opens."""

    NONE = "none"
    """Nothing: the seats stay empty."""

    LEADING = "leading"
    """A new round between the leading candidates (``PollSettings.next_round_size`` of them)."""


class DisclosureMode(StrEnum):
    """How much of a closed count may be shown."""

    FULL = "full"
    """Counts, shares and outcome."""

    OUTCOME_ONLY = "outcome_only"
    """Only passed / elected per candidate; no counts, no ranking."""


# ---------------------------------------------------------------------------
# Problem codes (translated by the views).
# ---------------------------------------------------------------------------

# validate_settings
NO_CANDIDATES = "no_candidates"
DUPLICATE_CANDIDATE = "duplicate_candidate"
MAX_CHOICES_BELOW_ONE = "max_choices_below_one"
MAX_CHOICES_EXCEED_CANDIDATES = "max_choices_exceed_candidates"
MAX_CHOICES_EXCEED_SEATS = "max_choices_exceed_seats"
SEATS_BELOW_ONE = "seats_below_one"
SEATS_EXCEED_CANDIDATES = "seats_exceed_candidates"
THRESHOLD_NOT_FRACTION = "threshold_not_fraction"
THRESHOLD_OUT_OF_RANGE = "threshold_out_of_range"
THRESHOLD_UNREACHABLE = "threshold_unreachable"
ENTITLED_BELOW_ONE = "entitled_below_one"
NEXT_ROUND_WITHOUT_SEATS = "next_round_without_seats"
NEXT_ROUND_TOO_SMALL = "next_round_too_small"

# check_ballot
TOO_MANY_CHOICES = "too_many_choices"
UNKNOWN_CANDIDATE = "unknown_candidate"
DUPLICATE_CHOICE = "duplicate_choice"
SELF_VOTE = "self_vote"

# tally
BALLOTS_EXCEED_ENTITLED = "ballots_exceed_entitled"
NO_BALLOTS_CAST = "no_ballots_cast"
UNRESOLVED_TIE = "unresolved_tie"


def _frozen_mapping(data: Mapping[str, object] | None = None) -> Mapping[str, object]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class Problem:
    """A rule violation or notable condition, as a code plus parameters.

    ``params`` is a read-only mapping; the views use it to fill in the
    Vietnamese message for ``code``.
    """

    code: str
    params: Mapping[str, object] = field(default_factory=_frozen_mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_mapping(self.params))


@dataclass(frozen=True, kw_only=True)
class PollSettings:
    """The rules of one poll, fixed before it opens.

    * ``candidates``: candidate keys, in the order of the printed list.
    * ``max_choices``: how many candidates one ballot may choose (>= 1).
    * ``allow_self_vote``: whether a voter may choose itself.
    * ``threshold_base``: whether shares are of ballots cast or of members
      entitled to vote.
    * ``threshold``: the share to meet (default one half), in (0, 1].
    * ``strict``: True means the share must be *more than* the threshold
      ("more than half"); False means at least the threshold.
    * ``seats``: how many winners at most (1 for the flag, head or deputy);
      None means everyone over the threshold (certificates of merit).
    * ``tie_rule``: how a tie for the last seat is settled.
    * ``next_round`` / ``next_round_size``: what follows when seats stay empty without a
      tie (nobody reached the threshold): nothing, or a new round between that many
      leading candidates.
    """

    candidates: tuple[CandidateKey, ...]
    max_choices: int
    allow_self_vote: bool
    threshold_base: ThresholdBase
    seats: int | None
    threshold: Fraction = Fraction(1, 2)
    strict: bool = True
    tie_rule: TieRule = TieRule.RUNOFF
    next_round: NextRound = NextRound.NONE
    next_round_size: int = 2

    def __post_init__(self) -> None:
        # Accept any sequence for convenience but always hold an immutable tuple.
        object.__setattr__(self, "candidates", tuple(self.candidates))


@dataclass(frozen=True, kw_only=True)
class Result:
    """The outcome of counting one poll.

    * ``settings`` / ``entitled``: what the count was made under.
    * ``ballots_cast``: every ballot received, blank ones included.
    * ``blank_ballots``: ballots with no choice.
    * ``counts``: votes per candidate, every candidate present (0 if none).
    * ``shares``: votes as a fraction of the threshold base.
    * ``passed``: candidates meeting the threshold, by votes descending
      then list order.
    * ``elected``: the winners, at most ``settings.seats``, same order.
    * ``tie``: the tied candidates competing for the last seat(s), in list
      order; empty if there is no such tie.  Under ORDER_OF_LIST the tie is
      still reported (for the minutes) although it has been settled.
    * ``needs_runoff``: a runoff among ``tie`` must be held (RUNOFF rule).
    * ``problems``: conditions the secretariat must see (void count,
      unresolved tie, no ballots...).
    """

    settings: PollSettings
    entitled: int
    ballots_cast: int
    blank_ballots: int
    counts: Mapping[CandidateKey, int]
    shares: Mapping[CandidateKey, Fraction]
    passed: tuple[CandidateKey, ...]
    elected: tuple[CandidateKey, ...]
    tie: tuple[CandidateKey, ...]
    needs_runoff: bool
    problems: tuple[Problem, ...]

    @property
    def base_count(self) -> int:
        """The denominator of the shares."""
        if self.settings.threshold_base is ThresholdBase.ENTITLED:
            return self.entitled
        return self.ballots_cast

    @property
    def seats_open(self) -> int:
        """Seats still to fill after this round (0 when seats is None)."""
        if self.settings.seats is None:
            return 0
        return max(self.settings.seats - len(self.elected), 0)


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def validate_settings(settings: PollSettings, entitled_count: int) -> list[Problem]:
    """Return every problem with ``settings`` for a cluster of ``entitled_count`` voters.

    An empty list means the poll may be opened.
    """
    problems: list[Problem] = []
    candidates = settings.candidates
    n = len(candidates)

    if n == 0:
        problems.append(Problem(NO_CANDIDATES))
    seen: set[CandidateKey] = set()
    reported: set[CandidateKey] = set()
    for key in candidates:
        if key in seen and key not in reported:
            problems.append(Problem(DUPLICATE_CANDIDATE, {"candidate": key}))
            reported.add(key)
        seen.add(key)

    if settings.max_choices < 1:
        problems.append(Problem(MAX_CHOICES_BELOW_ONE, {"max_choices": settings.max_choices}))
    elif n and settings.max_choices > n:
        problems.append(
            Problem(
                MAX_CHOICES_EXCEED_CANDIDATES,
                {"max_choices": settings.max_choices, "candidates": n},
            )
        )

    seats = settings.seats
    if seats is not None:
        if seats < 1:
            problems.append(Problem(SEATS_BELOW_ONE, {"seats": seats}))
        else:
            if n and seats > n:
                problems.append(Problem(SEATS_EXCEED_CANDIDATES, {"seats": seats, "candidates": n}))
            if settings.max_choices > seats:
                # A ballot may not choose more people than there are places.
                problems.append(
                    Problem(
                        MAX_CHOICES_EXCEED_SEATS,
                        {"max_choices": settings.max_choices, "seats": seats},
                    )
                )

    threshold: Fraction | None = settings.threshold
    if not isinstance(threshold, Fraction):
        # Floats are inexact (0.1 is not one tenth); ints are accepted as exact.
        if isinstance(threshold, int) and not isinstance(threshold, bool):
            threshold = Fraction(threshold)
        else:
            problems.append(Problem(THRESHOLD_NOT_FRACTION, {"threshold": threshold}))
            threshold = None
    if threshold is not None:
        if not 0 < threshold <= 1:
            problems.append(Problem(THRESHOLD_OUT_OF_RANGE, {"threshold": threshold}))
        elif settings.strict and threshold == 1:
            # Nobody can get more than all the votes.
            problems.append(Problem(THRESHOLD_UNREACHABLE, {"threshold": threshold}))

    if entitled_count < 1:
        problems.append(Problem(ENTITLED_BELOW_ONE, {"entitled": entitled_count}))

    if settings.next_round is NextRound.LEADING:
        if seats is None:
            # Everyone over the threshold wins: no seat is ever left "empty".
            problems.append(Problem(NEXT_ROUND_WITHOUT_SEATS))
        elif settings.next_round_size <= seats:
            problems.append(
                Problem(NEXT_ROUND_TOO_SMALL, {"size": settings.next_round_size, "seats": seats})
            )

    return problems


# ---------------------------------------------------------------------------
# Ballots
# ---------------------------------------------------------------------------


class _NoVoter:
    """A voter key equal to no candidate (used when the voter is unknown)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<no voter>"


_NO_VOTER = _NoVoter()


def check_ballot(
    settings: PollSettings,
    choices: Sequence[CandidateKey],
    *,
    voter_key: CandidateKey,
) -> list[Problem]:
    """Return the problems with one ballot cast by ``voter_key``.

    A blank ballot (no choices) is valid.  Each distinct offending candidate
    is reported once per code.
    """
    problems: list[Problem] = []
    if len(choices) > settings.max_choices:
        problems.append(
            Problem(
                TOO_MANY_CHOICES,
                {"choices": len(choices), "max_choices": settings.max_choices},
            )
        )
    allowed = set(settings.candidates)
    seen: set[CandidateKey] = set()
    reported: set[tuple[str, CandidateKey]] = set()

    def report(code: str, key: CandidateKey) -> None:
        if (code, key) not in reported:
            reported.add((code, key))
            problems.append(Problem(code, {"candidate": key}))

    for key in choices:
        if key not in allowed:
            report(UNKNOWN_CANDIDATE, key)
        elif not settings.allow_self_vote and key == voter_key:
            report(SELF_VOTE, key)
        if key in seen:
            report(DUPLICATE_CHOICE, key)
        seen.add(key)
    return problems


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------


def _meets(votes: int, base: int, threshold: Fraction, strict: bool) -> bool:
    """Whether ``votes`` of ``base`` meet the threshold, compared exactly in integers."""
    needed = threshold.numerator * base
    reached = votes * threshold.denominator
    return reached > needed if strict else reached >= needed


def tally(
    settings: PollSettings,
    ballots: Iterable[Sequence[CandidateKey]],
    entitled: int,
) -> Result:
    """Count ``ballots`` under ``settings`` for ``entitled`` voting members.

    Raises ``ValueError`` if the settings are invalid (see
    :func:`validate_settings`) or if a ballot is invalid: ballots must have
    gone through :func:`check_ballot` first.  The self-vote rule cannot be
    re-checked here because ballots are secret.

    If more ballots were cast than members are entitled to vote, the count
    is void: counts and shares are reported for investigation but nobody
    passes or is elected, and the problem ``ballots_exceed_entitled`` is set.
    """
    settings_problems = validate_settings(settings, entitled)
    if settings_problems:
        codes = ", ".join(p.code for p in settings_problems)
        raise ValueError(f"invalid poll settings: {codes}")

    votes = dict.fromkeys(settings.candidates, 0)
    cast = 0
    blank = 0
    for number, ballot in enumerate(ballots, start=1):
        ballot_problems = check_ballot(settings, ballot, voter_key=_NO_VOTER)
        if ballot_problems:
            codes = ", ".join(p.code for p in ballot_problems)
            raise ValueError(f"invalid ballot #{number}: {codes}")
        cast += 1
        if not ballot:
            blank += 1
        for key in ballot:
            votes[key] += 1
    return _decide(settings, entitled, cast=cast, blank=blank, votes=votes)


@dataclass(frozen=True, kw_only=True)
class BallotCounts:
    """A poll's ballots summed up without reading any one of them, for :func:`tally_counts`.

    * ``cast``: every ballot received, blank ones included.
    * ``blank``: ballots with no choice.
    * ``largest``: the most choices found on one ballot (0 when every ballot is blank).
    * ``votes``: for each key chosen on at least one ballot, how many ballots chose it; a
      key that is not a candidate is kept, so that the count can refuse it.

    A candidate chosen twice on one ballot cannot be told from these figures (beyond
    having more votes than there are marked ballots): whoever counts must make that
    impossible, as voting's ``one_choice_per_candidate_per_ballot`` constraint does.
    """

    cast: int
    blank: int
    largest: int
    votes: Mapping[CandidateKey, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "votes", MappingProxyType(dict(self.votes)))


def count_ballots(ballots: Iterable[Sequence[CandidateKey]]) -> BallotCounts:
    """The :class:`BallotCounts` of ``ballots``, as a database counts them without reading them."""
    votes: dict[CandidateKey, int] = {}
    cast = blank = largest = 0
    for ballot in ballots:
        cast += 1
        blank += not ballot
        largest = max(largest, len(ballot))
        for key in ballot:
            votes[key] = votes.get(key, 0) + 1
    return BallotCounts(cast=cast, blank=blank, largest=largest, votes=votes)


def counts_problems(settings: PollSettings, counts: BallotCounts) -> list[Problem]:
    """Why ``counts`` cannot come from valid ballots of ``settings`` (empty: they can).

    The checks :func:`check_ballot` makes of each ballot, made on the whole: no ballot with
    more than ``max_choices`` choices and no key that is not a candidate.
    """
    if any(n < 0 for n in (counts.cast, counts.blank, counts.largest, *counts.votes.values())):
        raise ValueError("ballot counts cannot be negative")
    problems: list[Problem] = []
    if counts.largest > settings.max_choices:
        problems.append(
            Problem(
                TOO_MANY_CHOICES,
                {"choices": counts.largest, "max_choices": settings.max_choices},
            )
        )
    allowed = set(settings.candidates)
    problems += [
        Problem(UNKNOWN_CANDIDATE, {"candidate": key})
        for key, votes in counts.votes.items()
        if votes and key not in allowed
    ]
    # Figures that ballots of at most ``largest`` distinct choices can give, checked as
    # paper counts are (a blank ballot count above the cast, a candidate on more ballots
    # than were marked, more or fewer votes than the marked ballots can hold).
    largest = replace(settings, max_choices=counts.largest)
    problems += paper_problems(largest, counts.votes, counts.cast, counts.blank)
    return problems


def tally_counts(settings: PollSettings, counts: BallotCounts, entitled: int) -> Result:
    """Count the ballots summed up in ``counts``: the same result as :func:`tally` of them.

    Raises ``ValueError`` if the settings are invalid or :func:`counts_problems` finds a
    problem.  Like :func:`tally`, it cannot re-check the self-vote rule.
    """
    settings_problems = validate_settings(settings, entitled)
    if settings_problems:
        codes = ", ".join(p.code for p in settings_problems)
        raise ValueError(f"invalid poll settings: {codes}")
    problems = counts_problems(settings, counts)
    if problems:
        raise ValueError("invalid ballot counts: " + ", ".join(p.code for p in problems))
    votes = {key: counts.votes.get(key, 0) for key in settings.candidates}
    return _decide(settings, entitled, cast=counts.cast, blank=counts.blank, votes=votes)


def _decide(
    settings: PollSettings, entitled: int, *, cast: int, blank: int, votes: dict[CandidateKey, int]
) -> Result:
    """The result of valid ballots: shares, who passed, who is elected, ties and problems."""
    candidates = settings.candidates
    position = {key: index for index, key in enumerate(candidates)}
    base = entitled if settings.threshold_base is ThresholdBase.ENTITLED else cast
    shares = {key: (Fraction(votes[key], base) if base else Fraction(0)) for key in candidates}

    problems: list[Problem] = []
    if cast == 0:
        problems.append(Problem(NO_BALLOTS_CAST))
    void = cast > entitled
    if void:
        problems.append(
            Problem(BALLOTS_EXCEED_ENTITLED, {"ballots_cast": cast, "entitled": entitled})
        )

    threshold = Fraction(settings.threshold)
    passed: tuple[CandidateKey, ...] = ()
    if not void and base:
        passed = tuple(
            sorted(
                (key for key in candidates if _meets(votes[key], base, threshold, settings.strict)),
                key=lambda key: (-votes[key], position[key]),
            )
        )

    elected, tie, needs_runoff = _seat(settings, passed, votes)
    if tie and settings.tie_rule is TieRule.SECRETARIAT_DECIDES:
        problems.append(
            Problem(
                UNRESOLVED_TIE,
                {
                    "candidates": tie,
                    "seats_open": (settings.seats or 0) - len(elected),
                },
            )
        )

    return Result(
        settings=settings,
        entitled=entitled,
        ballots_cast=cast,
        blank_ballots=blank,
        counts=MappingProxyType(votes),
        shares=MappingProxyType(shares),
        passed=passed,
        elected=elected,
        tie=tie,
        needs_runoff=needs_runoff,
        problems=tuple(problems),
    )


def _seat(
    settings: PollSettings,
    passed: tuple[CandidateKey, ...],
    votes: Mapping[CandidateKey, int],
) -> tuple[tuple[CandidateKey, ...], tuple[CandidateKey, ...], bool]:
    """Fill the seats from ``passed``; return (elected, tie, needs_runoff)."""
    seats = settings.seats
    if seats is None or len(passed) <= seats:
        return passed, (), False
    last = votes[passed[seats - 1]]
    if votes[passed[seats]] != last:
        return passed[:seats], (), False

    # ``passed`` is ordered by votes then list order, so the tied group is
    # contiguous and already in list order.
    secure = tuple(key for key in passed if votes[key] > last)
    tied = tuple(key for key in passed if votes[key] == last)
    open_seats = seats - len(secure)
    if settings.tie_rule is TieRule.ORDER_OF_LIST:
        return secure + tied[:open_seats], tied, False
    return secure, tied, settings.tie_rule is TieRule.RUNOFF


def runoff_settings(settings: PollSettings, result: Result) -> PollSettings:
    """Settings of the runoff among the tied candidates of ``result``.

    The runoff keeps the original threshold, base, strictness, self-vote
    and tie rules; its candidates are the tied ones (in list order) and its
    seats are the seats left open.  Each ballot may choose at most as many
    candidates as the original poll allowed and no more than the open seats.

    Raises ``ValueError`` if ``result`` does not call for a runoff or was
    not counted under ``settings``.
    """
    if result.settings != settings:
        raise ValueError("result was not counted under these settings")
    if not result.needs_runoff or not result.tie:
        raise ValueError("result does not call for a runoff")
    open_seats = result.seats_open
    return replace(
        settings,
        candidates=result.tie,
        seats=open_seats,
        max_choices=min(settings.max_choices, open_seats),
    )


def next_round_settings(settings: PollSettings, result: Result) -> PollSettings | None:
    """Settings of the round that must follow ``result``, or None when none is called for.

    A tie under the RUNOFF rule calls for the runoff among the tied (:func:`runoff_settings`).
    Otherwise, when seats stay empty and the rules say LEADING, the new round is between the
    ``next_round_size`` candidates with the most votes among those not elected (all those
    tied with the last of them too), in list order, for the seats left open.
    """
    if result.needs_runoff:
        return runoff_settings(settings, result)
    if settings.next_round is NextRound.NONE or result.seats_open == 0:
        return None
    if result.settings != settings:
        raise ValueError("result was not counted under these settings")
    position = {key: index for index, key in enumerate(settings.candidates)}
    remaining = sorted(
        (key for key in settings.candidates if key not in result.elected),
        key=lambda key: (-result.counts[key], position[key]),
    )
    if not remaining:
        return None
    cut = result.counts[remaining[min(settings.next_round_size, len(remaining)) - 1]]
    leading = {key for key in remaining if result.counts[key] >= cut}
    open_seats = result.seats_open
    return replace(
        settings,
        candidates=tuple(key for key in settings.candidates if key in leading),
        seats=min(open_seats, len(leading)),
        max_choices=min(settings.max_choices, open_seats, len(leading)),
    )


# ---------------------------------------------------------------------------
# Disclosure
# ---------------------------------------------------------------------------

_CENT = Decimal("0.01")


def _percent(share: Fraction) -> str:
    exact = Decimal(share.numerator * 100) / Decimal(share.denominator)
    return str(exact.quantize(_CENT, rounding=ROUND_HALF_UP))


def disclose(result: Result, mode: DisclosureMode) -> dict[str, object]:
    """Return what may be shown of ``result`` as plain data.

    Both modes list candidates in list order with ``passed``, ``elected``
    and ``tied`` flags, plus the poll's rules and ``needs_runoff``.

    * FULL adds ballots cast, blank ballots, entitled, the base count, each
      candidate's votes, share (``"6/7"``) and share in percent (``"85.71"``,
      half-up), the ordered ``passed``/``elected`` lists and the problems
      with their parameters.
    * OUTCOME_ONLY shows no number derived from the ballots and no ranking
      (ordered lists would reveal it); problems are given by code only.
    """
    settings = result.settings
    passed = set(result.passed)
    elected = set(result.elected)
    tied = set(result.tie)
    rules: dict[str, object] = {
        "threshold_base": str(settings.threshold_base),
        "threshold": str(settings.threshold),
        "strict": settings.strict,
        "seats": settings.seats,
        "tie_rule": str(settings.tie_rule),
    }
    rows: list[dict[str, object]] = []
    for key in settings.candidates:
        row: dict[str, object] = {"candidate": key}
        if mode is DisclosureMode.FULL:
            share = result.shares[key]
            row["votes"] = result.counts[key]
            row["share"] = str(share)
            row["share_percent"] = _percent(share)
        row["passed"] = key in passed
        row["elected"] = key in elected
        row["tied"] = key in tied
        rows.append(row)

    shown: dict[str, object] = {"mode": str(mode), "rules": rules, "candidates": rows}
    if mode is DisclosureMode.FULL:
        shown.update(
            {
                "entitled": result.entitled,
                "ballots_cast": result.ballots_cast,
                "blank_ballots": result.blank_ballots,
                "base_count": result.base_count,
                "passed": list(result.passed),
                "elected": list(result.elected),
                "tie": list(result.tie),
                "problems": [{"code": p.code, "params": _plain(p.params)} for p in result.problems],
            }
        )
    else:
        shown["problems"] = [{"code": p.code} for p in result.problems]
    shown["needs_runoff"] = result.needs_runoff
    return shown


def _plain(params: Mapping[str, object]) -> dict[str, object]:
    plain: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, tuple):
            plain[name] = list(value)
        elif isinstance(value, Fraction):
            plain[name] = str(value)
        else:
            plain[name] = value
    return plain


# ---------------------------------------------------------------------------
# Paper counts
# ---------------------------------------------------------------------------

# paper_ballots
BLANK_EXCEED_CAST = "blank_exceed_cast"
VOTES_EXCEED_BALLOTS = "votes_exceed_ballots"
TOO_MANY_VOTES = "too_many_votes"
TOO_FEW_VOTES = "too_few_votes"


def paper_problems(
    settings: PollSettings, counts: Mapping[Any, int], cast: int, blank: int
) -> list[Problem]:
    """Return why counts read from paper ballots cannot come from valid ballots (empty: they can).

    ``cast`` includes the ``blank`` ballots; every other ballot chose between one and
    ``max_choices`` distinct candidates.
    """
    problems: list[Problem] = []
    if blank > cast:
        return [Problem(BLANK_EXCEED_CAST, {"blank": blank, "cast": cast})]
    marked = cast - blank
    for key in settings.candidates:
        if counts.get(key, 0) > marked:
            problems.append(
                Problem(
                    VOTES_EXCEED_BALLOTS,
                    {"candidate": key, "votes": counts.get(key, 0), "ballots": marked},
                )
            )
    total = sum(counts.get(key, 0) for key in settings.candidates)
    if total > settings.max_choices * marked:
        problems.append(
            Problem(
                TOO_MANY_VOTES,
                {"votes": total, "ballots": marked, "max_choices": settings.max_choices},
            )
        )
    if total < marked:
        problems.append(Problem(TOO_FEW_VOTES, {"votes": total, "ballots": marked}))
    return problems


def paper_ballots(
    settings: PollSettings, counts: Mapping[Any, int], cast: int, blank: int
) -> list[tuple[CandidateKey, ...]]:
    """Valid ballots giving exactly ``counts``, so paper counts go through :func:`tally`.

    The votes are dealt round the marked ballots in list order (a candidate's votes never
    exceed the marked ballots, so no ballot gets a candidate twice).  Raises ``ValueError``
    when :func:`paper_problems` finds a problem.
    """
    problems = paper_problems(settings, counts, cast, blank)
    if problems:
        raise ValueError("impossible paper count: " + ", ".join(p.code for p in problems))
    marked = cast - blank
    ballots: list[list[CandidateKey]] = [[] for _ in range(marked)]
    dealt = 0
    for key in settings.candidates:
        for _vote in range(counts.get(key, 0)):
            ballots[dealt % marked].append(key)
            dealt += 1
    return [tuple(b) for b in ballots] + [() for _ in range(blank)]
