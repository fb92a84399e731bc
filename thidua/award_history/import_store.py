"""The database side of importing award history: lookups, people on record, duplicates, writes.

`importing` reads and checks the sheet without touching the history; this module matches its
rows to the people on record (one query), finds rows the history already holds (only when a
unique constraint refuses the file), and writes people, posts and records in bulk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext as _

from . import names
from .importing import AWARD, NAME, Lookups, Row, cell_error


def duplicate_of_existing(number: int, year: int) -> str:
    return cell_error(
        number, AWARD, _("already recorded for %(year)s in the award history.") % {"year": year}
    )


def ambiguous_person(number: int, name: str) -> str:
    return cell_error(
        number,
        NAME,
        _("more than one person is recorded as %(name)s with this year of birth; merge them first.")
        % {"name": name},
    )


# --- the database side: lookups, people, duplicates, bulk writes ------------------------------

PersonKey = tuple[str, int | None]
Progress = Callable[[int, int], None]
CHUNK = 5000  # rows written per statement (and per progress step)
# SQLite's page cache while an import writes (its default is 2 MiB): the records' and
# people's indexes are written at random places, and with 64 MiB the pages they touch stay
# in memory (writing a national file: 1.45 s → 1.25 s). Only then: reading a large part of
# the history through a cache this size was slower than through the small one.
WRITE_CACHE_KIB = 64 * 1024


def load_lookups(today: dt.date) -> Lookups:
    """Awards (by name, code and the maintained spellings) and units (by full and short
    name, with their periods): two queries."""
    from thidua.orgs.models import Organization

    from .models import AwardType, NomineeKind

    awards = [
        (
            names.Award(
                pk,
                name,
                collective=kind != NomineeKind.INDIVIDUAL,
                individual=kind != NomineeKind.COLLECTIVE,
            ),
            code,
        )
        for pk, code, name, kind in AwardType.objects.values_list(
            "pk", "code", "name", "nominee_kind"
        )
    ]
    units = (
        (names.Unit(pk, name, valid_from, valid_to), (name, short_name))
        for pk, name, short_name, valid_from, valid_to in Organization.objects.order_by(
            "pk"
        ).values_list("pk", "name", "short_name", "valid_from", "valid_to")
    )
    return Lookups(
        names.AwardNames.of(awards, names.award_aliases()),
        names.UnitNames.of(units),
        today,
        describe_units,
    )


def describe_units(pks: list[int]) -> list[str]:
    """Each unit named so that it is told apart from its namesakes (period, successor)."""
    from thidua.orgs.forms import label_for_choice, successors_today
    from thidua.orgs.models import Organization

    found = Organization.objects.filter(pk__in=pks)
    today = successors_today(found)
    by_pk = {org.pk: org for org in found}
    return [label_for_choice(by_pk[pk], today.get(pk, ())) for pk in pks if pk in by_pk]


def match_people(rows: Sequence[Row]) -> tuple[dict[PersonKey, list[int]], list[str]]:
    """The people on record for the file's names and years of birth (one query).

    A name and year of birth may match one person only.
    """
    keys = {r.person_key for r in rows if r.person_key is not None}
    people: dict[PersonKey, list[int]] = {}
    for pk, key, born in _people_with_keys(keys):
        people.setdefault((key, born), []).append(pk)
    ambiguous = {key for key, pks in people.items() if len(pks) > 1}
    problems = [
        ambiguous_person(r.number, r.full_name)
        for r in (rows if ambiguous else ())
        if r.person_key in ambiguous
    ]
    return people, problems


def _people_with_keys(keys: Iterable[tuple[str, int]]) -> list[tuple[int, str, int]]:
    """(pk, name key, year of birth) of the unmerged people with exactly these keys.

    The keys go to the database as one parameter (two arrays on PostgreSQL, a JSON list on
    SQLite) matched to the people by the name key: only the pairs that match come back,
    not everyone who shares a name or a year of birth.
    """
    from django.db import connections, router

    from thidua.orgs.models import Person

    pairs = sorted(keys)
    if not pairs:
        return []
    connection = connections[router.db_for_read(Person)]
    table = connection.ops.quote_name(Person._meta.db_table)
    if connection.vendor == "postgresql":
        # A semi-join (IN) lets the planner hash the pairs; a join on the same pairs is
        # planned as a merge join that sorts every person by name (0.6 s against 0.3 s).
        sql = (
            f"SELECT p.id, p.name_key, p.birth_year FROM {table} p"
            " WHERE p.merged_into_id IS NULL AND (p.name_key, p.birth_year) IN"
            " (SELECT * FROM unnest(%s::text[], %s::integer[]))"
        )
        params: list[Any] = [[key for key, _born in pairs], [born for _key, born in pairs]]
    else:
        sql = (
            f"SELECT p.id, p.name_key, p.birth_year FROM json_each(%s) k"
            f" JOIN {table} p ON p.name_key = json_extract(k.value, '$[0]')"
            " AND p.birth_year = json_extract(k.value, '$[1]')"
            " WHERE p.merged_into_id IS NULL"
        )
        params = [json.dumps(pairs, ensure_ascii=False)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def duplicates(rows: Sequence[Row], people: Mapping[PersonKey, list[int]]) -> list[str]:
    """The rows already in the award history (two queries, narrowed to the file's years)."""
    from .models import AwardRecord

    years = {r.year for r in rows}
    awards = {r.award_id for r in rows}
    known = {pks[0] for pks in people.values() if len(pks) == 1}
    stored_people = set(
        AwardRecord.objects.filter(person_id__in=known, year__in=years, award_type_id__in=awards)
        .order_by()
        .values_list("person_id", "award_type_id", "year")
    )
    stored_units = set(
        AwardRecord.objects.filter(
            organization_id__in={r.organization_id for r in rows if r.person_key is None},
            year__in=years,
        )
        .order_by()
        .values_list("organization_id", "award_type_id", "year")
    )
    problems = []
    for r in rows:
        if r.person_key is None:
            clash = (r.organization_id, r.award_id, r.year) in stored_units
        else:
            pks = people.get(r.person_key, [])
            clash = len(pks) == 1 and (pks[0], r.award_id, r.year) in stored_people
        if clash:
            problems.append(duplicate_of_existing(r.number, r.year))
    return problems


def store(
    rows: Sequence[Row],
    people: dict[PersonKey, list[int]],
    batch_id: int,
    progress: Progress | None = None,
) -> int:
    """Write the checked rows: newcomers with their posts, then the records in bulk.

    Returns how many people were created. Everything goes in as plain values, not one model
    object per row: the newcomers by one statement, the records by multi-row statements
    (COPY on PostgreSQL). The database's unique constraints still stand guard, and a clash
    raises IntegrityError.
    """
    from django.db import connections, router

    from .models import AwardRecord

    with _page_cache(connections[router.db_for_write(AwardRecord)], WRITE_CACHE_KIB):
        return _store(rows, people, batch_id, progress)


def _store(
    rows: Sequence[Row],
    people: dict[PersonKey, list[int]],
    batch_id: int,
    progress: Progress | None,
) -> int:
    from thidua.orgs.models import PersonPosition

    from .models import AwardRecord

    newcomers: dict[PersonKey, Row] = {}
    for r in rows:
        if r.person_key is not None and r.person_key not in people:
            newcomers.setdefault(r.person_key, r)
    created = _create_people(newcomers)
    assert len(created) == len(newcomers), "each newcomer comes back with its id"
    for key, pk in created.items():
        people[key] = [pk]
    day = _date_value()
    _insert(
        PersonPosition,
        ["person", "organization", "title", "valid_from", "valid_to"],
        [
            (pk, r.organization_id, r.position, *_period(r, day))
            for key, pk in created.items()
            for r in (newcomers[key],)
        ],
    )

    days = {d: day(d) for d in {r.decision_date for r in rows}}
    source = AwardRecord.Source.IMPORT.value
    # The holder (a person, or the unit for a collective), then the rest, in field order.
    values = [
        (people[r.person_key][0] if r.person_key is not None else None,
         None if r.person_key is not None else r.organization_id,
         r.award_id, r.year, r.decision_number, days[r.decision_date], r.issuer_name,
         r.unit_name, source, batch_id)
        for r in rows
    ]  # fmt: skip
    # In holder order (the units' rows first), so that the indexes are written page after
    # page, not at random.
    values.sort(key=_holder_order)
    fields = [
        "person",
        "organization",
        "award_type",
        "year",
        "decision_number",
        "decision_date",
        "issuer_name",
        "unit_name",
        "source",
        "history_import",
    ]
    for start in range(0, len(values), CHUNK):
        _insert(AwardRecord, fields, values[start : start + CHUNK])
        if progress is not None:
            progress(min(start + CHUNK, len(values)), len(values))
    return len(created)


def _period(row: Row, day: Callable[[dt.date], Any]) -> tuple[Any, Any]:
    return (
        day(row.since) if row.since is not None else None,
        day(row.until) if row.until is not None else None,
    )


def _holder_order(values: tuple[Any, ...]) -> int:
    return values[0] or 0


def _create_people(newcomers: Mapping[PersonKey, Row]) -> dict[PersonKey, int]:
    """Create a person for each key (its row gives the name and gender) by one statement.

    Returns each newcomer's id by key: the statement gives back the keys with the ids
    (RETURNING: PostgreSQL, and SQLite from 3.35).
    """
    from django.db import connections, router

    from thidua.orgs.models import Person

    if not newcomers:
        return {}
    values = [(r.full_name, key, born, r.gender) for (key, born), r in newcomers.items()]
    connection = connections[router.db_for_write(Person)]
    table = connection.ops.quote_name(Person._meta.db_table)
    columns = _columns(connection, Person, ["full_name", "name_key", "birth_year", "gender"])
    returning = f"RETURNING {_columns(connection, Person, ['id', 'name_key', 'birth_year'])}"
    if connection.vendor == "postgresql":
        source = "unnest(%s::text[], %s::text[], %s::integer[], %s::text[])"
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM {source} {returning}"
        params: list[Any] = [list(column) for column in zip(*values, strict=True)]
    else:
        parts = ", ".join(f"json_extract(value, '$[{index}]')" for index in range(4))
        sql = f"INSERT INTO {table} ({columns}) SELECT {parts} FROM json_each(%s) {returning}"
        params = [json.dumps(values, ensure_ascii=False)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(key, born): pk for pk, key, born in cursor.fetchall()}


def _date_value() -> Callable[[dt.date], Any]:
    """Dates as the database driver takes them: SQLite's no longer turns them into text."""
    from django.db import connections, router

    from .models import AwardRecord

    if connections[router.db_for_write(AwardRecord)].vendor == "sqlite":
        return dt.date.isoformat
    return lambda day: day


def _insert(model: Any, fields: Sequence[str], values: list[tuple[Any, ...]]) -> None:
    """Insert rows of plain values (ints, text, dates as `_date_value` gives) in one go."""
    from django.db import connections, router

    if not values:
        return
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = _columns(connection, model, fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def _columns(connection: Any, model: Any, fields: Sequence[str]) -> str:
    """The quoted columns of these fields, comma-separated."""
    return ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)


@contextmanager
def _page_cache(connection: Any, kib: int) -> Iterator[None]:
    """SQLite: a page cache of `kib` KiB on this connection while the block runs."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
