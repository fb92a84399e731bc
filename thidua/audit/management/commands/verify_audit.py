"""`thidua verify_audit`: are the audit trail and the data it speaks of as thidua left them?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.audit.models import AuditEntry
from thidua.audit.verify import check_data, first_break

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain, then every sealed row against its seal; name "
        "the first broken link and every row changed, added or removed outside thidua."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain-only", action="store_true", help="Check the hash chain alone.")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = first_break()
        if broken is not None:
            where = f"entry {broken.entry_id}" if broken.entry_id else "the chain's end"
            raise CommandError(f"The audit trail is broken at {where}: {broken.reason}.")
        entries = AuditEntry.objects.order_by("id")
        first, last = entries.first(), entries.last()
        span = f" from {first.at:%Y-%m-%d} to {last.at:%Y-%m-%d}" if first and last else ""
        self.stdout.write(
            self.style.SUCCESS(f"The audit trail is intact ({entries.count()} entries{span}).")
        )
        if options["chain_only"]:
            return
        checked = check_data()
        if checked.findings:
            for finding in checked.findings[:SHOWN]:
                self.stderr.write(str(finding))
            more = len(checked.findings) - SHOWN
            if more > 0:
                self.stderr.write(f"… and {more} more.")
            raise CommandError(
                f"The data is not as thidua left it: {len(checked.findings)} findings "
                f"in {checked.tables} sealed tables ({checked.rows} rows checked)."
            )
        waiting = (
            f"; {checked.unsealed} rows with random keys wait to be sealed in bulk"
            if checked.unsealed
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"The data is intact: {checked.rows} rows in {checked.tables} tables match "
                f"their seals, kept since {checked.since[:10] if checked.since else '—'}"
                f"{waiting}."
            )
        )
