"""The background worker (`thidua worker`): django_tasks_db's, holding a lease on its jobs.

It renews a heartbeat (heartbeat.py) while it lives. On start-up it fails the jobs of every
worker gone (a SIGKILL, a crash, a lost machine), first waiting — at most one lease — for
the workers holding jobs to show whether they still live; then, every heartbeat while it
waits for work, it does so again. On SIGTERM or Ctrl+C it finishes the job it is doing (a
second signal interrupts it), writes its last heartbeat and fails whatever it still held.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from dataclasses import replace
from types import TracebackType

from django.conf import settings
from django.db import close_old_connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import rules
from .actions import do_fail_abandoned_jobs, holding_workers
from .health import heartbeat_folder, worker_beats
from .heartbeat import first_beat, last_beat, write_beat
from .tasks import current_worker

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
LEASE_SECONDS = 30.0


def heartbeat_seconds() -> float:
    return float(getattr(settings, "THIDUA_WORKER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))


def lease_seconds() -> float:
    return float(getattr(settings, "THIDUA_WORKER_LEASE_SECONDS", LEASE_SECONDS))


class WorkerLost(Exception):
    """A task result's worker stopped while running it (the class named in the result)."""


class Heartbeat:
    """While entered, the worker's heartbeat is renewed by a child process."""

    def __init__(self, worker: str, *, every: float, lease: float) -> None:
        self.folder = heartbeat_folder()
        self.beat = first_beat(worker, lease=lease)
        self.every = every
        self.child: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Heartbeat:
        write_beat(self.folder, replace(self.beat, at=time.time()))  # alive before it claims
        self.child = subprocess.Popen(
            [sys.executable, "-m", "thidua.jobs.heartbeat", str(self.folder), self.beat.worker,
             str(self.every), str(self.beat.lease), str(self.beat.pid)],
            stdin=subprocess.PIPE,
        )  # fmt: skip
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.child is not None:
            assert self.child.stdin is not None
            self.child.stdin.close()  # the child's signal to end
            try:
                self.child.wait(timeout=self.every + 5)
            except subprocess.TimeoutExpired:
                self.child.kill()
                self.child.wait()
        write_beat(self.folder, last_beat(self.beat))

    def keep_alive(self) -> None:
        """Start the child again if it ended (killed on its own): the lease must not run out."""
        if self.child is not None and self.child.poll() is not None:
            log.warning(
                "the heartbeat process ended (%s); starting it again", self.child.returncode
            )
            self.__enter__()


class Worker(DatabaseWorker):
    """django_tasks_db's worker, with a heartbeat and the failing of jobs whose worker is gone."""

    def __init__(self, *, heartbeat: float, lease: float, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.heartbeat = Heartbeat(self.worker_id, every=heartbeat, lease=lease)
        self.reap_every = heartbeat
        self.reaped_at = 0.0

    def run(self) -> None:
        current_worker.set(self.worker_id)
        try:
            with self.heartbeat:
                self.settle()
                self.work()
        finally:
            # Its last heartbeat says it stopped: what it still held (a job interrupted by a
            # second signal) is failed now rather than at the next start.
            self.reap()

    def reap(self) -> None:
        """Fail the jobs of workers gone; a database that does not answer is asked next time."""
        self.reaped_at = time.monotonic()
        try:
            do_fail_abandoned_jobs()
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
            log.info("database locked; jobs of workers gone are looked for later")

    def settle(self) -> None:
        """On start-up: wait until every worker holding jobs renews its lease or loses it.

        A worker killed a moment ago looks alive until its lease runs out; its jobs are failed
        then, at most one lease after this start, before this worker takes any work.
        """
        since = time.time()
        while self.running:
            self.reap()
            close_old_connections()
            holders = holding_workers() - {self.worker_id}
            waiting = rules.undecided_workers(holders, worker_beats(), time.time(), since)
            if not waiting:
                return
            log.info("waiting for worker(s) %s to renew their lease", ", ".join(sorted(waiting)))
            time.sleep(min(self.reap_every, 1.0))

    def work(self) -> None:
        """django_tasks_db's loop (Worker.run), failing jobs of workers gone while it waits."""
        log.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        while self.running:
            close_old_connections()
            if time.monotonic() - self.reaped_at >= self.reap_every:
                self.reap()
            self.heartbeat.keep_alive()
            task_result, retrieved = self.claim()
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                log.info(
                    "No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id
                )
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                log.info(
                    "Run maximum tasks (%d) on worker=%s - exiting gracefully.",
                    self._run_tasks,
                    self.worker_id,
                )
                return
            close_old_connections()
            if self.running and not task_result:
                time.sleep(self.interval)

    def claim(self) -> tuple[DBTaskResult | None, bool]:
        """The next task, claimed for this worker (None if none), and whether the queue answered."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as error:
                if is_locked_database_exception(error):
                    return None, False
                raise
        return task_result, True
