"""`thidua export_document KIND --cluster SLUG --year YYYY --output PATH`.

KIND is a conference document (.docx), the ballot papers (.docx), an award decision with its
attached list or its certificates (.docx; `--decision NUMBER`, else the year's latest), or one
of the workbooks the pages offer for download (.xlsx): indicators-xlsx, scores-xlsx,
votes-xlsx. A PATH that ends in .pdf gets the PDF copy, made by LibreOffice (the
certificates in parts of 500 joined into one file, with a progress bar).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from thidua.award_history.models import Decision
from thidua.awards import documents as award_documents
from thidua.conference import dossier
from thidua.conference.models import DocumentKind
from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused
from thidua.indicators import exports as indicator_exports
from thidua.jobs.progress import TerminalBar
from thidua.lib import pdf
from thidua.scoring import exports as scoring_exports
from thidua.scoring import reads as scoring_reads
from thidua.voting import documents as voting_documents
from thidua.voting import exports as voting_exports
from thidua.voting import reads as voting_reads
from thidua.voting.models import Poll


def scores_workbook(year: EmulationYear) -> bytes:
    ranking = scoring_reads.ranking(year)
    if ranking is None:
        raise CommandError(_("The year has no ranking before the cross-check."))
    return scoring_exports.ranking_workbook(year, ranking)


WORKBOOKS: dict[str, Callable[[EmulationYear], bytes]] = {
    "indicators-xlsx": indicator_exports.matrix_workbook,
    "scores-xlsx": scores_workbook,
    "votes-xlsx": lambda year: voting_exports.results_workbook(
        year, voting_exports.results_of(year)
    ),
}
DECISION_DOCUMENTS: dict[str, Callable[[Decision], bytes]] = {
    "decision": award_documents.decision_document,
    "certificates": award_documents.certificates,
}
KINDS = [*DocumentKind.values, "ballots", *DECISION_DOCUMENTS, *WORKBOOKS]


def ballots(year: EmulationYear) -> list[bytes]:
    """The ballot papers of each of the year's polls, as the voting area makes them."""
    polls = Poll.objects.filter(year=year).order_by("pk")
    return [
        voting_documents.ballot_papers(poll, voting_reads.candidates_of(poll)) for poll in polls
    ]


def decision_of(year: EmulationYear, number: str) -> Decision:
    """The year's decision numbered `number`, or its latest when no number is given."""
    decisions = year.award_decisions.order_by("-date", "-sequence", "-pk")
    found = decisions.filter(number=number).first() if number else decisions.first()
    if found is None and number:
        raise CommandError(_("The year has no award decision %(number)s.") % {"number": number})
    if found is None:
        raise CommandError(_("No award decision has been recorded for the year yet."))
    return found


class Command(BaseCommand):
    help = "Write one document (.docx) or workbook (.xlsx) of a cluster's year, or its PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--cluster", required=True, help="the cluster's slug")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--decision", default="", help="the decision's number")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._export(
                options["kind"],
                options["cluster"],
                options["year"],
                Path(options["output"]),
                options["decision"],
            )

    def _export(
        self, kind: str, cluster: str, number: int, output: Path, decision: str = ""
    ) -> None:
        try:
            year = EmulationYear.objects.select_related("cluster", "cluster__supervisor").get(
                cluster__slug=cluster, year=number
            )
        except EmulationYear.DoesNotExist:
            raise CommandError(
                _("The cluster %(cluster)s has no year %(year)s.")
                % {"cluster": cluster, "year": number}
            ) from None
        as_pdf = output.suffix.lower() == ".pdf"
        if kind in WORKBOOKS:
            data = WORKBOOKS[kind](year)
            output.write_bytes(_as_pdf(data, suffix=".xlsx") if as_pdf else data)
            self.stdout.write(str(output))
            return
        if kind in DECISION_DOCUMENTS:
            try:
                found = decision_of(year, decision)
                if kind == "certificates" and as_pdf:
                    # In parts of PDF_CHUNK certificates joined into one file, with a bar.
                    bar = TerminalBar(_("Certificates"), stream=sys.stderr)
                    output.write_bytes(award_documents.certificates_pdf(found, progress=bar))
                    self.stdout.write(str(output))
                    return
                data = DECISION_DOCUMENTS[kind](found)
            except ActionRefused as refused:
                raise CommandError(refused.message) from None
            output.write_bytes(_as_pdf(data) if as_pdf else data)
            self.stdout.write(str(output))
            return
        if kind == "ballots":
            files = ballots(year)
            if not files:
                raise CommandError(_("The year has no poll yet."))
            # One poll: the path as given; several: one file each, numbered in poll order.
            targets = (
                [output]
                if len(files) == 1
                else [
                    output.with_name(f"{output.stem}-{i}{output.suffix}")
                    for i in range(1, len(files) + 1)
                ]
            )
            # Every file is made before any is written: nothing half-written.
            files = [_as_pdf(data) for data in files] if as_pdf else files
            for target, data in zip(targets, files, strict=True):
                target.write_bytes(data)
                self.stdout.write(str(target))
            return
        try:
            data = dossier.build(year, kind)
        except ActionRefused as refused:
            raise CommandError(refused.message) from None
        output.write_bytes(_as_pdf(data) if as_pdf else data)
        self.stdout.write(str(output))


def _as_pdf(data: bytes, *, suffix: str = ".docx") -> bytes:
    try:
        return pdf.pdf_of(data, suffix=suffix)
    except ActionRefused as refused:
        raise CommandError(refused.message) from None
