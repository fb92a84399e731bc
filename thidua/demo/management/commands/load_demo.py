"""`thidua load_demo`: the reference cluster, into an empty database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from thidua.demo.play import database_is_empty, load_data, play


class Command(BaseCommand):
    help = "Load the demo (the reference cluster's 2016) into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when the database already holds data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.THIDUA_DEMO_ALLOWED:
            raise CommandError(
                "The demo is not loaded under these settings "
                f"({settings.SETTINGS_MODULE}): its accounts share a published password. "
                "Load it only with the settings of one machine (thidua.settings.dev)."
            )
        data = load_data()
        if not database_is_empty():
            if options["if_empty"]:
                self.stdout.write("The database already holds data; the demo was not loaded.")
                self._print_accounts(data)
                return
            raise CommandError(
                "The database already holds data: the demo loads only into an empty database. "
                "Use a new database (set DATABASE_URL, or remove var/thidua.sqlite3)."
            )
        # Commands run with translations off; what the demo writes is in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            demo = play(data)
        self.stdout.write(
            self.style.SUCCESS(f"Demo loaded: {demo.cluster.name}, {demo.year.year}.")
        )
        self._print_accounts(data)

    def _print_accounts(self, data: dict[str, Any]) -> None:
        from thidua.orgs.models import User

        self.stdout.write(f"\nDemo accounts (password for all: {data['password']}):")
        for user in User.objects.select_related("organization").order_by("username"):
            if user.is_superuser:
                role = "administrator"
            elif user.organization and user.organization.supervised_clusters.exists():
                # The clerk signs with the department's seal: a dossier's return is theirs.
                role = "supervisor" if user.is_leader else "supervisor's clerk"
            else:
                role = user.get_position_display()
            unit = user.organization.display_name if user.organization else "—"
            self.stdout.write(f"  {user.username:<22} {role:<40} {unit}")
        self.stdout.write("\nOpen http://127.0.0.1:8000/ and log in with one of them.")
