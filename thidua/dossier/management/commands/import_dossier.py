"""`thidua import_dossier PATH --user USERNAME`: the supervising department's officer imports
a signed dossier package; every file and signature is checked, and the package is refused
whole, with the reasons, if anything is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from thidua.errors import ActionRefused

from ... import actions
from .export_dossier import user_named


class Command(BaseCommand):
    help = "Verify and import a signed dossier package (.zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", required=True, help="the receiving officer's account")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            user = user_named(options["user"])
            try:
                content = Path(options["path"]).read_bytes()
            except OSError as failure:
                raise CommandError(str(failure)) from None
            try:
                dossier = actions.do_import_dossier(content=content, acting_user=user)
            except ActionRefused as refused:
                raise CommandError("\n".join([refused.message, *refused.details])) from None
            except PermissionDenied:
                raise CommandError(
                    _("%(name)s may not receive dossiers.") % {"name": options["user"]}
                ) from None
            self.stdout.write(
                _("Received: %(cluster)s, %(year)s, %(count)s nominations.")
                % {
                    "cluster": dossier.cluster_name,
                    "year": dossier.year,
                    "count": dossier.nominations.count(),
                }
            )
