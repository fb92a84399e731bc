"""Benchmark d: the national summary .docx (all clusters) and the year's Excel list of proposals.

    .venv/bin/python -m bench.reports --scale 1 [--engine postgres]

Measured: `thidua.conference.national.summary` + `report_docx` (what the national report
job and `thidua national_report` run: every cluster's figures and one national eligibility
batch, then the Decree 30 document), and `awards.exports.national_proposal_list` (every
proposal of the year, 60,000 rows at national scale, with its verdict; what
`check_eligibility --all --output` and the national eligibility job write). Also
`awards.exports.proposal_workbook` for one cluster's year, the list a secretariat downloads.
Baselines, in the same run: the eligibility batch alone (which both reports contain), a
bare python-docx document with the same tables, and openpyxl's write-only mode writing the
same rows with no styling (the fastest writer available).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.generate import CURRENT_YEAR


def bare_docx(found: Any) -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(f"{found.year}")
    table = document.add_table(rows=0, cols=7)
    for line in found.clusters:
        cells = table.add_row().cells
        values = [line.name, line.head, line.members, line.collectives, line.individuals, 0, 0]
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bare_xlsx(rows: list[tuple[Any, ...]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_dataset_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    common.open_dataset(args)
    from django.utils import translation

    from thidua.awards import exports
    from thidua.awards.eligibility import judge_scope
    from thidua.awards.models import Nomination
    from thidua.conference import national
    from thidua.cycle.models import EmulationYear

    translation.activate("vi")
    scope = Nomination.objects.filter(year__year=CURRENT_YEAR)
    count = scope.count()
    print(f"bench d: the national summary and the list of {count:,} proposals")
    judge, _ = common.measure(lambda: judge_scope(scope), args.repeat)
    common.show("baseline: the national eligibility batch alone", judge)
    found = national.summary(CURRENT_YEAR)
    bare, _ = common.measure(lambda: bare_docx(found), args.repeat)
    common.show("baseline: a bare python-docx document with the same table", bare)
    report, content = common.measure(
        lambda: national.report_docx(national.summary(CURRENT_YEAR)), args.repeat
    )
    common.show(f"national summary .docx ({len(content) / 1e3:.0f} kB)", report)
    rows = list(
        scope.order_by().values_list(
            "pk", "year__cluster__name", "unit__name", "person__full_name", "award_type__name"
        )
    )
    plain, _ = common.measure(lambda: bare_xlsx(rows), args.repeat)
    common.show(f"baseline: openpyxl write-only, {len(rows):,} bare rows", plain)
    listed, book = common.measure(lambda: exports.national_proposal_list(CURRENT_YEAR), args.repeat)
    common.show(f"national_proposal_list: {count:,} rows ({len(book) / 1e6:.1f} MB)", listed)
    year = EmulationYear.objects.filter(year=CURRENT_YEAR).order_by("pk").first()
    assert year is not None
    cluster, _ = common.measure(lambda: exports.proposal_workbook(year), args.repeat)
    common.show("exports.proposal_workbook: one cluster's year", cluster)
    docx_ratio = report.median / (judge.median + bare.median)
    list_ratio = listed.median / (judge.median + plain.median)
    print(f"  summary .docx / (eligibility + bare docx): {docx_ratio:.2f}x")
    print(f"  proposal list / (eligibility + bare rows): {list_ratio:.2f}x")
    common.write_result(
        "reports",
        args,
        {
            "proposals": count,
            "eligibility_baseline": judge.as_json(),
            "bare_docx_baseline": bare.as_json(),
            "national_docx": report.as_json(),
            "docx_bytes": len(content),
            "bare_xlsx_baseline": plain.as_json(),
            "proposal_list": listed.as_json(),
            "proposal_list_bytes": len(book),
            "cluster_proposal_workbook": cluster.as_json(),
            "docx_ratio": round(docx_ratio, 2),
            "list_ratio": round(list_ratio, 2),
        },
    )


if __name__ == "__main__":
    main()
