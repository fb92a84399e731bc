"""`thidua restore PATH`: bring back a backup made by `thidua backup`, once verified whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.maintenance.backup import ENGINE_NAMES, BackupError, restore, size, version


class Command(BaseCommand):
    help = (
        "Replace the database and every uploaded file under MEDIA_ROOT with the backup at PATH "
        "(made by `thidua backup`). The whole archive is first checked against its manifest "
        "(every file's SHA-256, no file missing or added, the same database engine); a backup "
        "that fails a check is refused and nothing is changed. The restore is recorded in the "
        "audit trail, so running servers compute their figures again. A database-only file made "
        "by an older thidua is restored as before, leaving the uploaded files as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the archive written by `thidua backup`")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            summary = restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        engine = ENGINE_NAMES[summary.engine]
        if summary.database_only:
            self.stdout.write(
                self.style.WARNING(
                    f"{path} is a backup of the database alone (made by an older thidua): "
                    f"the database was restored ({engine}, {size(summary.database_bytes)}); "
                    "the uploaded files under MEDIA_ROOT were left as they were."
                )
            )
        else:
            self.stdout.write(
                f"Verified {path} ({size(summary.archive_bytes)}) against its manifest: "
                f"{summary.media_files + 1} file(s), every SHA-256 matches, none missing or "
                f"added; made by thidua {summary.thidua_version} at {summary.created_at}."
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored the database ({engine}, {size(summary.database_bytes)}, audit "
                    f"chain head {summary.chain_head or '(no entries)'}) and "
                    f"{summary.media_files} uploaded file(s) ({size(summary.media_bytes)}) "
                    f"into {Path(settings.MEDIA_ROOT).absolute()}."
                )
            )
        self.stdout.write(
            f"Recorded as the audit entry maintenance.restore; the chain's head is now "
            f"{summary.new_chain_head}."
        )
        if summary.thidua_version not in (version(), "unknown") and not summary.database_only:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup was made by thidua {summary.thidua_version}, this is "
                    f"{version()}: run `thidua migrate` before starting the servers."
                )
            )
