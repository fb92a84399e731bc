"""`thidua export_dossier --cluster SLUG --year YYYY --user USERNAME --output PATH`.

The secretariat's officer USERNAME signs, with the agency certificate of the cluster head
(`--identity ID`, else the head's only active one), the year's proposal as one package and
writes it to PATH. The leader must have signed the Tờ trình first (the dossier page). A token's
PIN is read from THIDUA_SIGNING_PIN, or asked when the command runs in a terminal.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused
from thidua.signing.models import SigningIdentity

from ... import actions


def pin_for(identity: SigningIdentity) -> str | None:
    if identity.backend != SigningIdentity.Backend.PKCS11:
        return None
    given = os.environ.get("THIDUA_SIGNING_PIN")
    if given:
        return given
    if sys.stdin.isatty():
        return getpass.getpass(_("Token PIN: "))
    raise CommandError(_("The certificate is on a token: give its PIN in THIDUA_SIGNING_PIN."))


def user_named(username: str) -> Any:
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(_("No active account is named %(name)s.") % {"name": username}) from None


class Command(BaseCommand):
    help = "Write the year's proposal as a signed dossier package (.zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cluster", required=True, help="the cluster's slug")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--user", required=True, help="the secretariat officer's account")
        parser.add_argument("--identity", type=int, help="the agency certificate's number")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._export(**options)

    def _export(self, **options: Any) -> None:
        year = (
            EmulationYear.objects.select_related("cluster", "cluster__supervisor")
            .filter(cluster__slug=options["cluster"], year=options["year"])
            .first()
        )
        if year is None:
            raise CommandError(
                _("The cluster %(cluster)s has no year %(year)s.")
                % {"cluster": options["cluster"], "year": options["year"]}
            )
        user = user_named(options["user"])
        try:
            sender = actions.sender_of(year)
            found = SigningIdentity.objects.filter(owner_org=sender, active=True)
            if options["identity"] is not None:
                found = found.filter(pk=options["identity"])
            identities = list(found[:2])
            if len(identities) != 1:
                raise CommandError(
                    _("Choose the agency certificate of %(agency)s with --identity.")
                    % {"agency": sender.name}
                )
            identity = identities[0]
            sent = actions.do_export_dossier(
                year=year, identity=identity, secret=pin_for(identity), acting_user=user
            )
        except ActionRefused as refused:
            raise CommandError(" ".join([refused.message, *refused.details])) from None
        except PermissionDenied:
            raise CommandError(
                _("%(name)s may not send the cluster's dossier.") % {"name": options["user"]}
            ) from None
        with sent.package.open("rb") as stored:
            options["output"].write_bytes(stored.read())
        self.stdout.write(str(options["output"]))
