"""Benchmark f: `thidua verify_audit` over the whole national dataset.

    .venv/bin/python -m bench.audit --scale 1 [--engine postgres]

Measured: the whole check, as the command runs it — the audit chain entry by entry, then
every row of every sealed table against its block's seal (`thidua.audit.verify`), in two
processes. Baseline, in the same run: reading every sealed table's rows, in key order, with
raw SQL in one process, nothing computed. The dataset is written straight into the tables,
not through the actions, so it is sealed once (`seal_tables`, timed apart) when it has no
seals yet.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def read_baseline() -> int:
    from django.db import connection

    from thidua.audit import seals

    rows = 0
    with connection.cursor() as cursor:
        for table in seals.tables().values():
            key = connection.ops.quote_name(table.key)
            cursor.execute(f"{seals.select_sql(connection, table)} ORDER BY {key}")
            while chunk := cursor.fetchmany(5000):
                rows += len(chunk)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_dataset_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    common.open_dataset(args)  # its migration seals a dataset that has no seals yet
    from django.db import connection

    from thidua.audit import seals
    from thidua.audit.models import SealState
    from thidua.audit.verify import check_data, first_break

    sealing = None
    state = SealState.objects.filter(pk=1).first()
    expected = sum(int(v["rows"]) for v in (state.tables.values() if state is not None else []))
    if state is None or expected == 0:
        started = time.perf_counter()
        sealed = seals.seal_tables()
        sealing = time.perf_counter() - started
        print(f"  sealed {sealed:,} rows in {sealing:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_blockseal")
        blocks = cursor.fetchone()[0]
    print(f"bench f: verify_audit over {len(seals.tables())} sealed tables, {blocks:,} blocks")
    base, rows = common.measure(read_baseline, args.repeat)
    common.show(f"baseline: read {rows:,} rows", base)

    def verify() -> tuple[bool, int, int]:
        chain = first_break() is None
        checked = check_data()
        return chain and not checked.findings, checked.rows, len(checked.findings)

    took, (intact, checked, findings) = common.measure(verify, args.repeat)
    common.show(f"verify_audit: {checked:,} rows, intact={intact}", took)
    ratio = took.median / base.median
    print(f"  ratio to baseline: {ratio:.2f}x wall, {took.cpu_median / base.cpu_median:.2f}x cpu")
    common.write_result(
        "audit",
        args,
        {
            "rows": rows,
            "blocks": blocks,
            "baseline": base.as_json(),
            "verify": took.as_json(),
            "intact": intact,
            "findings": findings,
            "ratio": round(ratio, 2),
            "cpu_ratio": round(took.cpu_median / base.cpu_median, 2),
            "first_sealing_s": round(sealing, 2) if sealing is not None else None,
        },
    )


if __name__ == "__main__":
    main()
