"""Benchmark e: the count of a closed poll with 10,000 secret ballots.

    .venv/bin/python -m bench.tally --scale 1 [--engine postgres]

Measured: `thidua.voting.reads.count(poll)`, what the results page and the minutes
call: the database counts the ballots (votes per candidate, blank ballots, the most choices
on one ballot) and `rules.tally_counts` checks the totals and decides. Baseline, in the same
run: reading the poll's ballot choices alone with one raw SQL query.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

CHOICES = """
    SELECT b.id, c.candidate_id FROM voting_ballot b
    LEFT JOIN voting_ballotchoice c ON c.ballot_id = b.id
    WHERE b.poll_id = %s
"""


def read_baseline(poll_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(CHOICES, [poll_id])
        return len(cursor.fetchall())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_dataset_arguments(parser)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    common.open_dataset(args)
    from thidua.voting import reads
    from thidua.voting.models import Poll

    poll = Poll.objects.get(title="Bình xét Bằng khen (bench)")
    ballots = poll.ballots.count()
    print(f"bench e: the count of poll {poll.pk} with {ballots:,} ballots")
    base, rows = common.measure(lambda: read_baseline(poll.pk), args.repeat)
    common.show(f"baseline: read {rows:,} ballot rows", base)
    took, result = common.measure(lambda: reads.count(poll), args.repeat)
    assert result is not None
    common.show(f"counting.count: {result.ballots_cast:,} ballots counted", took)
    ratio = took.median / base.median
    print(f"  ratio to baseline: {ratio:.2f}x wall, {took.cpu_median / base.cpu_median:.2f}x cpu")
    common.write_result(
        "tally",
        args,
        {
            "ballots": ballots,
            "baseline_rows": rows,
            "baseline": base.as_json(),
            "count": took.as_json(),
            "ratio": round(ratio, 2),
            "cpu_ratio": round(took.cpu_median / base.cpu_median, 2),
            "counts": {str(k): v for k, v in result.counts.items()},
            "blank": result.blank_ballots,
        },
    )


if __name__ == "__main__":
    main()
