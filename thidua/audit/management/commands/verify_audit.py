"""`thidua verify_audit`: is the audit trail exactly as it was written?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thidua.audit.models import AuditEntry
from thidua.audit.verify import first_break


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = first_break()
        if broken is not None:
            where = f"entry {broken.entry_id}" if broken.entry_id else "the chain's end"
            raise CommandError(f"The audit trail is broken at {where}: {broken.reason}.")
        count = AuditEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The audit trail is intact ({count} entries)."))
