#!/usr/bin/env python3
"""A province's system synchronising a year with thidua through its API (docs/api-sync.md).

It pushes the year's award history in one batch (people, their titles and awards, their
task ratings), drafts and submits the unit's nominations, and reads back the verdicts each
nomination got, with the reasons. It needs only Python's standard library.

Every write carries an Idempotency-Key derived from what it sends, so running the script
again after a time-out never writes twice: thidua answers the first answer again.

    THIDUA_URL=https://thidua.example.gov.vn \
    THIDUA_HISTORY_TOKEN=thd_...   # may keep award history (the supervising department)
    THIDUA_OFFICER_TOKEN=thd_...   # the unit's officer: drafts the nominations
    THIDUA_LEADER_TOKEN=thd_...    # the unit's leader: submits them
    python3 province_sync.py --cluster SLUG --year 2016 --unit UNIT_ID [--history FILE.json]

The history file holds {"people": [...], "records": [...], "ratings": [...]} as the batch
endpoint takes them, plus "nominate": [{"ref": ..., "award": ..., "summary": ...}]; without
one, a small sample is sent. The verdicts are printed as JSON on standard output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from typing import Any

RETRIES = 4  # a write that times out or meets a 5xx is sent again, with the same key


class ApiError(Exception):
    def __init__(self, status: int, answer: Any) -> None:
        super().__init__(f"HTTP {status}: {answer}")
        self.status = status
        self.answer = answer


def call(base: str, token: str, method: str, path: str, body: Any = None) -> Any:
    """One API request; a write is retried on a time-out or a 5xx with the same key."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
        # The same request always carries the same key: a retry is recognised as one.
        digest = hashlib.sha256(method.encode() + path.encode() + data).hexdigest()
        headers["Idempotency-Key"] = f"province-sync-{digest[:40]}"
    for attempt in range(RETRIES):
        request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as refused:
            text = refused.read()
            if refused.code < 500 or attempt == RETRIES - 1:
                raise ApiError(refused.code, json.loads(text or b"null")) from None
        except (TimeoutError, urllib.error.URLError):
            if attempt == RETRIES - 1:
                raise
        time.sleep(2**attempt)
    raise AssertionError("unreachable")


SAMPLE: dict[str, Any] = {
    "people": [
        {"ref": "p1", "full_name": "Nguyễn Thị Hoa", "birth_year": 1982, "gender": "female",
         "position": "Trưởng phòng Tổng hợp", "since": "2012-03-01"},
        {"ref": "p2", "full_name": "Vàng A Sử", "birth_year": 1979, "gender": "male",
         "position": "Chuyên viên chính", "since": "2009-07-01"},
    ],
    "records": [
        {"person_ref": "p1", "award": "ldtt", "year": 2014, "decision_number": "25/QĐ-SKHĐT",
         "decision_date": "2015-01-15"},
        {"person_ref": "p1", "award": "ldtt", "year": 2015, "decision_number": "18/QĐ-SKHĐT",
         "decision_date": "2016-01-12"},
        {"person_ref": "p2", "award": "ldtt", "year": 2015, "decision_number": "18/QĐ-SKHĐT",
         "decision_date": "2016-01-12"},
    ],
    "ratings": [
        {"person_ref": "p1", "year": 2015, "rating": "htxsnv"},
        {"person_ref": "p2", "year": 2015, "rating": "httnv"},
    ],
    "nominate": [
        {"ref": "p1", "award": "cstdcs",
         "summary": "Hoàn thành xuất sắc nhiệm vụ, chủ trì tổng hợp báo cáo kinh tế - xã hội."},
        {"ref": "p2", "award": "ldtt", "summary": "Hoàn thành tốt nhiệm vụ được giao."},
    ],
}  # fmt: skip


def sync(
    base: str,
    tokens: dict[str, str],
    *,
    cluster: str,
    year: int,
    unit: int,
    history: dict[str, Any],
    issuer: str = "Sở Kế hoạch và Đầu tư",
) -> dict[str, Any]:
    """Push the history, draft and submit the nominations, and read the verdicts back."""
    api = base.rstrip("/") + "/api/v1"
    batch = {
        "people": [{**p, "unit_id": unit} for p in history["people"]],
        "records": [{"issuer": issuer, **r} for r in history["records"]],
        "ratings": history.get("ratings", []),
    }
    written = call(api, tokens["history"], "POST", "/bulk/award-history", batch)
    ids = {p["ref"]: pk for p, pk in zip(history["people"], written["people"], strict=True)}
    year_path = f"/clusters/{cluster}/years/{year}"
    submitted = []
    for wish in history.get("nominate", []):
        drafted = call(
            api,
            tokens["officer"],
            "POST",
            f"{year_path}/nominations",
            {"person": ids[wish["ref"]], "award": wish["award"], "summary": wish["summary"],
             "clean_record": "yes"},
        )  # fmt: skip
        call(api, tokens["leader"], "POST", f"{year_path}/nominations/{drafted['id']}/submit", {})
        submitted.append(drafted["id"])
    listed = call(api, tokens["officer"], "GET", f"{year_path}/nominations?unit={unit}")
    return {
        "people": ids,
        "records": len(written["records"]),
        "verdicts": [
            {
                "nomination": n["id"],
                "nominee": n["nominee"],
                "award": n["award"],
                "status": n["status"],
                "verdict": n["verdict"]["verdict"],
                "reasons": [r["text"] for r in n["verdict"]["reasons"]],
            }
            for n in listed["nominations"]
            if n["id"] in submitted
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--unit", type=int, required=True, help="the member unit's id")
    parser.add_argument("--history", help="a JSON file of the year's history (else a sample)")
    args = parser.parse_args(argv)
    history = SAMPLE
    if args.history:
        with open(args.history, encoding="utf-8") as file:
            history = json.load(file)
    tokens = {
        "history": os.environ["THIDUA_HISTORY_TOKEN"],
        "officer": os.environ["THIDUA_OFFICER_TOKEN"],
        "leader": os.environ["THIDUA_LEADER_TOKEN"],
    }
    try:
        outcome = sync(
            os.environ.get("THIDUA_URL", "http://127.0.0.1:8000"),
            tokens,
            cluster=args.cluster,
            year=args.year,
            unit=args.unit,
            history=history,
        )
    except ApiError as error:
        json.dump({"status": error.status, "answer": error.answer}, sys.stderr, ensure_ascii=False)
        print(file=sys.stderr)
        return 1
    json.dump(outcome, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
