"""Benchmark b: importing a 100,000-row award-history workbook.

    .venv/bin/python -m bench.importing --scale 1 [--rows 100000] [--engine postgres]

The workbook is made from the dataset with a seed: newcomers with ten years of titles,
people already on record (only those a name and year of birth single out) with this
year's title, and every agency's collective title. Measured: `do_import_history`, the
action the import page and `thidua import_history` call, checks, writes and commit included
(PostgreSQL checks the records' deferred foreign keys at the commit). After each run, and
untimed, what it wrote is deleted again, so every run imports the same file into the same
history (the audit entries stay: the audit chain is never cut).
Baseline, in the same run: the fastest reader available (python-calamine) reading the file.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.generate import CURRENT_YEAR, FAMILY, GIVEN, MIDDLE


def make_workbook(rows: int, seed: int) -> bytes:
    """A workbook of `rows` award-history rows that the dataset accepts whole."""
    from django.db.models import Count
    from openpyxl import Workbook

    from thidua.award_history.importing import COLUMNS
    from thidua.award_history.models import AwardType
    from thidua.orgs.models import Organization, Person

    rng = random.Random(seed)
    names = dict(AwardType.objects.values_list("code", "name"))
    units = list(
        Organization.objects.filter(archived=False, memberships__isnull=False)
        .distinct()
        .values_list("pk", "name")
    )
    unit_name = dict(units)
    lines: list[list[Any]] = []

    def line(name: str, born: Any, gender: str, unit: str, award: str, year: int) -> None:
        decided = f"{rng.randint(1, 28):02d}/{rng.randint(1, 3):02d}/{year + 1}"
        lines.append(
            [name, born, gender, unit, names[award], year, f"{rng.randint(1, 9999)}/QĐ-UBND",
             decided, f"Chủ tịch UBND {unit[-20:]}"]
        )  # fmt: skip

    for _pk, name in units:  # every agency's collective title of this year
        line("", "", "", name, "tt_ldtt", CURRENT_YEAR)
    # People on record that a name and a year of birth single out: this year's title.
    unique = (
        Person.objects.values("name_key", "birth_year")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .values_list("name_key", "birth_year")
    )
    single = set(unique)
    known = [
        (name, born, unit)
        for name, key, born, unit in Person.objects.filter(positions__isnull=False)
        .order_by("pk")
        .values_list("full_name", "name_key", "birth_year", "positions__organization_id")
        if (key, born) in single and unit in unit_name
    ]
    rng.shuffle(known)
    newcomers = (rows - len(lines)) // 20  # half the rows: ten years each
    for name, born, unit in known[: rows - len(lines) - newcomers * 10]:
        gender = "Nữ" if " Thị " in name else "Nam"
        line(name, born, gender, unit_name[unit], "giay_khen", CURRENT_YEAR)
    for index in range(newcomers):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} Mới {index}"
        posted_to = rng.choice(units)[1]
        born = rng.randint(1970, 2000)
        for year in range(CURRENT_YEAR - 10, CURRENT_YEAR):
            line(name, born, "Nam", posted_to, "ldtt", year)
    rng.shuffle(lines)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for row in lines[:rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_baseline(content: bytes) -> int:
    """python-calamine reading the file, with the collector paused as the import has it."""
    from python_calamine import CalamineWorkbook

    from thidua.lib.batch import collector_paused

    with collector_paused():
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        return len(sheet.to_python(skip_empty_area=False))


def import_once(content: bytes, user: Any) -> int:
    """Import the file for real, up to its commit."""
    from thidua.award_history.actions import do_import_history

    return do_import_history(content, file_name="bench.xlsx", acting_user=user).rows


class Undo:
    """Deletes what imports wrote since it was made: the batches' records, the people they
    created with their posts, and the batches (by raw SQL: the models refuse a delete that
    the history still points at). The audit entries stay (the audit chain is never cut), so
    a dataset's audit grows by one entry per import run."""

    def __init__(self) -> None:
        from django.db.models import Max

        from thidua.award_history.models import HistoryImport
        from thidua.orgs.models import Person

        self.person = Person.objects.aggregate(last=Max("pk"))["last"] or 0
        self.batch = HistoryImport.objects.aggregate(last=Max("pk"))["last"] or 0

    def __call__(self) -> None:
        from django.db import connection, transaction

        from thidua.award_history.models import AwardRecord, HistoryImport
        from thidua.orgs.models import Person, PersonPosition

        quote = connection.ops.quote_name
        after: list[tuple[Any, str, int]] = [
            (AwardRecord, "history_import", self.batch),
            (PersonPosition, "person", self.person),
            (Person, "id", self.person),
            (HistoryImport, "id", self.batch),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for model, field, last in after:
                table = quote(model._meta.db_table)
                column = quote(model._meta.get_field(field).column)
                cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [last])


def tidy_up() -> None:
    """After the runs: PostgreSQL vacuums the tables the imports wrote and `Undo` emptied
    again, so that the benchmarks that follow do not meet the deleted rows (or autovacuum
    meet them while they measure). SQLite reuses the freed pages as they are."""
    from django.db import connection

    from thidua.award_history.models import AwardRecord, HistoryImport
    from thidua.orgs.models import Person, PersonPosition

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (AwardRecord, PersonPosition, Person, HistoryImport):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def store_alone(content: bytes, user: Any) -> Any:
    """A reference beside the baseline: only writing the file's checked rows (people and
    records, as `import_store.store` does) and committing them; returns a function to time."""
    from django.db import transaction
    from django.utils import timezone

    from thidua.award_history import import_store, importing
    from thidua.award_history.models import HistoryImport
    from thidua.lib.batch import collector_paused

    rows, _problems = importing.check_rows(
        importing.read_sheet(content), import_store.load_lookups(timezone.localdate())
    )
    matched, _ambiguous = import_store.match_people(rows)

    def store() -> int:
        with collector_paused(), transaction.atomic():
            batch = HistoryImport.objects.create(file_name="bench.xlsx", rows=1, imported_by=user)
            import_store.store(rows, {key: list(pks) for key, pks in matched.items()}, batch.pk)
        return len(rows)

    return store


def phases(content: bytes, user: Any) -> dict[str, float]:
    """Where the import's time goes: the same steps the action takes, one by one."""
    import time

    from django.db import transaction
    from django.utils import timezone

    from thidua.award_history import import_store, importing
    from thidua.award_history.models import HistoryImport
    from thidua.lib.batch import collector_paused

    spent: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        spent[name] = round(now - started, 4)
        started = now

    with collector_paused():  # as the action runs
        sheet = importing.read_sheet(content)
        lap("read (calamine in the limited child)")
        lookups = import_store.load_lookups(timezone.localdate())
        rows, _problems = importing.check_rows(sheet, lookups)
        lap("check every row")
        people, _ambiguous = import_store.match_people(rows)
        lap("match people on record")
        undo = Undo()
        with transaction.atomic():
            batch = HistoryImport.objects.create(file_name="bench.xlsx", rows=1, imported_by=user)
            import_store.store(rows, people, batch.pk)
            lap("write people and records")
        lap("commit (PostgreSQL: foreign-key checks)")
        undo()
    return spent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_dataset_arguments(parser)
    parser.add_argument("--rows", type=int, help="rows in the workbook (default 100,000 × scale)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    common.open_dataset(args)
    from django.utils import translation

    from thidua.orgs.models import User

    translation.activate("vi")
    rows = args.rows or max(int(100_000 * args.scale), 1000)
    path = common.DATA_DIR / f"import-{rows}-seed{args.seed}.xlsx"
    if not path.exists():
        path.write_bytes(make_workbook(rows, args.seed))
    content = path.read_bytes()
    print(f"bench b: importing {rows:,} rows ({len(content) / 1e6:.1f} MB) from {path.name}")
    user = User.objects.get(username="bench-admin")
    base, read = common.measure(lambda: read_baseline(content), args.repeat)
    common.show(f"baseline: python-calamine reads {read - 1:,} rows", base)
    took, imported = common.measure(lambda: import_once(content, user), args.repeat, after=Undo())
    common.show(f"do_import_history: {imported:,} rows checked and stored", took)
    ratio = took.median / base.median
    print(f"  ratio to baseline: {ratio:.2f}x wall, {took.cpu_median / base.cpu_median:.2f}x cpu")
    spent = phases(content, user)
    for name, seconds in spent.items():
        print(f"    {name:<40} {seconds * 1000:>9.1f} ms")
    writes, _stored = common.measure(store_alone(content, user), args.repeat, after=Undo())
    common.show("reference: writing the checked rows alone", writes)
    floor = (base.median + writes.median) / base.median
    print(f"  reading + writing alone: {floor:.2f}x the baseline (no checks, nothing else)")
    tidy_up()
    common.write_result(
        "importing",
        args,
        {
            "rows": imported,
            "file_bytes": len(content),
            "baseline": base.as_json(),
            "import": took.as_json(),
            "ratio": round(ratio, 2),
            "cpu_ratio": round(took.cpu_median / base.cpu_median, 2),
            "phases_s": spent,
            "writes_alone": writes.as_json(),
            "read_and_write_ratio": round(floor, 2),
            "goal": "within 2x of reading the file",
            "met": ratio <= 2,
        },
    )


if __name__ == "__main__":
    main()
