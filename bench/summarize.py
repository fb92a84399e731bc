"""Gather bench/results/*.json into bench/results/summary.md (one table per benchmark)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS


def ms(timing: dict[str, Any]) -> str:
    return f"{timing['median_s'] * 1000:,.0f} ms (cpu {timing['cpu_median_s'] * 1000:,.0f})"


def line(data: dict[str, Any]) -> str:
    f = data["figures"]
    where = f"{data['engine']} | {data['scale']} | {data['load_average'][0]}"
    kind = data["benchmark"]
    if kind == "eligibility":
        return (
            f"| {where} | {f['nominations']:,} | {f['award_records']:,} | "
            f"{ms(f['baseline'])} | {ms(f['judge'])} | {f['ratio']}× |"
        )
    if kind == "importing":
        return (
            f"| {where} | {f['rows']:,} | {ms(f['baseline'])} | {ms(f['import'])} | {f['ratio']}× |"
        )
    if kind == "tally":
        timings = f"{ms(f['baseline'])} | {ms(f['count'])}"
        return f"| {where} | {f['ballots']:,} | {timings} | {f['ratio']}× |"
    if kind == "reports":
        return (
            f"| {where} | {f['proposals']:,} | {ms(f['eligibility_baseline'])} | "
            f"{ms(f['national_docx'])} | {f['docx_ratio']}× | {ms(f['bare_xlsx_baseline'])} | "
            f"{ms(f['proposal_list'])} | {f['list_ratio']}× | "
            f"{ms(f['cluster_proposal_workbook'])} |"
        )
    pages = f["pages"]
    cells = " | ".join(
        f"{p['p50_ms']:,.0f} / {p['p95_ms']:,.0f} ({p['p95_ratio']}×)" for p in pages.values()
    )
    return f"| {where} | {cells} |"


HEADERS = {
    "eligibility": "| engine | scale | load | nominations | records | baseline: read rows | "
    "judge_scope | ratio |\n|---|---|---|---|---|---|---|---|",
    "importing": "| engine | scale | load | rows | baseline: calamine | do_import_history | "
    "ratio |\n|---|---|---|---|---|---|---|",
    "tally": "| engine | scale | load | ballots | baseline: read choices | counting.count | "
    "ratio |\n|---|---|---|---|---|---|---|",
    "reports": "| engine | scale | load | proposals | eligibility batch | national .docx | "
    "ratio | bare xlsx rows | proposal list .xlsx | ratio | one cluster's list |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|",
    "pages": "| engine | scale | load | plain view p50 / p95 | dashboard | nominations | "
    "ranking |\n|---|---|---|---|---|---|---|",
}


def main() -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        found.setdefault(data["benchmark"], []).append(data)
    out = ["# Benchmark results", ""]
    machine = next(iter(found.values()))[0]["machine"] if found else {}
    out.append(
        f"Machine: {machine.get('nproc')} × {machine.get('cpu')}, "
        f"{machine.get('ram_mib', 0) // 1024} GiB RAM; Python {machine.get('python')}, "
        f"Django {machine.get('django')}, SQLite {machine.get('sqlite')}, "
        f"PostgreSQL {machine.get('postgresql', '—')}. "
        "Times are medians (wall, with the CPU time of this process and its finished "
        "children in brackets); "
        "`load` is the machine's 1-minute load average when the run ended."
    )
    for kind in ("eligibility", "importing", "tally", "reports", "pages"):
        rows = sorted(found.get(kind, []), key=lambda d: (d["engine"], d["scale"]))
        if not rows:
            continue
        out += ["", f"## {kind}", "", HEADERS[kind], *(line(d) for d in rows)]
    (RESULTS / "summary.md").write_text("\n".join(out) + "\n", "utf-8")
    print(f"bench: written {RESULTS / 'summary.md'}")


if __name__ == "__main__":
    main()
