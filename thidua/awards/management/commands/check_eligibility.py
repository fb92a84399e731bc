"""`thidua check_eligibility --cluster SLUG --year YYYY [--json]`: every verdict, with reasons.

`thidua check_eligibility --all --year YYYY [--output FILE.xlsx]` checks every cluster's
proposals of the year in one batch, with a progress bar, and prints the totals (and writes
every verdict to the workbook).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from thidua.awards import rules
from thidua.awards.eligibility import judge_scope, judge_year
from thidua.awards.exports import national_proposal_list
from thidua.awards.models import Nomination
from thidua.awards.problems import VERDICT_LABELS, describe
from thidua.awards.views import award_names
from thidua.cycle.models import EmulationYear
from thidua.jobs.progress import TerminalBar


class Command(BaseCommand):
    help = "Judge every nomination of a cluster's year against the award history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cluster", help="the cluster's slug")
        parser.add_argument("--all", action="store_true", help="every cluster of the year")
        parser.add_argument("--output", help="with --all: write every verdict to this .xlsx")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--language", default="vi", help="language of the reasons")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            self.national(options)
            return
        if not options["cluster"]:
            raise CommandError("Name a cluster (--cluster SLUG) or check them all (--all).")
        try:
            year = EmulationYear.objects.select_related("cluster").get(
                cluster__slug=options["cluster"], year=options["year"]
            )
        except EmulationYear.DoesNotExist:
            raise CommandError(
                f"No year {options['year']} for the cluster {options['cluster']!r}."
            ) from None
        nominations = {
            n.pk: n
            for n in year.nominations.select_related("unit", "person", "collective", "award_type")
        }
        names = award_names()
        with translation.override(options["language"]):
            judged = judge_year(year)
            rows: list[dict[str, Any]] = [
                {
                    "nomination": pk,
                    "nominee": nominations[pk].nominee_name,
                    "kind": "collective" if nominations[pk].collective_id else "individual",
                    "unit": nominations[pk].unit.name,
                    "award": nominations[pk].award_type.code,
                    "status": nominations[pk].status,
                    "verdict": j.verdict.value,
                    "verdict_label": str(VERDICT_LABELS[j.verdict]),
                    "rule_from": j.rule.effective_from.isoformat() if j.rule else None,
                    "reasons": [
                        {"effect": r.effect.value, "code": r.code, "text": describe(r, names)}
                        for r in j.reasons
                    ],
                }
                for pk, j in sorted(judged.items())
            ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            self.stdout.write(f"{row['nominee']} — {names[row['award']]}: {row['verdict_label']}")
            for reason in row["reasons"]:
                self.stdout.write(f"    {reason['text']}")

    def national(self, options: dict[str, Any]) -> None:
        year = options["year"]
        scope = Nomination.objects.filter(year__year=year)
        bar = TerminalBar(f"{year}", stream=sys.stderr)
        with translation.override(options["language"]):
            if options["output"]:
                content = national_proposal_list(year, progress=bar)
                with open(options["output"], "wb") as out:
                    out.write(content)
                self.stdout.write(f"written {options['output']}")
                return
            judged = judge_scope(scope, progress=bar)
            totals = rules.tally(judged.values())
            for verdict, label in VERDICT_LABELS.items():
                self.stdout.write(f"{label}: {totals.get(verdict, 0)}")
            self.stdout.write(f"= {len(judged)}")
