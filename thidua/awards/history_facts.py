"""The history as the rules read it: what a batch must read (`Needs`), and what was read
(`History`), one object per distinct fact.

`reads` runs the queries; this module only says which and turns their rows into
the facts of `rules`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from . import rules

_NO_AWARDS: frozenset[str] = frozenset()


NOMINEES, UNITS = 1, 2  # the parts of the history read
RECORD_KEY = 10_000  # a title or award read as award type × RECORD_KEY + year

# Requirements that read only titles and awards (ratings, initiatives and members are read
# for the awards whose rules name them); any other kind makes the loader read everything,
# so a new kind of requirement is never judged on missing history.
_HISTORY_ONLY = (
    rules.ConsecutiveTitles,
    rules.CountInWindow,
    rules.SameYearPrerequisite,
    rules.MinYearsSince,
    rules.NoDisciplineOrOpenComplaint,
    rules.Quota,
    rules.ManualCheck,
)


@dataclass(frozen=True)
class Needs:
    """What of the history the rules look at beyond titles and awards."""

    ratings_years: int | None  # how many years back (with the nomination year); None: all
    member_awards: frozenset[str]  # awards whose rules count members' titles
    member_ratings: frozenset[str]  # awards whose rules count members' ratings
    rated: frozenset[str] = frozenset()  # awards whose rules look at the nominee's ratings
    initiatives: frozenset[str] = frozenset()  # awards whose rules count initiatives

    @classmethod
    def of(cls, versions: dict[str, list[rules.RuleVersion]]) -> Needs:
        reach: int | None = 1
        awards: set[str] = set()
        ratings: set[str] = set()
        rated: set[str] = set()
        initiatives: set[str] = set()
        everything = False

        def visit(code: str, requirement: Any) -> None:
            nonlocal reach, everything
            if isinstance(requirement, rules.RatingsOverPeriod):
                reach = max(reach or 1, requirement.years)
                rated.add(code)
            elif isinstance(requirement, rules.InitiativesRequired):
                initiatives.add(code)
            elif isinstance(requirement, rules.MemberShare | rules.MemberCount):
                awards.add(code)
            elif isinstance(requirement, rules.MemberRatingShare):
                ratings.add(code)
            elif isinstance(requirement, rules.AnyOf):
                for option in requirement.options:
                    visit(code, option)
            elif not isinstance(requirement, _HISTORY_ONLY):
                everything = True

        for code, found in versions.items():
            for version in found:
                for requirement in version.requirements:
                    visit(code, requirement)
        if everything:
            every = frozenset(versions)
            return cls(None, every, every, every, every)
        return cls(
            reach,
            frozenset(awards),
            frozenset(ratings),
            frozenset(rated),
            frozenset(initiatives),
        )


class _Interned(dict[str, Any]):
    """One object per distinct fact, made on first sight by `make`."""

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, fact: str) -> Any:
        made = self[fact] = self._make(fact)
        return made


class History:
    """The rows read, sorted by holder; one object per distinct fact, however often it occurs."""

    def __init__(self, award_codes: dict[int, str]) -> None:
        self.by_person: dict[int, tuple[rules.Held, ...]] = {}
        self.by_org: dict[int, tuple[rules.Held, ...]] = {}
        self.person_ratings: dict[int, dict[int, rules.Rating]] = defaultdict(dict)
        self.org_ratings: dict[int, dict[int, rules.Rating]] = defaultdict(dict)
        # A person's initiatives as facts, with the record (if any) that used each one.
        self.initiatives: dict[int, list[tuple[rules.InitiativeFact, int | None]]] = defaultdict(
            list
        )
        self._level = {level.value: level for level in rules.Level}
        # A collective's members in a year, as facts; absent: no member is known.
        self.members: dict[tuple[int, int], tuple[rules.MemberFact, ...]] = {}
        self._codes = award_codes
        self._rating = {r.value: r for r in rules.Rating}

    def read_records(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Titles and awards: (part, holder, "fact,fact,…") rows, a fact being
        award type × RECORD_KEY + year."""
        held = _Interned(self._held_of)
        for part, holder, facts in rows:
            found = tuple(map(held.__getitem__, facts.split(",")))
            (self.by_org if part == UNITS else self.by_person)[holder] = found

    def _held_of(self, fact: str) -> rules.Held:
        award, year = divmod(int(fact), RECORD_KEY)
        return rules.Held(self._codes[award], year)

    def read_ratings(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Task ratings: (part, holder, "htxsnv:2019,httnv:2020,…") rows."""
        rating = _Interned(self._rating_of)
        of_person, of_org = self.person_ratings, self.org_ratings
        for part, holder, facts in rows:
            (of_org if part == UNITS else of_person)[holder].update(
                map(rating.__getitem__, facts.split(","))
            )

    def _rating_of(self, fact: str) -> tuple[int, rules.Rating]:
        value, _colon, year = fact.partition(":")
        return int(year), self._rating[value]

    def read_initiative(
        self, pk: int, person: int, year: int, level: str, used_by: int | None
    ) -> None:
        fact = rules.InitiativeFact(pk, year, self._level[level], used_by is not None)
        self.initiatives[person].append((fact, used_by))

    def initiatives_for(self, person: int, record: int | None) -> tuple[rules.InitiativeFact, ...]:
        """A person's initiatives; one that `record` (the nomination's own) used is free."""
        found = self.initiatives.get(person, ())
        return tuple(
            dataclasses.replace(fact, used=False)
            if used_by is not None and used_by == record
            else fact
            for fact, used_by in found
        )

    def read_members(
        self,
        year: int,
        staff: Iterable[tuple[int, str]],
        awards: Iterable[tuple[int, str]],
        ratings: Iterable[tuple[int, str]],
    ) -> None:
        """A year's staff of collectives, as (collective, "person,person,…") rows, with the
        (person, "award type,…") and (person, rating) rows of that year."""
        held: dict[int, frozenset[str]] = {
            person: frozenset(self._codes[int(a)] for a in codes.split(","))
            for person, codes in awards
        }
        rated = {person: self._rating[value] for person, value in ratings}
        facts: dict[tuple[frozenset[str], rules.Rating | None], rules.MemberFact] = {}
        fact_of: dict[str, rules.MemberFact] = {}
        for person in held.keys() | rated.keys():
            key = (held.get(person, _NO_AWARDS), rated.get(person))
            if key not in facts:
                facts[key] = rules.MemberFact(*key)
            fact_of[str(person)] = facts[key]
        nothing = rules.MemberFact()
        for collective, people in staff:
            # A person with two posts in the year is one member.
            self.members[collective, year] = tuple(
                map(fact_of.get, set(people.split(",")), repeat(nothing))
            )


def lineage_ratings(
    orgs: Iterable[int], ratings_by_org: dict[int, dict[int, rules.Rating]]
) -> dict[int, rules.Rating]:
    """A unit's ratings with its predecessors'; where two merged units differ, the lower."""
    merged: dict[int, rules.Rating] = {}
    for org in orgs:
        for year, rating in ratings_by_org.get(org, {}).items():
            if year not in merged or rules.RATING_RANK[rating] < rules.RATING_RANK[merged[year]]:
                merged[year] = rating
    return merged
