"""`thidua recount FILE [--digest DIGEST]`: count a published ballot box again.

FILE is the box downloaded from a closed poll's results page. The command prints the count
and fails, naming each problem, when the file no longer has the digest it states or the one
given with --digest (the one the results page shows), when a receipt appears twice, when a
ballot breaks the poll's rules, or when the recount differs from the result the box states.
It reads only the file: it needs no account and no database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from thidua.voting import box
from thidua.voting.problems import describe


class Command(BaseCommand):
    help = "Count a published ballot box again and check it against its digest and result."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the ballot box (.json) of a closed poll")
        parser.add_argument("--digest", help="the digest the results page shows, to compare")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(
                _("The ballot box %(file)s cannot be read: %(error)s")
                % {"file": path, "error": error}
            ) from None
        if not isinstance(content, dict):
            content = {}
        result, problems = box.recount(content, options["digest"])
        if result is not None:
            self._print(content, result)
        if problems:
            raise CommandError("\n".join(describe(p) for p in problems))
        self.stdout.write(
            self.style.SUCCESS(
                _("The recount matches the published result; the box's digest is %(digest)s.")
                % {"digest": content["digest"]}
            )
        )

    def _print(self, content: dict[str, Any], result: Any) -> None:
        poll = content.get("poll", {})
        self.stdout.write(
            _("Poll: %(title)s (round %(round)s), %(cluster)s, %(year)s")
            % {
                "title": poll.get("title", ""),
                "round": poll.get("round", ""),
                "cluster": poll.get("cluster", ""),
                "year": poll.get("year", ""),
            }
        )
        self.stdout.write(
            _("Ballots: %(cast)s, of which blank: %(blank)s; members entitled to vote: %(n)s.")
            % {"cast": result.ballots_cast, "blank": result.blank_ballots, "n": result.entitled}
        )
        elected = set(result.elected)
        for candidate in content["candidates"]:
            number = int(candidate["number"])
            outcome = _("elected") if number in elected else ""
            self.stdout.write(
                f"{number}. {candidate['name']}: "
                + _("%(votes)s votes") % {"votes": result.counts[number]}
                + (f" — {outcome}" if outcome else "")
            )
