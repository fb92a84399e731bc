"""`thidua seal_data`: seal the data as it is now, and say so in the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from thidua.audit import seals
from thidua.audit.models import SealState
from thidua.audit.record import record
from thidua.audit.verify import first_break


class Command(BaseCommand):
    help = (
        "Seal every row of thidua's tables as it is now (after an upgrade from a version "
        "without seals, or a new audit key), recording it in the audit trail. Run "
        "`thidua verify_audit` first: whatever the data holds now is taken as thidua's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", action="append", help="Seal only this table (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = first_break()
        if broken is not None:
            raise CommandError(
                "The audit trail is broken; mend it before sealing: `thidua verify_audit`."
            )
        names = options["table"]
        unknown = set(names or []) - set(seals.tables())
        if unknown:
            raise CommandError(f"Not a sealed table: {', '.join(sorted(unknown))}.")
        with transaction.atomic():
            rows = seals.seal_tables(names)
            record(
                "audit.seal",
                SealState.objects.get(pk=1),
                actor=None,
                after={"tables": sorted(names or seals.tables()), "rows": rows},
            )
        self.stdout.write(self.style.SUCCESS(f"Sealed {rows} rows."))
