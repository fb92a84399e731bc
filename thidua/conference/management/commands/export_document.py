"""`thidua export_document KIND --cluster SLUG --year YYYY --output PATH`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from thidua.conference import dossier
from thidua.conference.models import DocumentKind
from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused
from thidua.voting import counting
from thidua.voting import documents as voting_documents
from thidua.voting.models import Poll

KINDS = [*DocumentKind.values, "ballots"]


def ballots(year: EmulationYear) -> list[bytes]:
    """The ballot papers of each of the year's polls, as the voting area makes them."""
    polls = Poll.objects.filter(year=year).order_by("pk")
    return [voting_documents.ballot_papers(poll, counting.candidates_of(poll)) for poll in polls]


class Command(BaseCommand):
    help = "Write one document of a cluster's year as a .docx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--cluster", required=True, help="the cluster's slug")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._export(
                options["kind"], options["cluster"], options["year"], Path(options["output"])
            )

    def _export(self, kind: str, cluster: str, number: int, output: Path) -> None:
        try:
            year = EmulationYear.objects.select_related("cluster", "cluster__supervisor").get(
                cluster__slug=cluster, year=number
            )
        except EmulationYear.DoesNotExist:
            raise CommandError(
                _("The cluster %(cluster)s has no year %(year)s.")
                % {"cluster": cluster, "year": number}
            ) from None
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
            for target, data in zip(targets, files, strict=True):
                target.write_bytes(data)
                self.stdout.write(str(target))
            return
        try:
            data = dossier.build(year, kind)
        except ActionRefused as refused:
            raise CommandError(refused.message) from None
        output.write_bytes(data)
        self.stdout.write(str(output))
