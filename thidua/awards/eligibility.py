"""Eligibility of nominations: load the history a batch needs in a few queries, then judge.

However many nominations there are, the history is read with a fixed number of queries
(units' lineage resolved in memory); `awards.rules` does the rest. A batch is judged year
by year (a year is one cluster's), so quotas count against that cluster's members.

Only the rows the rules can use are read: a nominee's whole history, but of a collective's
members only their titles and ratings of the nomination year. When the nominations come
as a query (`judge_scope`), the database finds the people itself through subqueries, so a
national batch of tens of thousands never sends their ids back and forth.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast

from thidua.cycle.models import EmulationYear, Membership
from thidua.orgs import rules as org_rules
from thidua.orgs.models import PersonPosition, Succession

from . import rules
from .models import AwardRecord, AwardRule, AwardType, Initiative, Nomination, TaskRating

# Past this many nominations, a batch given as objects is loaded in parts, so that no
# query carries more ids than a database accepts.
CHUNK = 5000
Progress = Callable[[int, int], None]
_NO_AWARDS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Entry:
    """What eligibility reads of a nomination."""

    pk: int
    year_id: int
    year: int  # the calendar year
    award: str
    person_id: int | None
    collective_id: int | None
    record_id: int | None
    clean_record: bool | None

    @classmethod
    def of(cls, n: Nomination, calendar: dict[int, int]) -> Entry:
        return cls(
            n.pk,
            n.year_id,
            calendar[n.year_id],
            n.award_type.code,
            n.person_id,
            n.collective_id,
            n.record_id,
            n.clean_record,
        )


def entries(scope: QuerySet[Nomination]) -> list[Entry]:
    """The nominations of a query as entries: one query, no model objects."""
    rows = (
        scope.order_by()
        .annotate(confirmed=Cast("clean_record", IntegerField()))
        .values_list(
            "pk",
            "year_id",
            "year__year",
            "award_type__code",
            "person_id",
            "collective_id",
            "record_id",
            "confirmed",
        )
    )
    return [
        Entry(pk, year_id, year, award, person, collective, record, _flag(confirmed))
        for pk, year_id, year, award, person, collective, record, confirmed in _rows(rows)
    ]


def _flag(value: int | None) -> bool | None:
    return None if value is None else value == 1


def rule_versions() -> dict[str, list[rules.RuleVersion]]:
    """Every award's rule versions, by award code."""
    versions: dict[str, list[rules.RuleVersion]] = defaultdict(list)
    for rule in AwardRule.objects.select_related("award_type"):
        versions[rule.award_type.code].append(rule.as_version(rule.award_type.code))
    return versions


def judge_nominations(
    nominations: Sequence[Nomination], *, member_count: int | None = None
) -> dict[int, rules.Judgement]:
    """The verdict on each nomination, by id. Nominations need `award_type` loaded."""
    calendar = dict(
        EmulationYear.objects.filter(pk__in={n.year_id for n in nominations}).values_list(
            "pk", "year"
        )
    )
    batch = [Entry.of(n, calendar) for n in nominations]
    versions = rule_versions()
    nominees = [
        nominee
        for start in range(0, len(batch), CHUNK)
        for nominee in load_nominees(batch[start : start + CHUNK], versions)
    ]
    return _judge(batch, nominees, versions, member_count=member_count)


def judge_scope(
    scope: QuerySet[Nomination],
    *,
    member_count: int | None = None,
    progress: Progress | None = None,
) -> dict[int, rules.Judgement]:
    """The verdict on every nomination of a query (a year, every cluster's year ...)."""
    batch = entries(scope)
    versions = rule_versions()
    nominees = load_nominees(batch, versions, scope=scope)
    return _judge(batch, nominees, versions, member_count=member_count, progress=progress)


def judge_year(year: EmulationYear) -> dict[int, rules.Judgement]:
    return judge_scope(year.nominations.all(), member_count=year.memberships.count())


def _judge(
    batch: Sequence[Entry],
    nominees: Sequence[rules.Nominee],
    versions: dict[str, list[rules.RuleVersion]],
    *,
    member_count: int | None,
    progress: Progress | None = None,
) -> dict[int, rules.Judgement]:
    """Judge each year's nominations together: quotas and initiatives are per year."""
    if not batch:
        return {}
    year_of: dict[Hashable, int] = {e.pk: e.year_id for e in batch}
    by_year: dict[int, list[rules.Nominee]] = defaultdict(list)
    for nominee in nominees:
        by_year[year_of[nominee.key]].append(nominee)
    counts: dict[int, int] = {}
    if member_count is None:
        counts = dict(
            Membership.objects.filter(year_id__in=by_year)
            .values_list("year_id")
            .annotate(n=Count("pk"))
            .values_list("year_id", "n")
        )
    judged: dict[int, rules.Judgement] = {}
    for year_id, group in by_year.items():
        members = member_count if member_count is not None else counts.get(year_id, 0)
        for key, judgement in rules.judge_batch(group, versions, member_count=members).items():
            if isinstance(key, int):
                judged[key] = judgement
        if progress is not None:
            progress(len(judged), len(nominees))
    return judged


def load_nominees(
    batch: Sequence[Entry],
    versions: dict[str, list[rules.RuleVersion]],
    *,
    scope: QuerySet[Nomination] | None = None,
) -> list[rules.Nominee]:
    """The entries as `rules.Nominee`s, with the history their rules look at, in six queries.

    `scope`, when given, is a query returning exactly these nominations.
    """
    if not batch:
        return []
    edges = list(Succession.objects.values_list("predecessor_id", "successor_id"))
    lineage = {
        e.collective_id: {e.collective_id} | org_rules.predecessors(e.collective_id, edges)
        for e in batch
        if e.collective_id is not None
    }
    all_orgs = set().union(*lineage.values()) if lineage else set()
    years = {e.year for e in batch}
    members = _members(lineage.keys(), years)
    person_ids = {e.person_id for e in batch if e.person_id is not None}
    own_records = {e.record_id for e in batch if e.record_id is not None}

    # Whose history is wanted: nominees' and units', all of it (ratings: as far back as a
    # rule looks); members', their year's, and only where the award's rule looks at them.
    needs = Needs.of(versions)
    first_rated = min(years) - needs.ratings_years + 1 if needs.ratings_years else 1900
    member_awards = {e.collective_id for e in batch if e.award in needs.member_awards}
    member_ratings = {e.collective_id for e in batch if e.award in needs.member_ratings}
    nominees: Any = person_ids
    staff: dict[bool, Any] = {}
    if scope is None:
        for wanted, collectives in ((True, member_awards), (False, member_ratings)):
            staff[wanted] = {
                p for c in collectives for ps in members.get(c, {}).values() for p in ps
            }
    else:
        nominees = scope.filter(person__isnull=False).values("person_id")
        for wanted, codes in ((True, needs.member_awards), (False, needs.member_ratings)):
            staff[wanted] = PersonPosition.objects.filter(
                organization_id__in=scope.filter(
                    collective__isnull=False, award_type__code__in=codes
                ).values("collective_id")
            ).values("person_id")

    def union(model: Any, fields: Sequence[str], parts: list[tuple[int, Q]]) -> Any:
        # One query of simple parts (UNION ALL): each part reads through its own index,
        # which a single OR of them does not always manage.
        queries = [
            model.objects.filter(where)
            .order_by()
            .annotate(part=Value(part, IntegerField()))
            .values_list("part", *fields)
            for part, where in parts
        ]
        return queries[0].union(*queries[1:], all=True)

    history = History(dict(AwardType.objects.values_list("pk", "code")))
    history.read_records(
        _rows(
            union(
                AwardRecord,
                ("pk", "person_id", "organization_id", "award_type_id", "year"),
                [
                    (NOMINEES, Q(person_id__in=nominees)),
                    (UNITS, Q(organization_id__in=all_orgs)),
                    (MEMBERS, Q(person_id__in=staff[True], year__in=years)),
                ],
            )
        ),
        skip=own_records,
    )
    history.read_ratings(
        _rows(
            union(
                TaskRating,
                ("person_id", "organization_id", "year", "rating"),
                [
                    (NOMINEES, Q(person_id__in=nominees, year__gte=first_rated)),
                    (UNITS, Q(organization_id__in=all_orgs, year__gte=first_rated)),
                    (MEMBERS, Q(person_id__in=staff[False], year__in=years)),
                ],
            )
        )
    )
    for pk, person_id, year, level, used_by in _rows(
        Initiative.objects.filter(person_id__in=nominees)
        .order_by()
        .values_list("pk", "person_id", "year", "level", "used_by_id")
    ):
        history.initiatives[person_id].append((pk, year, rules.Level(level), used_by))

    result = []
    for e in batch:
        year = e.year
        if e.person_id is not None:
            nominee = rules.Nominee(
                key=e.pk,
                award=e.award,
                year=year,
                held=tuple(history.by_person.get(e.person_id, ())),
                ratings=history.person_ratings.get(e.person_id, {}),
                initiatives=tuple(
                    rules.InitiativeFact(
                        pk, y, level, used_by is not None and used_by != e.record_id
                    )
                    for pk, y, level, used_by in history.initiatives.get(e.person_id, ())
                ),
                clean_record=e.clean_record,
            )
        else:
            assert e.collective_id is not None
            orgs = lineage[e.collective_id]
            nominee = rules.Nominee(
                key=e.pk,
                award=e.award,
                year=year,
                held=tuple(h for org in orgs for h in history.by_org.get(org, ())),
                ratings=_lineage_ratings(orgs, history.org_ratings),
                members=history.member_facts(
                    e.collective_id, year, members[e.collective_id].get(year, set())
                ),
                clean_record=e.clean_record,
            )
        result.append(nominee)
    return result


NOMINEES, UNITS, MEMBERS = 1, 2, 3  # the parts of the history read

# Requirements that read neither ratings nor members; any other kind makes the loader
# read everything, so a new kind of requirement is never judged on missing history.
_HISTORY_ONLY = (
    rules.ConsecutiveTitles,
    rules.CountInWindow,
    rules.SameYearPrerequisite,
    rules.InitiativesRequired,
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

    @classmethod
    def of(cls, versions: dict[str, list[rules.RuleVersion]]) -> Needs:
        reach: int | None = 1
        awards: set[str] = set()
        ratings: set[str] = set()
        everything = False

        def visit(code: str, requirement: Any) -> None:
            nonlocal reach, everything
            if isinstance(requirement, rules.RatingsOverPeriod):
                reach = max(reach or 1, requirement.years)
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
            return cls(None, every, every)
        return cls(reach, frozenset(awards), frozenset(ratings))


class History:
    """The rows read, sorted by holder; one object per distinct fact, however often it occurs."""

    def __init__(self, award_codes: dict[int, str]) -> None:
        self.by_person: dict[int, list[rules.Held]] = defaultdict(list)
        self.by_org: dict[int, list[rules.Held]] = defaultdict(list)
        self.person_ratings: dict[int, dict[int, rules.Rating]] = defaultdict(dict)
        self.org_ratings: dict[int, dict[int, rules.Rating]] = defaultdict(dict)
        self.initiatives: dict[int, list[tuple[int, int, rules.Level, int | None]]] = defaultdict(
            list
        )
        self.awards_in_year: dict[tuple[int, int], set[str]] = defaultdict(set)
        self._codes = award_codes
        self._held: dict[tuple[int, int], rules.Held] = {}
        self._rating = {r.value: r for r in rules.Rating}
        self._facts: dict[tuple[frozenset[str], rules.Rating | None], rules.MemberFact] = {}
        self._members: dict[tuple[int, int], tuple[rules.MemberFact, ...] | None] = {}

    def read_records(self, rows: Iterable[tuple[Any, ...]], *, skip: set[int]) -> None:
        """Titles and awards: (part, pk, person, organization, award type, year) rows."""
        held_of, codes = self._held, self._codes
        by_person, by_org, in_year = self.by_person, self.by_org, self.awards_in_year
        for part, pk, person_id, org_id, award_id, year in rows:
            if pk in skip:
                continue
            if part == MEMBERS:
                in_year[person_id, year].add(codes[award_id])
                continue
            held = held_of.get((award_id, year))
            if held is None:
                held = held_of[award_id, year] = rules.Held(codes[award_id], year)
            if part == UNITS:
                by_org[org_id].append(held)
            else:
                by_person[person_id].append(held)

    def read_ratings(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Task ratings: (part, person, organization, year, rating) rows."""
        rating_of = self._rating
        of_person, of_org = self.person_ratings, self.org_ratings
        for part, person_id, org_id, year, value in rows:
            if part == UNITS:
                of_org[org_id][year] = rating_of[value]
            else:
                of_person[person_id][year] = rating_of[value]

    def member_facts(
        self, collective: int, year: int, staff: set[int]
    ) -> tuple[rules.MemberFact, ...] | None:
        """The collective's members in the year, as facts (None: no member is known)."""
        key = (collective, year)
        if key not in self._members:
            facts = []
            for person in sorted(staff):
                awards = self.awards_in_year.get((person, year))
                rating = self.person_ratings.get(person, {}).get(year)
                fact_key = (frozenset(awards) if awards else _NO_AWARDS, rating)
                fact = self._facts.get(fact_key)
                if fact is None:
                    fact = self._facts[fact_key] = rules.MemberFact(*fact_key)
                facts.append(fact)
            self._members[key] = tuple(facts) or None
        return self._members[key]


def _rows(query: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a `values_list` query straight from the cursor, in large batches.

    The ORM writes the SQL; the rows skip its per-row machinery, which costs more than the
    database itself when there are a million of them. Only for columns that need no
    conversion (integers and text).
    """
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # asked for the history of nobody
        return
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            yield from batch


def _lineage_ratings(
    orgs: Iterable[int], ratings_by_org: dict[int, dict[int, rules.Rating]]
) -> dict[int, rules.Rating]:
    """A unit's ratings with its predecessors'; where two merged units differ, the lower."""
    merged: dict[int, rules.Rating] = {}
    for org in orgs:
        for year, rating in ratings_by_org.get(org, {}).items():
            if year not in merged or rules.RATING_RANK[rating] < rules.RATING_RANK[merged[year]]:
                merged[year] = rating
    return merged


def _members(
    collectives: Iterable[Hashable], years: set[int]
) -> dict[Hashable, dict[int, set[int]]]:
    """The people who worked in each collective during each nomination year.

    One query per nomination year (a batch has one or a few); the database compares the
    dates, so none crosses over.
    """
    wanted = set(collectives)
    found: dict[Hashable, dict[int, set[int]]] = {c: defaultdict(set) for c in wanted}
    if not wanted:
        return found
    for year in sorted(years):
        positions = (
            PersonPosition.objects.filter(organization_id__in=wanted)
            .order_by()
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=dt.date(year, 12, 31)))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=dt.date(year, 1, 1)))
            .values_list("organization_id", "person_id")
        )
        for org_id, person_id in positions.iterator(chunk_size=20_000):
            found[org_id][year].add(person_id)
    return found
