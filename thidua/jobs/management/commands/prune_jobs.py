"""`thidua prune_jobs --days 30 --inputs-days 7`: delete what old background work left behind.

Task results and jobs finished more than `--days` ago, with their files; the file a failed job
kept for a retry nobody made, after `--inputs-days`; progress files of jobs no longer running;
heartbeats of workers gone; job files no job refers to. It also fails the jobs of workers gone,
as a worker does. Safe to run at any time and as often as wanted (a systemd timer, daily).
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.jobs.actions import do_fail_abandoned_jobs, do_prune_jobs


def days(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ArgumentTypeError("must be zero or more")
    return number


class Command(BaseCommand):
    help = "Delete old finished background jobs, their task results and files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=days, default=30, help="keep finished work this long (default 30)"
        )
        parser.add_argument(
            "--inputs-days",
            type=days,
            default=7,
            help="keep a failed job's file for a retry this long (default 7, at most --days)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inputs_days"] > options["days"]:
            raise CommandError("--inputs-days cannot be longer than --days.")
        reaped = do_fail_abandoned_jobs()
        pruned = do_prune_jobs(days=options["days"], inputs_days=options["inputs_days"])
        if options["verbosity"]:
            self.stdout.write(
                f"{len(reaped.jobs)} job(s) of workers gone failed; deleted "
                f"{pruned.task_results} task result(s), {pruned.jobs} job(s), "
                f"{pruned.inputs} kept input file(s), {pruned.files} other file(s)."
            )
