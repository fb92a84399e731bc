"""`python -m thidua.jobs.tests.slow_worker worker [options]`: `thidua worker`, for the tests,
with the award-history import pausing THIDUA_TEST_PAUSE seconds at each step of its writing,
so that a test can stop the worker in the middle of the import's transaction."""

from __future__ import annotations

import dataclasses
import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings.test")
    django.setup()
    from django.core.management import execute_from_command_line

    from thidua.award_history.hooks import IMPORT_HISTORY
    from thidua.jobs import registry
    from thidua.jobs.models import Job
    from thidua.jobs.progress import Progress
    from thidua.jobs.registry import Outcome

    pause = float(os.environ.get("THIDUA_TEST_PAUSE", "600"))
    kind = registry.get(IMPORT_HISTORY)
    import_history = kind.work

    def slow_import(job: Job, progress: Progress) -> Outcome:
        def step(done: int, total: int) -> None:
            progress(done, total)
            if done < total:
                time.sleep(pause)

        return import_history(job, step)

    registry.KINDS[kind.kind] = dataclasses.replace(kind, work=slow_import)
    execute_from_command_line(["thidua", *sys.argv[1:]])


if __name__ == "__main__":
    main()
