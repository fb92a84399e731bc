"""`thidua worker`: run the background jobs, as `db_worker` does, holding a lease on them.

A name of its own: Django runs the `db_worker` of the first installed app that has one, and
django_tasks_db comes before thidua.jobs. Its options are db_worker's, and two more.
"""

from __future__ import annotations

import os
import re
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from thidua.jobs.worker import Worker, heartbeat_seconds, lease_seconds


def seconds(value: str) -> float:
    number = float(value)
    if not 0 < number < 3600:
        raise ArgumentTypeError("must be between 0 and 3600 seconds")
    return number


class Command(db_worker.Command):
    help = "Run the background jobs (imports, reports), renewing a heartbeat while it lives."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=seconds,
            default=None,
            help="Seconds between heartbeats (default: THIDUA_WORKER_HEARTBEAT_SECONDS, or 5).",
        )
        parser.add_argument(
            "--lease",
            type=seconds,
            default=None,
            help="Seconds without a heartbeat after which this worker's jobs are failed "
            "(default: THIDUA_WORKER_LEASE_SECONDS, or 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        heartbeat = options["heartbeat"] or heartbeat_seconds()
        lease = options["lease"] or lease_seconds()
        if lease < 2 * heartbeat:
            raise CommandError("The lease must be at least two heartbeats long.")
        # The id names the worker's heartbeat file.
        if not re.fullmatch(r"[A-Za-z0-9_-]+", options["worker_id"]):
            raise CommandError("A worker id is made of letters, digits, '-' and '_'.")
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            heartbeat=heartbeat,
            lease=lease,
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child runs the jobs
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
