"""`thidua restore PATH`: bring back a backup made by `thidua backup`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.maintenance.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's content with the backup at PATH (made by `thidua backup`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Database restored from {path}."))
