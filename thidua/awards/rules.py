"""Eligibility for emulation titles and awards, as pure functions over award history.

The rules of DOMAIN.md are data: each award has versions of a rule (a tuple of requirements,
in force from a date, with its legal source and whether it is verified). A nomination is
judged by the version in force for its year, against the nominee's history loaded by the
caller — a person's titles and awards, yearly task ratings, initiatives; a collective's
history with its predecessors' (renames, mergers) already merged in, and its members'.

Nothing here touches the database or Django. Every finding is a `Reason` (a code and
parameters); `thidua.awards.problems` puts it into the user's words.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"


class Rating(StrEnum):
    """A yearly task rating, from the best."""

    EXCELLENT = "htxsnv"  # hoàn thành xuất sắc nhiệm vụ
    GOOD = "httnv"  # hoàn thành tốt nhiệm vụ
    COMPLETED = "htnv"  # hoàn thành nhiệm vụ
    NOT_COMPLETED = "khtnv"  # không hoàn thành nhiệm vụ


RATING_RANK = {Rating.NOT_COMPLETED: 0, Rating.COMPLETED: 1, Rating.GOOD: 2, Rating.EXCELLENT: 3}


class Level(StrEnum):
    """Where an initiative is recognised, from the lowest."""

    GRASSROOTS = "grassroots"
    MINISTRY_PROVINCE = "ministry_province"
    NATIONAL = "national"


LEVEL_RANK = {Level.GRASSROOTS: 0, Level.MINISTRY_PROVINCE: 1, Level.NATIONAL: 2}


class RuleStatus(StrEnum):
    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    NOT_FOUND = "not_found"


# --- history, as plain records ---------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """A title or award held in a year."""

    award: str
    year: int


@dataclass(frozen=True)
class InitiativeFact:
    """A recognised initiative; `used` once a title or award has counted it."""

    id: int
    year: int
    level: Level
    used: bool = False


@dataclass(frozen=True)
class MemberFact:
    """One member of a collective in the nomination year."""

    awards: frozenset[str] = frozenset()
    rating: Rating | None = None


@dataclass(frozen=True)
class Nominee:
    """One nomination with the nominee's whole history, lineage already resolved."""

    key: Hashable
    award: str
    year: int
    held: tuple[Held, ...] = ()
    ratings: Mapping[int, Rating] = field(default_factory=dict)
    initiatives: tuple[InitiativeFact, ...] = ()
    members: tuple[MemberFact, ...] | None = None  # None: the collective's members are unknown
    clean_record: bool | None = None  # confirmed free of discipline, investigation, complaint

    def years_held(self, award: str) -> set[int]:
        # A title granted after the nomination year never counts toward it.
        return {h.year for h in self.held if h.award == award and h.year <= self.year}


# --- findings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One finding: what it means for the verdict, a code, and the values to show."""

    effect: Verdict
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    reasons: tuple[Reason, ...]
    initiatives: frozenset[int] = frozenset()  # initiatives this requirement uses up

    @property
    def effect(self) -> Verdict:
        return worst(r.effect for r in self.reasons)


def worst(effects: Iterable[Verdict]) -> Verdict:
    found = set(effects)
    if Verdict.NOT_ELIGIBLE in found:
        return Verdict.NOT_ELIGIBLE
    if Verdict.NEEDS_REVIEW in found:
        return Verdict.NEEDS_REVIEW
    return Verdict.ELIGIBLE


def _outcome(met: bool, code: str, **params: Any) -> Outcome:
    effect = Verdict.ELIGIBLE if met else Verdict.NOT_ELIGIBLE
    return Outcome((Reason(effect, code, params),))


def _window(year: int, years: int) -> list[int]:
    return list(range(year - years + 1, year + 1))


# --- requirements ----------------------------------------------------------------------------

# Each requirement says what of the nominee its check reads (`inputs`), so that alike
# nominations are judged once (`memo_key`); BATCHED: not worth keeping, or not the
# nominee's alone.
BATCHED: Any = object()


class _OfStaff:
    """A requirement on a collective's members: its staff is its own, never shared."""

    def inputs(self, n: Nominee) -> Hashable:
        return BATCHED


@dataclass(frozen=True)
class ConsecutiveTitles:
    """Held `award` in each of the `years` consecutive years up to the nomination year."""

    award: str
    years: int

    def inputs(self, n: Nominee) -> Hashable:
        return n.year, frozenset(n.years_held(self.award))

    def check(self, n: Nominee) -> Outcome:
        held = n.years_held(self.award)
        run: list[int] = []
        year = n.year
        while year in held:
            run.insert(0, year)
            year -= 1
        return _outcome(
            len(run) >= self.years,
            "consecutive",
            award=self.award,
            n=self.years,
            count=len(run),
            years=tuple(run),
            year=n.year,
        )


@dataclass(frozen=True)
class CountInWindow:
    """Held `award` at least `count` times in the `window` years up to the nomination year."""

    award: str
    count: int
    window: int

    def inputs(self, n: Nominee) -> Hashable:
        return frozenset(n.years_held(self.award) & set(_window(n.year, self.window)))

    def check(self, n: Nominee) -> Outcome:
        years = sorted(n.years_held(self.award) & set(_window(n.year, self.window)))
        return _outcome(
            len(years) >= self.count,
            "count_in_window",
            award=self.award,
            n=self.count,
            window=self.window,
            count=len(years),
            years=tuple(years),
        )


@dataclass(frozen=True)
class SameYearPrerequisite:
    """Holds `award` in the nomination year itself."""

    award: str

    def inputs(self, n: Nominee) -> Hashable:
        return n.year in n.years_held(self.award)

    def check(self, n: Nominee) -> Outcome:
        return _outcome(n.year in n.years_held(self.award), "same_year", award=self.award)


@dataclass(frozen=True)
class RatingsOverPeriod:
    """Rated `minimum` or better in each of `years` years, with `excellent` of them HTXSNV."""

    minimum: Rating
    years: int = 1
    excellent: int = 0

    def inputs(self, n: Nominee) -> Hashable:
        return n.year, tuple(map(n.ratings.get, range(n.year - self.years + 1, n.year + 1)))

    def check(self, n: Nominee) -> Outcome:
        unknown: list[int] = []
        below: list[int] = []
        excellent: list[int] = []
        least, ratings = RATING_RANK[self.minimum], n.ratings
        for y in range(n.year - self.years + 1, n.year + 1):
            rating = ratings.get(y)
            if rating is None:
                unknown.append(y)
            elif rating is Rating.EXCELLENT:
                excellent.append(y)
            elif RATING_RANK[rating] < least:
                below.append(y)
        best = tuple(excellent)
        params = {
            "minimum": self.minimum.value,
            "n": self.years,
            "excellent": self.excellent,
            "excellent_years": best,
        }
        if below:
            return Outcome(
                (Reason(Verdict.NOT_ELIGIBLE, "ratings_below", {**params, "years": tuple(below)}),)
            )
        if len(best) + len(unknown) < self.excellent:
            return _outcome(False, "too_few_excellent", **params)
        if unknown:
            return Outcome(
                (
                    Reason(
                        Verdict.NEEDS_REVIEW, "ratings_unknown", {**params, "years": tuple(unknown)}
                    ),
                )
            )
        return _outcome(True, "ratings", **params)


@dataclass(frozen=True)
class InitiativesRequired:
    """`count` initiatives at `level` or above, from the last `window` years, not yet used."""

    count: int
    level: Level
    window: int = 1

    def inputs(self, n: Nominee) -> Hashable:
        return BATCHED  # which initiatives are still free depends on the batch

    def check(self, n: Nominee) -> Outcome:
        years = set(_window(n.year, self.window))
        fitting = [
            i
            for i in n.initiatives
            if i.year in years and LEVEL_RANK[i.level] >= LEVEL_RANK[self.level]
        ]
        free = sorted((i for i in fitting if not i.used), key=lambda i: (i.year, i.id))
        used = len(fitting) - len(free)
        params = {"n": self.count, "level": self.level.value, "window": self.window}
        if len(free) < self.count:
            return _outcome(False, "initiatives_missing", count=len(free), used=used, **params)
        chosen = free[: self.count]
        return Outcome(
            (
                Reason(
                    Verdict.ELIGIBLE, "initiatives", {**params, "count": len(free), "used": used}
                ),
            ),
            frozenset(i.id for i in chosen),
        )


@dataclass(frozen=True)
class MinYearsSince:
    """Holds `award`, and at least `years` years have passed since it was last granted."""

    award: str
    years: int

    def inputs(self, n: Nominee) -> Hashable:
        return n.year, max((y for y in n.years_held(self.award) if y < n.year), default=None)

    def check(self, n: Nominee) -> Outcome:
        held = [y for y in n.years_held(self.award) if y < n.year]
        if not held:
            return _outcome(False, "never_held", award=self.award)
        last = max(held)
        return _outcome(
            n.year - last >= self.years,
            "years_since",
            award=self.award,
            n=self.years,
            last=last,
            since=n.year - last,
        )


@dataclass(frozen=True)
class MemberShare(_OfStaff):
    """At least `share` of the collective's members hold `award` in the nomination year."""

    award: str
    share: Decimal

    def check(self, n: Nominee) -> Outcome:
        if not n.members:
            return Outcome((Reason(Verdict.NEEDS_REVIEW, "members_unknown"),))
        holding = sum(1 for m in n.members if self.award in m.awards)
        return _outcome(
            Decimal(holding) >= self.share * len(n.members),
            "member_share",
            award=self.award,
            share=self.share,
            count=holding,
            total=len(n.members),
        )


@dataclass(frozen=True)
class MemberRatingShare(_OfStaff):
    """At least `share` of the collective's members were rated `minimum` or better."""

    minimum: Rating
    share: Decimal

    def check(self, n: Nominee) -> Outcome:
        if not n.members:
            return Outcome((Reason(Verdict.NEEDS_REVIEW, "members_unknown"),))
        if any(m.rating is None for m in n.members):
            return Outcome((Reason(Verdict.NEEDS_REVIEW, "member_ratings_unknown"),))
        good = sum(
            1
            for m in n.members
            if m.rating is not None and RATING_RANK[m.rating] >= RATING_RANK[self.minimum]
        )
        return _outcome(
            Decimal(good) >= self.share * len(n.members),
            "member_rating_share",
            minimum=self.minimum.value,
            share=self.share,
            count=good,
            total=len(n.members),
        )


@dataclass(frozen=True)
class MemberCount(_OfStaff):
    """At least `count` members hold `award` in the nomination year."""

    award: str
    count: int

    def check(self, n: Nominee) -> Outcome:
        if not n.members:
            return Outcome((Reason(Verdict.NEEDS_REVIEW, "members_unknown"),))
        holding = sum(1 for m in n.members if self.award in m.awards)
        return _outcome(
            holding >= self.count, "member_count", award=self.award, n=self.count, count=holding
        )


@dataclass(frozen=True)
class NoDisciplineOrOpenComplaint:
    """Not under discipline review, investigation or an open complaint; unknown: a human checks."""

    def inputs(self, n: Nominee) -> Hashable:
        return n.clean_record

    def check(self, n: Nominee) -> Outcome:
        if n.clean_record is None:
            return Outcome((Reason(Verdict.NEEDS_REVIEW, "record_unconfirmed"),))
        return _outcome(n.clean_record, "clean_record")


@dataclass(frozen=True)
class Quota:
    """At most `share` of the cluster's members may be proposed for this award in a year."""

    share: Decimal

    def inputs(self, n: Nominee) -> Hashable:
        return ()

    def check(self, n: Nominee) -> Outcome:
        # Judged over the whole batch by `judge_batch`; one nomination alone always fits.
        return Outcome(())

    def limit(self, members: int) -> int:
        return max(1, math.floor(self.share * members))


@dataclass(frozen=True)
class ManualCheck:
    """A criterion thidua cannot check from the history: always left to a human."""

    note: str

    def inputs(self, n: Nominee) -> Hashable:
        return ()

    def check(self, n: Nominee) -> Outcome:
        return Outcome((Reason(Verdict.NEEDS_REVIEW, "manual", {"note": self.note}),))


@dataclass(frozen=True)
class AnyOf:
    """At least one of the options is met."""

    options: tuple[Requirement, ...]

    def inputs(self, n: Nominee) -> Hashable:
        found = tuple(option.inputs(n) for option in self.options)
        return BATCHED if BATCHED in found else found

    def check(self, n: Nominee) -> Outcome:
        outcomes = [option.check(n) for option in self.options]
        for wanted in (Verdict.ELIGIBLE, Verdict.NEEDS_REVIEW):
            for outcome in outcomes:
                if outcome.effect == wanted:
                    return outcome
        reasons = tuple(r for o in outcomes for r in o.reasons)
        return Outcome((Reason(Verdict.NOT_ELIGIBLE, "none_of", {"reasons": reasons}),))


Requirement = (
    ConsecutiveTitles
    | CountInWindow
    | SameYearPrerequisite
    | RatingsOverPeriod
    | InitiativesRequired
    | MinYearsSince
    | MemberShare
    | MemberRatingShare
    | MemberCount
    | NoDisciplineOrOpenComplaint
    | Quota
    | ManualCheck
    | AnyOf
)


@dataclass(frozen=True)
class RuleVersion:
    """An award's rule from a date on."""

    award: str
    effective_from: dt.date
    requirements: tuple[Requirement, ...]
    status: RuleStatus = RuleStatus.VERIFIED


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    rule: RuleVersion | None = None
    initiatives: frozenset[int] = frozenset()  # what a decision granting the award uses up


def rule_in_force(versions: Iterable[RuleVersion], year: int) -> RuleVersion | None:
    """The latest version that took effect by the end of `year`."""
    end = dt.date(year, 12, 31)
    candidates = [v for v in versions if v.effective_from <= end]
    return max(candidates, key=lambda v: v.effective_from, default=None)


def judge(nominee: Nominee, versions: Iterable[RuleVersion]) -> Judgement:
    """The verdict on one nomination, with every finding that led to it."""
    return judge_by(nominee, rule_in_force(versions, nominee.year))


def judge_by(nominee: Nominee, rule: RuleVersion | None) -> Judgement:
    """The verdict on one nomination by the rule in force for it (None: there is none)."""
    if rule is None:
        reason = Reason(Verdict.NEEDS_REVIEW, "no_rule", {"award": nominee.award})
        return Judgement(Verdict.NEEDS_REVIEW, (reason,))
    reasons: list[Reason] = []
    if nominee.year in nominee.years_held(nominee.award):
        reasons.append(
            Reason(
                Verdict.NOT_ELIGIBLE, "already_held", {"award": nominee.award, "year": nominee.year}
            )
        )
    if rule.status == RuleStatus.NOT_FOUND:
        reasons.append(Reason(Verdict.NEEDS_REVIEW, "rule_not_found", {"award": nominee.award}))
    elif rule.status == RuleStatus.UNVERIFIED:
        reasons.append(Reason(Verdict.ELIGIBLE, "rule_unverified", {"award": nominee.award}))
    initiatives: set[int] = set()
    for requirement in rule.requirements:
        outcome = requirement.check(nominee)
        reasons.extend(outcome.reasons)
        initiatives |= outcome.initiatives
    verdict = Verdict.ELIGIBLE
    for reason in reasons:
        if reason.effect is Verdict.NOT_ELIGIBLE:
            verdict = Verdict.NOT_ELIGIBLE
            break
        if reason.effect is Verdict.NEEDS_REVIEW:
            verdict = Verdict.NEEDS_REVIEW
    return Judgement(verdict, tuple(reasons), rule, frozenset(initiatives))


def batch_order(n: Nominee) -> tuple[int, tuple[int, int, str]]:
    """Earlier years first, then in the order nominations were made (their keys)."""
    key = n.key
    if isinstance(key, int) and not isinstance(key, bool):
        return n.year, (0, key, "")
    return n.year, (1, 0, repr(key))


def without_initiatives(n: Nominee, taken: set[int]) -> Nominee:
    """The nominee with the initiatives in `taken` marked as used."""
    if (
        not taken
        or not n.initiatives
        or not any(i.id in taken and not i.used for i in n.initiatives)
    ):
        return n
    marked = tuple(dataclasses.replace(i, used=True) if i.id in taken else i for i in n.initiatives)
    return dataclasses.replace(n, initiatives=marked)


def memo_key(n: Nominee, rule: RuleVersion | None) -> Hashable | None:
    """What the judgement of `n` by `rule` depends on; None: it depends on the batch too.

    Two nominations with the same key get the same judgement, so a batch judges each
    distinct case once (most of a year's nominations for the common titles look alike).
    """
    if rule is None:
        return None, n.award
    inputs = tuple(requirement.inputs(n) for requirement in rule.requirements)
    if BATCHED in inputs:
        return None
    return id(rule), n.award, n.year, n.year in n.years_held(n.award), inputs


def judge_batch(
    nominees: Sequence[Nominee],
    versions: Mapping[str, Sequence[RuleVersion]],
    *,
    member_count: int = 0,
    memo: dict[Hashable, Judgement] | None = None,
) -> dict[Hashable, Judgement]:
    """Judge many nominations at once; quotas are counted over the batch.

    An initiative counts for one nomination only: the nominations are judged in
    `batch_order`, and what one that may be granted uses up is used for the ones after it.
    `memo`, when given, keeps judgements by `memo_key` (across calls with the same
    `versions`): alike nominations are judged once.
    """
    judgements: dict[Hashable, Judgement] = {}
    taken: set[int] = set()
    in_force: dict[tuple[str, int], RuleVersion | None] = {}
    for n in sorted(nominees, key=batch_order):
        if (n.award, n.year) not in in_force:
            in_force[n.award, n.year] = rule_in_force(versions.get(n.award, ()), n.year)
        rule = in_force[n.award, n.year]
        key = memo_key(n, rule) if memo is not None else None
        j = memo.get(key) if memo is not None and key is not None else None
        if j is None:
            j = judge_by(without_initiatives(n, taken), rule)
            if memo is not None and key is not None:
                memo[key] = j
        if j.verdict != Verdict.NOT_ELIGIBLE:
            taken |= j.initiatives
        judgements[n.key] = j
    proposed: Counter[str] = Counter(
        n.award for n in nominees if judgements[n.key].verdict != Verdict.NOT_ELIGIBLE
    )
    for n in nominees:
        j = judgements[n.key]
        if j.rule is None or j.verdict == Verdict.NOT_ELIGIBLE:
            continue
        for requirement in j.rule.requirements:
            if isinstance(requirement, Quota):
                limit = requirement.limit(member_count)
                if proposed[n.award] > limit:
                    reason = Reason(
                        Verdict.NEEDS_REVIEW,
                        "over_quota",
                        {"award": n.award, "limit": limit, "count": proposed[n.award]},
                    )
                    j = Judgement(
                        worst([j.verdict, reason.effect]),
                        (*j.reasons, reason),
                        j.rule,
                        j.initiatives,
                    )
        judgements[n.key] = j
    return judgements


def tally(judgements: Iterable[Judgement]) -> dict[Verdict, int]:
    counts: dict[Verdict, int] = defaultdict(int)
    for j in judgements:
        counts[j.verdict] += 1
    return {v: counts[v] for v in Verdict}


# --- who decides -----------------------------------------------------------------------------

# Which award levels (AwardLevel's values) each deciding authority (Decision.Authority's
# values) grants (Law 06/2022, chapter on authority, DOMAIN.md "Who decides"). The levels above
# a ministry (the Prime Minister's, the President's) are decided by no one here: the ministry
# submits them (tờ trình) to the level above.
COMPETENCE: Mapping[str, frozenset[str]] = {
    "minister": frozenset({"ministry_province"}),
    "agency_head": frozenset({"grassroots"}),
}


def decides(authority: str, award_level: str) -> bool:
    """Whether `authority` may grant an award of `award_level`."""
    return award_level in COMPETENCE.get(authority, frozenset())


def outside_competence(authority: str, award_levels: Mapping[Any, str]) -> list[Any]:
    """The keys of `award_levels` (a nomination's key → its award's level) `authority` may not
    grant, in their order."""
    return [key for key, level in award_levels.items() if not decides(authority, level)]


def decided_by(award_level: str) -> str | None:
    """The authority that grants `award_level`; None for a level above them all."""
    return next((a for a, levels in COMPETENCE.items() if award_level in levels), None)


DECISION_SYMBOL = "QĐ"


def next_sequence(used: Iterable[int]) -> int:
    """The number the register gives next: one past the highest used this year."""
    return max(used, default=0) + 1


def decision_number(sequence: int, issuer_initials: str) -> str:
    """ "15/QĐ-BKHĐT": the sequence, the kind's symbol and the issuer's initials."""
    return f"{sequence}/{DECISION_SYMBOL}-{issuer_initials}"


def sequence_of(number: str) -> int | None:
    """The register's sequence a decision number starts with ("15/QĐ-BKHĐT" gives 15)."""
    head = number.strip().split("/", 1)[0].strip()
    return int(head) if head.isdigit() else None
