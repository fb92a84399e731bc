"""`thidua import_history FILE.xlsx --user USERNAME`: import award history, with a progress bar.

The same action as the import page (all rows or none, every problem named by row and
column); the import is done in this process, so it suits files of any size.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from thidua.award_history.actions import do_import_history
from thidua.award_history.importing import ImportRefused
from thidua.errors import ActionRefused
from thidua.jobs.progress import TerminalBar
from thidua.orgs.models import User


class Command(BaseCommand):
    help = "Import award history from an Excel workbook (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--user", required=True, help="who imports (a supervisor's login)")
        parser.add_argument("--language", default="vi", help="language of the messages")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"No user {options['user']!r}.") from None
        with translation.override(options["language"]):
            try:
                batch = do_import_history(
                    path.read_bytes(),
                    file_name=path.name,
                    acting_user=user,
                    progress=TerminalBar(path.name, stream=sys.stderr),
                )
            except ImportRefused as refused:
                for message in refused.messages:
                    self.stderr.write(message)
                raise CommandError(f"{len(refused.messages)} problems; nothing imported.") from None
            except (ActionRefused, OSError) as refused:
                raise CommandError(str(refused)) from None
        self.stdout.write(f"{batch.rows} award records imported.")
