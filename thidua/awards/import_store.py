"""The database side of importing award history: lookups, people on record, duplicates, writes.

`importing` reads and checks the sheet without touching the history; this module matches its
rows to the people on record (one query), finds rows the history already holds (only when a
unique constraint refuses the file), and writes people, posts and records in bulk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

from django.utils.translation import gettext as _

from thidua.lib.text import fold

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


def load_lookups(today: dt.date) -> Lookups:
    """Awards (by folded name and code) and organisations (by folded name): two queries."""
    from thidua.orgs.models import Organization

    from .models import AwardType

    awards: dict[str, int] = {}
    for pk, code, name in AwardType.objects.values_list("pk", "code", "name"):
        awards[fold(code)] = pk
        awards[fold(name)] = pk
    organizations: dict[str, list[int]] = {}
    for pk, name in Organization.objects.order_by().values_list("pk", "name"):
        organizations.setdefault(fold(name), []).append(pk)
    return Lookups(awards, organizations, today)


def match_people(rows: Sequence[Row]) -> tuple[dict[PersonKey, list[int]], list[str]]:
    """The people on record for the file's names and years of birth (one query).

    A name and year of birth may match one person only.
    """
    keys = {r.person_key for r in rows if r.person_key is not None}
    people: dict[PersonKey, list[int]] = {}
    for pk, key, born in _people_with_keys(keys):
        people.setdefault((key, born), []).append(pk)
    problems = [
        ambiguous_person(r.number, r.full_name)
        for r in rows
        if r.person_key is not None and len(people.get(r.person_key, [])) > 1
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

    Returns how many people were created. The records go in with multi-row statements
    (COPY on PostgreSQL), built column by column from plain values, not one model object
    each; the database's unique constraints still stand guard, and a clash raises
    IntegrityError.
    """
    from thidua.orgs.models import Person, PersonPosition

    from .models import AwardRecord

    newcomers: dict[PersonKey, Row] = {}
    for r in rows:
        if r.person_key is not None and r.person_key not in people:
            newcomers.setdefault(r.person_key, r)
    # Model objects here only, for the ids the database gives the newcomers.
    created = Person.objects.bulk_create(
        [
            Person(full_name=r.full_name, name_key=key[0], birth_year=r.birth_year, gender=r.gender)
            for key, r in newcomers.items()
        ],
        batch_size=2000,
    )
    for new_key, person in zip(newcomers, created, strict=True):
        people[new_key] = [person.pk]
    _insert(
        PersonPosition,
        ["person", "organization", "title"],
        [
            (person.pk, r.organization_id, "")
            for person, r in zip(created, newcomers.values(), strict=True)
        ],
    )

    # Column by column: the holder (a person, or the unit for a collective) and the rest.
    person_ids = [people[key][0] if key is not None else None for key in _field(rows, "person_key")]
    unit_ids = [
        None if key is not None else unit
        for key, unit in zip(
            _field(rows, "person_key"), _field(rows, "organization_id"), strict=True
        )
    ]
    day = _date_value()
    days = {d: day(d) for d in set(_field(rows, "decision_date"))}
    values = list(
        zip(
            person_ids,
            unit_ids,
            _field(rows, "award_id"),
            _field(rows, "year"),
            _field(rows, "decision_number"),
            map(days.__getitem__, _field(rows, "decision_date")),
            _field(rows, "issuer_name"),
            _field(rows, "unit_name"),
            repeat(AwardRecord.Source.IMPORT.value),
            repeat(batch_id),
            strict=False,  # the two repeats are endless
        )
    )
    # In holder order, so that the indexes are written page after page, not at random.
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


def _field(rows: Sequence[Row], name: str) -> list[Any]:
    return list(map(attrgetter(name), rows))


def _holder_order(values: tuple[Any, ...]) -> int:
    return values[0] or 0


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
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
