"""Benchmark a: every nomination of the year judged against the whole award history.

    .venv/bin/python -m bench.eligibility --scale 1 [--engine postgres]

Measured: `thidua.awards.eligibility.judge_scope` over all of this year's nominations
(every cluster), the path `thidua check_eligibility --all` and the pages take.
Baseline, in the same run: reading just the history rows the checks need, with one raw SQL
query per kind of row and nothing built from them: individual nominees' titles and awards
(all years), initiatives (where the award's rule counts them) and ratings (as far back as a
rule looks, where it looks), collectives' the same (with their former names), and their
members' titles and ratings of the nomination year where the award's rule counts them
(`history_facts.Needs` says which).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.generate import CURRENT_YEAR

NOMINATIONS = """
    SELECT n.{column} FROM awards_nomination n
    JOIN cycle_emulationyear y ON y.id = n.year_id
    WHERE y.year = %s AND n.{column} IS NOT NULL
"""
COLLECTIVES = """
    SELECT n.collective_id FROM awards_nomination n
    JOIN cycle_emulationyear y ON y.id = n.year_id
    JOIN awards_awardtype a ON a.id = n.award_type_id
    WHERE y.year = %s AND n.collective_id IS NOT NULL AND a.code IN ({codes})
"""
MEMBERS = """
    SELECT p.person_id FROM orgs_personposition p WHERE p.organization_id IN ({collectives})
"""
UNITS = f"""
    SELECT s.predecessor_id FROM orgs_succession s
    WHERE s.successor_id IN ({NOMINATIONS.format(column="collective_id")})
    UNION {NOMINATIONS.format(column="collective_id")}
"""
PEOPLE = NOMINATIONS.format(column="person_id")
PEOPLE_FOR = """
    SELECT n.person_id FROM awards_nomination n
    JOIN cycle_emulationyear y ON y.id = n.year_id
    JOIN awards_awardtype a ON a.id = n.award_type_id
    WHERE y.year = %s AND n.person_id IS NOT NULL AND a.code IN ({codes})
"""


def baseline_queries(year: int) -> dict[str, tuple[str, list[Any]]]:
    """The rows the rules look at, as plain SQL: what `Needs` says they need, no more."""
    from thidua.awards.eligibility import rule_versions
    from thidua.awards.history_facts import Needs

    needs = Needs.of(rule_versions())
    first_rated = year - (needs.ratings_years or 100) + 1

    def quoted(codes: frozenset[str]) -> str:
        return ", ".join(f"'{code}'" for code in sorted(codes)) or "''"

    def members(codes: frozenset[str]) -> tuple[str, list[Any]]:
        return MEMBERS.format(collectives=COLLECTIVES.format(codes=quoted(codes))), [year]

    rated = PEOPLE_FOR.format(codes=quoted(needs.rated))
    inventive = PEOPLE_FOR.format(codes=quoted(needs.initiatives))

    award_staff, award_params = members(needs.member_awards)
    rating_staff, rating_params = members(needs.member_ratings)
    return {
        "awards of nominees": (
            f"SELECT person_id, award_type_id, year FROM awards_awardrecord "
            f"WHERE person_id IN ({PEOPLE})",
            [year],
        ),
        "ratings of nominees": (
            f"SELECT person_id, year, rating FROM awards_taskrating "
            f"WHERE person_id IN ({rated}) AND year >= %s",
            [year, first_rated],
        ),
        "initiatives of nominees": (
            f"SELECT id, person_id, year, level, used_by_id FROM awards_initiative "
            f"WHERE person_id IN ({inventive})",
            [year],
        ),
        "awards of collectives": (
            f"SELECT organization_id, award_type_id, year FROM awards_awardrecord "
            f"WHERE organization_id IN ({UNITS})",
            [year, year],
        ),
        "ratings of collectives": (
            f"SELECT organization_id, year, rating FROM awards_taskrating "
            f"WHERE organization_id IN ({UNITS}) AND year >= %s",
            [year, year, first_rated],
        ),
        "members' awards that year": (
            f"SELECT person_id, award_type_id FROM awards_awardrecord "
            f"WHERE year = %s AND person_id IN ({award_staff})",
            [year, *award_params],
        ),
        "members' ratings that year": (
            f"SELECT person_id, rating FROM awards_taskrating "
            f"WHERE year = %s AND person_id IN ({rating_staff})",
            [year, *rating_params],
        ),
    }


def read_baseline(year: int) -> int:
    """Fetch every row the checks need into plain tuples; returns how many."""
    from django.db import connection

    rows = 0
    with connection.cursor() as cursor:
        for sql, params in baseline_queries(year).values():
            cursor.execute(sql, params)
            rows += len(cursor.fetchall())
    return rows


def judge_all(year: int) -> dict[int, Any]:
    from thidua.awards.eligibility import judge_scope
    from thidua.awards.models import Nomination

    return judge_scope(Nomination.objects.filter(year__year=year))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_dataset_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    common.open_dataset(args)
    from collections import Counter

    from thidua.award_history.models import AwardRecord
    from thidua.awards.models import Nomination

    nominations = Nomination.objects.filter(year__year=CURRENT_YEAR).count()
    records = AwardRecord.objects.count()
    print(f"bench a: eligibility of {nominations:,} nominations against {records:,} records")
    read_baseline(CURRENT_YEAR)  # warm the cache: both sides then read from memory
    base, rows = common.measure(lambda: read_baseline(CURRENT_YEAR), args.repeat)
    common.show(f"baseline: read the {rows:,} history rows the checks need", base)
    took, judged = common.measure(lambda: judge_all(CURRENT_YEAR), args.repeat)
    common.show(f"judge_scope: {len(judged):,} verdicts", took)
    verdicts = Counter(j.verdict.value for j in judged.values())
    ratio = took.median / base.median
    cpu_ratio = took.cpu_median / base.cpu_median
    print(
        f"  ratio to baseline: {ratio:.2f}x wall, {cpu_ratio:.2f}x cpu "
        "(goal: within 2x, and under 5 s)"
    )
    print(f"  verdicts: {dict(verdicts)}")
    common.write_result(
        "eligibility",
        args,
        {
            "nominations": nominations,
            "award_records": records,
            "baseline_rows": rows,
            "baseline": base.as_json(),
            "judge": took.as_json(),
            "ratio": round(ratio, 2),
            "cpu_ratio": round(cpu_ratio, 2),
            "verdicts": dict(verdicts),
            "goal": "judge under 5 s, within 2x of the baseline",
            "met": took.median < 5 and ratio <= 2,
        },
    )


if __name__ == "__main__":
    main()
