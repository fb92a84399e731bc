"""What nominations read: the name a nominee is searched by, and the history a batch of
nominations needs for eligibility, in a fixed number of queries.

However many nominations there are, the history is read with a few queries (units' lineage
resolved in memory) and turned into `rules.Nominee`s for `eligibility` to judge. Only the
rows the rules can use are read: a nominee's whole history, but of a collective's members
only their titles and ratings of the nomination year (`Needs` says which). When the
nominations come as a query, the database finds the people itself through subqueries, so a
national batch of tens of thousands never sends their ids back and forth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from thidua.award_history.models import AwardRecord, AwardType, Initiative, TaskRating
from thidua.lib.sql import JoinedText
from thidua.lib.text import fold, strip_accents
from thidua.orgs import rules as org_rules
from thidua.orgs.models import PersonPosition, Succession

from . import rules
from .history_facts import NOMINEES, RECORD_KEY, UNITS, History, Needs, lineage_ratings
from .models import Nomination

T = TypeVar("T")


def search_key(name: str) -> str:
    """What a name is searched by: folded, without accents (Hòa, hoà and hoa all meet)."""
    return strip_accents(fold(name))


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


def load_nominees(
    batch: Sequence[Entry],
    versions: dict[str, list[rules.RuleVersion]],
    *,
    scope: QuerySet[Nomination] | None = None,
    side_reads: bool = True,
) -> list[rules.Nominee]:
    """The entries as `rules.Nominee`s, with the history their rules look at, in a few queries.

    `scope`, when given, is a query returning exactly these nominations. `side_reads=False`
    keeps every read on this thread's connection (a process judging one share of a batch:
    the other processes keep the other cores busy).
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

    # Whose history is wanted: nominees' and units', all of it (ratings: as far back as a
    # rule looks); of a collective's members, only what the award's rule looks at.
    needs = Needs.of(versions)
    first_rated = min(years) - needs.ratings_years + 1 if needs.ratings_years else 1900
    staffed = needs.member_awards | needs.member_ratings
    nominees: Any = {e.person_id for e in batch if e.person_id is not None}
    rated: Any = {e.person_id for e in batch if e.person_id and e.award in needs.rated}
    inventive: Any = {e.person_id for e in batch if e.person_id and e.award in needs.initiatives}
    collectives: dict[int, Any] = {  # whose staff counts: collective -> award, by year
        year: {e.collective_id: e.award for e in batch if e.year == year and e.award in staffed}
        for year in years
    }
    # The nominations' own records (made by their decisions) never count toward them.
    own = Q(pk__in={e.record_id for e in batch if e.record_id is not None})
    if scope is not None:  # let the database find them: nothing sent back and forth
        nominees = scope.filter(person__isnull=False).values("person_id")
        rated = nominees.filter(award_type__code__in=needs.rated)
        inventive = nominees.filter(award_type__code__in=needs.initiatives)
        collectives = {
            year: scope.filter(
                year__year=year, collective__isnull=False, award_type__code__in=staffed
            ).values("collective_id")
            for year in years
        }
        own = Q(pk__in=scope.filter(record__isnull=False).values("record_id"))

    # Four independent reads, started together: outside a transaction each runs on its own
    # connection (`_started`), and this thread builds from each as it arrives.
    alias = scope.db if scope is not None else DEFAULT_DB_ALIAS

    def aside(work: Callable[[], T]) -> Callable[[], T]:
        return _started(alias, work, size=len(batch)) if side_reads else work

    records = aside(
        partial(
            _fetched,
            _grouped(
                AwardRecord,
                F("award_type_id") * RECORD_KEY + F("year"),
                [
                    (NOMINEES, "person_id", Q(person_id__in=nominees) & ~own),
                    (UNITS, "organization_id", Q(organization_id__in=all_orgs) & ~own),
                ],
            ),
        ),
    )
    ratings = aside(
        partial(
            _fetched,
            _grouped(
                TaskRating,
                Concat("rating", Value(":"), Cast("year", CharField())),
                [
                    (NOMINEES, "person_id", Q(person_id__in=rated, year__gte=first_rated)),
                    (
                        UNITS,
                        "organization_id",
                        Q(organization_id__in=all_orgs, year__gte=first_rated),
                    ),
                ],
            ),
        ),
    )
    initiatives = aside(
        partial(
            _fetched,
            Initiative.objects.filter(person_id__in=inventive)
            .order_by()
            .values_list("pk", "person_id", "year", "level", "used_by_id"),
        ),
    )
    members = {
        year: aside(partial(_member_rows, year, wanted, needs, ~own, scope))
        for year, wanted in collectives.items()
        if any(e.year == year and e.award in staffed for e in batch if e.collective_id)
    }

    history = History(dict(AwardType.objects.values_list("pk", "code")))
    history.read_records(records())
    history.read_ratings(ratings())
    for pk, person_id, year, level, used_by in initiatives():
        history.read_initiative(pk, person_id, year, level, used_by)
    for year, rows in members.items():
        history.read_members(year, *rows())

    result = []
    for e in batch:
        year = e.year
        if e.person_id is not None:
            nominee = rules.Nominee(
                key=e.pk,
                award=e.award,
                year=year,
                held=history.by_person.get(e.person_id, ()),
                ratings=history.person_ratings.get(e.person_id, {}),
                initiatives=history.initiatives_for(e.person_id, e.record_id),
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
                ratings=lineage_ratings(orgs, history.org_ratings),
                members=history.members.get((e.collective_id, year))
                if e.award in staffed
                else None,
                clean_record=e.clean_record,
            )
        result.append(nominee)
    return result


def _grouped(model: Any, fact: Any, parts: list[tuple[int, str, Q]]) -> QuerySet[Any, Any]:
    """(part, holder, "fact,fact,…") rows: each holder's facts joined by the database.

    A national batch reads a million facts as a hundred thousand strings. Each part is a
    simple query that reads through its own index (UNION ALL), which a single OR of them
    does not always manage.
    """
    queries = [
        model.objects.filter(where)
        .order_by()
        .values(holder)
        .annotate(part=Value(part, IntegerField()), facts=JoinedText(fact))
        .values_list("part", holder, "facts")
        for part, holder, where in parts
    ]
    return queries[0].union(*queries[1:], all=True)


def _member_rows(
    year: int,
    collectives: Any,
    needs: Needs,
    counted: Q,
    scope: QuerySet[Nomination] | None,
) -> tuple[list[Any], list[Any], list[Any]]:
    """Who worked in each collective during `year`, with what the award's rule looks at:
    their titles and awards of that year (`counted` ones) and their task rating.

    (collective, "person,person,…"), (person, "award type,…") and (person, rating) rows.
    """
    staff = (
        PersonPosition.objects.filter(organization_id__in=collectives)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=dt.date(year, 12, 31)))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=dt.date(year, 1, 1)))
        .order_by()
    )
    wanted: dict[bool, Any] = {}
    for titles, codes in ((True, needs.member_awards), (False, needs.member_ratings)):
        if scope is None:
            wanted[titles] = staff.filter(
                organization_id__in=[c for c, award in collectives.items() if award in codes]
            ).values("person_id")
        else:
            wanted[titles] = staff.filter(
                organization_id__in=collectives.filter(award_type__code__in=codes)
            ).values("person_id")
    people = (
        staff.values("organization_id")
        .annotate(people=JoinedText("person_id"))
        .values_list("organization_id", "people")
    )
    awards = (
        AwardRecord.objects.filter(counted, year=year, person_id__in=wanted[True])
        .order_by()
        .values("person_id")
        .annotate(codes=JoinedText("award_type_id"))
        .values_list("person_id", "codes")
    )
    ratings = (
        TaskRating.objects.filter(year=year, person_id__in=wanted[False])
        .order_by()
        .values_list("person_id", "rating")
    )
    return _fetched(people), _fetched(awards), _fetched(ratings)


def _started(alias: str, work: Callable[[], T], *, size: int) -> Callable[[], T]:
    """Start `work` on a second connection where that pays; call the result for its result.

    A large batch's queries are independent: while other connections read parts of the
    history, this one builds from what has arrived, so the database and Python use both
    cores. Only for batches of `THIDUA_PARALLEL_READS_FROM` nominations or more (a page's
    year of a few hundred would pay more for the connections than it saves), and only in
    autocommit (each query then sees the latest committed rows anyway): inside a
    transaction, or on a private in-memory database, the work runs here when asked.
    """
    if not on_other_connections(alias, size=size):
        return work
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eligibility")
    future = pool.submit(_on_own_connection, work)
    pool.shutdown(wait=False)  # the thread ends once its work is done

    def result() -> T:
        try:
            return future.result()
        finally:
            # Joined, not left to end on its own: a batch judged next may fork, which is
            # safe only once this process runs one thread again (`can_fork`).
            pool.shutdown(wait=True)

    return result


def on_other_connections(alias: str, *, size: int | None) -> bool:
    """Whether work on a batch of `size` nominations may go to other connections (threads
    or processes): a batch of `THIDUA_PARALLEL_READS_FROM` or more (None: not counted yet),
    outside a transaction (the others see committed rows only), on a database file or
    server (not a private in-memory one)."""
    connection = connections[alias]
    in_memory = isinstance(connection, SQLiteWrapper) and connection.is_in_memory_db()
    large = size is None or size >= settings.THIDUA_PARALLEL_READS_FROM
    return large and not connection.in_atomic_block and not in_memory


def _fetched(query: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    return list(_rows(query))


def _on_own_connection(work: Callable[[], T]) -> T:
    try:
        return work()
    finally:
        connections.close_all()  # this thread's connections only


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
