"""`thidua backup PATH`: the database and every uploaded file, in one archive, while thidua runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.maintenance.backup import ENGINE_NAMES, BackupError, backup, size


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the whole installation to PATH: the database and every "
        "uploaded file under MEDIA_ROOT (evidence, job inputs and outputs), in one tar archive "
        "with a manifest of SHA-256 checksums (manifest.json, the last member). "
        "Progress files of running jobs are left out. PATH is written as PATH.partial and "
        "renamed when complete. Inspect it with `tar tf PATH`; bring it back with "
        "`thidua restore PATH`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the archive to write, e.g. thidua.tar")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            summary = backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {path} ({size(summary.archive_bytes)}).")
        )
        self.stdout.write(
            f"  database ({ENGINE_NAMES[summary.engine]}): {size(summary.database_bytes)}, "
            f"audit chain head {summary.chain_head or '(no entries)'}"
        )
        self.stdout.write(
            f"  uploaded files: {summary.media_files} file(s), {size(summary.media_bytes)}, "
            f"from {Path(settings.MEDIA_ROOT).absolute()}"
        )
        for left_out in summary.left_out:
            self.stdout.write(f"  left out: {left_out}")
        self.stdout.write(
            f"  made by thidua {summary.thidua_version} at {summary.created_at}; "
            f"every file's size and SHA-256 are in its manifest.json"
        )
