"""`thidua national_report --year YYYY -o FILE.docx`: the national summary, with a progress bar."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from thidua.conference import national
from thidua.jobs.progress import TerminalBar


class Command(BaseCommand):
    help = "Write the national summary report of a year (every cluster) as a .docx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("-o", "--output", required=True, help="the .docx to write")
        parser.add_argument("--language", default="vi")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            found = national.summary(
                options["year"], progress=TerminalBar(str(options["year"]), stream=sys.stderr)
            )
            content = national.report_docx(found)  # dated by the signer, as the job does
        with open(options["output"], "wb") as out:
            out.write(content)
        self.stdout.write(
            f"{options['output']}: {len(found.clusters)} clusters, "
            f"{found.collectives + found.individuals} proposals"
        )
