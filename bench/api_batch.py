"""Benchmark k: a province's system sending 500 people's award history in one API batch.

    .venv/bin/python -m bench.api_batch --scale 0.01 [--people 500] [--engine postgres]

`POST /api/v1/bulk/award-history` through the whole stack (the token, the idempotency
gateway, the JSON read, the schema, every item's `do_*` action, the commit), as the test
client sends it: 500 new people each with a post, a title of last year and a task rating
(2,000 items, people named by `ref`). Measured: wall and CPU seconds, and the queries the
request makes, in all and per item, with the tables that take the most. Three smaller
batches (people alone; people and their titles; everything) tell each list's share.
After each run, and untimed, what it wrote is deleted again (the audit entries stay: the
audit chain is never cut). Baseline, in the same run: the same rows written with
`bulk_create` in one transaction, without the actions (no checks, no audit).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

URL = "/api/v1/bulk/award-history"


def make_batch(people: int, sections: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """`people` newcomers in the dataset's units, with what `sections` asks for each."""
    from thidua.orgs.models import Organization

    units = list(
        Organization.objects.filter(archived=False, memberships__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[:50]
    )
    last_year = common_year() - 1
    batch: dict[str, list[dict[str, Any]]] = {"people": []}
    for name in sections:
        batch.setdefault(name, [])
    for n in range(people):
        ref = f"bench-{n}"
        unit = units[n % len(units)]
        batch["people"].append(
            {
                "ref": ref,
                "full_name": f"Nguyễn Văn Lô Thử {n}",
                "birth_year": 1970 + n % 30,
                "gender": "male",
                "unit_id": unit,
                "position": "Chuyên viên",
            }
        )
        if "positions" in sections:
            batch["positions"].append(
                {"person_ref": ref, "unit_id": unit, "position": "Phó phòng", "since": "2020-01-01"}
            )
        if "records" in sections:
            batch["records"].append(
                {
                    "person_ref": ref,
                    "award": "ldtt",
                    "year": last_year,
                    "decision_number": f"{n + 1}/QĐ-UBND",
                    "decision_date": f"{last_year + 1}-01-15",
                    "issuer": "Chủ tịch UBND tỉnh",
                }
            )
        if "ratings" in sections:
            batch["ratings"].append({"person_ref": ref, "year": last_year, "rating": "htxsnv"})
    return batch


def common_year() -> int:
    from bench.generate import CURRENT_YEAR

    return CURRENT_YEAR


class Undo:
    """Deletes what the batches wrote since it was made (by raw SQL, as bench.importing)."""

    def __init__(self) -> None:
        from django.db.models import Max

        from thidua.award_history.models import AwardRecord, TaskRating
        from thidua.orgs.models import Person

        self.person = Person.objects.aggregate(last=Max("pk"))["last"] or 0
        self.record = AwardRecord.objects.aggregate(last=Max("pk"))["last"] or 0
        self.rating = TaskRating.objects.aggregate(last=Max("pk"))["last"] or 0

    def __call__(self) -> None:
        from django.db import connection, transaction

        from thidua.api.models import IdempotentRequest
        from thidua.award_history.models import AwardRecord, TaskRating
        from thidua.orgs.models import Person, PersonPosition

        quote = connection.ops.quote_name
        after: list[tuple[Any, str, int]] = [
            (AwardRecord, "id", self.record),
            (TaskRating, "id", self.rating),
            (PersonPosition, "person", self.person),
            (Person, "id", self.person),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for model, field, last in after:
                table = quote(model._meta.db_table)
                column = quote(model._meta.get_field(field).column)
                cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [last])
            IdempotentRequest.objects.all().delete()


def tables(sql: list[str]) -> list[tuple[str, int]]:
    """The statements by verb and first table named, most frequent first."""
    counted: Counter[str] = Counter()
    for text in sql:
        words = text.replace('"', "").split()
        verb = words[0].upper() if words else "?"
        table = "?"
        for keyword in ("FROM", "INTO", "UPDATE"):
            if keyword in words:
                at = words.index(keyword)
                if at + 1 < len(words):
                    table = words[at + 1]
                    break
        counted[f"{verb} {table}"] += 1
    return counted.most_common(8)


def send(client: Any, batch: dict[str, Any]) -> tuple[int, list[str]]:
    """One batch through the API; its status and the SQL it ran (every statement: the
    debug cursor's log keeps only the last 9,000)."""
    from django.db import connection

    ran: list[str] = []

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        ran.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        answer = client.post(URL, json.dumps(batch), content_type="application/json")
    if answer.status_code != 201:
        raise SystemExit(f"bench: the batch was refused: {answer.status_code} {answer.content!r}")
    return answer.status_code, ran


def baseline(batch: dict[str, Any]) -> int:
    """The same rows written with bulk_create, without checks or audit."""
    from django.db import transaction

    from thidua.award_history.models import AwardRecord, AwardType, TaskRating
    from thidua.orgs.models import Person, PersonPosition

    ldtt = AwardType.objects.get(code="ldtt")
    with transaction.atomic():
        people = Person.objects.bulk_create(
            [
                Person(full_name=p["full_name"], birth_year=p["birth_year"], gender=p["gender"])
                for p in batch["people"]
            ]
        )
        PersonPosition.objects.bulk_create(
            [
                PersonPosition(person=person, organization_id=p["unit_id"], title=p["position"])
                for person, p in zip(people, batch["people"], strict=True)
            ]
        )
        AwardRecord.objects.bulk_create(
            [
                AwardRecord(
                    person=person,
                    award_type=ldtt,
                    year=r["year"],
                    decision_number=r["decision_number"],
                    decision_date=r["decision_date"],
                    issuer_name=r["issuer"],
                    source=AwardRecord.Source.MANUAL,
                )
                for person, r in zip(people, batch.get("records", []), strict=False)
            ]
        )
        TaskRating.objects.bulk_create(
            [
                TaskRating(person=person, year=t["year"], rating=t["rating"])
                for person, t in zip(people, batch.get("ratings", []), strict=False)
            ]
        )
    return len(people)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_dataset_arguments(parser)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    common.open_dataset(args)

    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from thidua.api.actions import do_create_token
    from thidua.orgs.models import User

    setup_test_environment()  # the test client's host, as the page benchmark's
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    supervisor = User.objects.get(username="bench-supervisor")
    _token, key = do_create_token(name=f"bench {uuid.uuid4().hex[:8]}", acting_user=supervisor)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    figures: dict[str, Any] = {"people": args.people}
    print(f"bench: {args.people} people in one API batch, {args.engine}, scale {args.scale}")
    shapes = {
        "people": (),
        "people_records": ("records",),
        "all": ("positions", "records", "ratings"),
    }
    for label, sections in shapes.items():
        batch = make_batch(args.people, sections)
        items = sum(len(v) for v in batch.values())
        undo = Undo()
        queries: list[str] = []

        def run(batch: dict[str, Any] = batch) -> int:
            nonlocal queries
            _status, queries = send(client, batch)
            return len(queries)

        timing, count = common.measure(run, args.repeat, after=undo)
        common.show(f"{label}: {items} items, {count} queries", timing)
        figures[label] = {
            "items": items,
            "queries": count,
            "queries_per_item": round(count / items, 2),
            "ms_per_item": round(timing.median * 1000 / items, 2),
            "top_statements": tables(queries),
            **timing.as_json(),
        }
        for statement, n in tables(queries)[:5]:
            print(f"    {n:>6}  {statement}")
    batch = make_batch(args.people, ("records", "ratings"))
    undo = Undo()
    timing, _rows = common.measure(lambda: baseline(batch), args.repeat, after=undo)
    common.show("baseline: the same rows by bulk_create, no checks", timing)
    figures["baseline_bulk_create"] = timing.as_json()
    common.write_result("api_batch", args, figures)


if __name__ == "__main__":
    main()
