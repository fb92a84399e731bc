"""`thidua verify_document FILE.pdf [--json]`: check every signature of a PDF.

Exit status 0 only when the file carries signatures and every one is intact, trusted (it chains
to a root in THIDUA_SIGNING_TRUST_ROOTS, not revoked by THIDUA_SIGNING_CRLS) and the file was
not changed after it; 1 otherwise; 2 when the file cannot be read as a PDF. `--json` prints,
for each signature, the signer, the time, `intact` and `trusted` (and what else was found).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from thidua.errors import ActionRefused

from ... import problems
from ...verification import verify_pdf


class Command(BaseCommand):
    help = "Verify the digital signatures of a PDF; exit 0 only if all are intact and trusted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            code = self._verify(Path(options["file"]), as_json=options["json"])
        if code:
            sys.exit(code)

    def _verify(self, path: Path, *, as_json: bool) -> int:
        try:
            data = path.read_bytes()
        except OSError as failure:
            raise CommandError(
                _("The file %(name)s cannot be read: %(error)s")
                % {"name": path, "error": failure.strerror or failure}
            ) from None
        try:
            report = verify_pdf(data)
        except ActionRefused as refused:
            if as_json:
                self.stdout.write(json.dumps({"ok": False, "error": refused.message}))
            else:
                self.stderr.write(refused.message)
            return 2
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "sha256": report.sha256,
                        "signatures": [s.as_json() for s in report.signatures],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.stdout.write(problems.verdict(report))
            for signature in report.signatures:
                self.stdout.write(
                    f"- {signature.signer} ({signature.organisation}) {signature.time_text}: "
                    + _("intact: %(intact)s, trusted: %(trusted)s")
                    % {
                        "intact": problems.yes_no(signature.intact),
                        "trusted": problems.yes_no(signature.trusted),
                    }
                )
                for problem in signature.problems:
                    self.stdout.write(f"  {problem}")
        return 0 if report.ok else 1
