"""Starting a job, trying a failed one again, failing those whose worker is gone, and pruning.

Each is checked, recorded, and hands work to the worker only once its transaction commits.
A job whose worker died is failed, not run again by itself: work that kills its worker (a
file too large for the server's memory) would kill the next one too. The user sees why it
failed and tries again with one button; the file given is kept for that (see tasks.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django_tasks_db.models import DBTaskResult

from thidua import access
from thidua.audit.record import record
from thidua.errors import ActionRefused, Refusal
from thidua.lib.text import normalize

from . import problems, registry, rules
from .health import heartbeat_folder, worker_beats
from .heartbeat import Beat
from .models import Job
from .progress import progress_path, read_progress

if TYPE_CHECKING:
    from thidua.orgs.models import User

log = logging.getLogger(__name__)

RUN_JOB = "thidua.jobs.tasks.run_job"
# What a task result failed for want of its worker says it failed of.
WORKER_LOST = "thidua.jobs.worker.WorkerLost"


@transaction.atomic
def do_start_job(
    kind: str,
    *,
    acting_user: User,
    params: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
) -> Job:
    """Queue a job of `kind`; the worker (`thidua worker`) runs it."""
    from .tasks import run_job

    access.require(acting_user, registry.get(kind).permission)
    params = {**(params or {}), "language": get_language() or "vi"}
    if upload is not None:
        params["file_name"] = normalize(upload.name or "")[:255]
    job = Job(kind=kind, params=params, created_by=acting_user)
    if upload is not None:
        job.upload.save(params["file_name"] or "upload", upload, save=False)
    job.save()
    record("job.start", job, actor=acting_user, after={"kind": kind, "params": params})
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


@transaction.atomic
def do_retry_job(job: Job, *, acting_user: User) -> Job:
    """Queue a failed job again, on the file it was given if it takes one."""
    from .tasks import has_input, run_job

    access.require(acting_user, registry.get(job.kind).permission)
    if job.created_by_id != acting_user.pk and not acting_user.is_superuser:
        raise PermissionDenied("jobs.retry")
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != Job.Status.FAILED:
        raise ActionRefused(problems.not_failed(), kind=Refusal.NOT_FAILED)
    if job.takes_input and not has_input(job):
        raise ActionRefused(problems.input_gone(), kind=Refusal.INPUT_GONE)
    before = {"status": job.status, "message": job.message, "worker": job.worker}
    job.status, job.message, job.problems = Job.Status.QUEUED, "", []
    job.done = job.total = 0
    job.worker, job.finished_at = "", None
    job.params = {**job.params, "language": get_language() or "vi"}
    job.save(
        update_fields=[
            "status", "message", "problems", "done", "total", "worker", "finished_at", "params"
        ]
    )  # fmt: skip
    record("job.retry", job, actor=acting_user, before=before, after={"status": job.status})
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


@dataclass(frozen=True)
class Reaped:
    """What `do_fail_abandoned_jobs` found: the workers gone, and what they held."""

    workers: frozenset[str]
    jobs: tuple[str, ...]
    tasks: tuple[str, ...]


def _last_worker(result: DBTaskResult) -> str:
    return str(result.worker_ids[-1]) if result.worker_ids else ""


def _job_of(result: DBTaskResult) -> str | None:
    if result.task_path != RUN_JOB:
        return None
    args = (result.args_kwargs or {}).get("args") or []
    return str(args[0]) if args else None


def holding_workers() -> set[str]:
    """The workers that hold a running job or task."""
    jobs = Job.objects.filter(status=Job.Status.RUNNING).exclude(worker="")
    holders = set(jobs.values_list("worker", flat=True))
    for worker_ids in DBTaskResult.objects.running().values_list("worker_ids", flat=True):
        if worker_ids:
            holders.add(str(worker_ids[-1]))
    return holders


def do_fail_abandoned_jobs(*, beats: Mapping[str, Beat] | None = None) -> Reaped:
    """Fail the jobs and task results of every worker whose lease ran out.

    Also a running job no worker is recorded for (run by a plain `db_worker`, or before
    workers were recorded) once no running task is doing it. Each job is failed in its own
    transaction, audited, with the worker's last progress; its file is kept for a retry.
    """
    beats = worker_beats() if beats is None else beats
    now = time.time()
    running = list(
        DBTaskResult.objects.running().only("id", "worker_ids", "task_path", "args_kwargs")
    )
    dead = rules.dead_workers(holding_workers(), beats, now)
    lost = [result for result in running if _last_worker(result) in dead or not result.worker_ids]
    lost_ids = {result.pk for result in lost}
    being_done = {_job_of(result) for result in running if result.pk not in lost_ids}
    if lost:
        _fail_task_results(lost, beats)

    running_jobs = Job.objects.filter(status=Job.Status.RUNNING)
    suspects = {str(pk) for pk in running_jobs.filter(worker__in=dead).values_list("pk", flat=True)}
    unowned = {str(pk) for pk in running_jobs.filter(worker="").values_list("pk", flat=True)}
    suspects |= unowned - being_done
    suspects |= {job for result in lost if (job := _job_of(result)) is not None}
    failed = [pk for pk in sorted(suspects) if _fail_job(pk, dead)]
    if failed or lost:
        log.warning(
            "failed %d job(s) and %d task(s) of worker(s) gone: %s",
            len(failed), len(lost), ", ".join(sorted(dead)) or "-",
        )  # fmt: skip
    return Reaped(frozenset(dead), tuple(failed), tuple(str(pk) for pk in lost_ids))


def _fail_task_results(lost: list[DBTaskResult], beats: Mapping[str, Beat]) -> None:
    for result in lost:
        worker = _last_worker(result)
        beat = beats.get(worker)
        last = dt.datetime.fromtimestamp(beat.at, tz=dt.UTC).isoformat() if beat else "never"
        DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            return_value=None,
            exception_class_path=WORKER_LOST,
            traceback=f"Worker {worker or '?'} stopped while running this task "
            f"(last heartbeat: {last}); nothing it did was kept.\n",
        )


@transaction.atomic
def _fail_job(pk: str, dead: set[str]) -> bool:
    try:
        job = Job.objects.select_for_update().filter(pk=pk).first()
    except ValidationError:  # a task result naming no job: only the result is failed
        return False
    if job is None or job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return False
    if job.status == Job.Status.RUNNING and job.worker and job.worker not in dead:
        return False  # the worker came back to life, or the job was retried and started
    with override(job.params.get("language", "vi")):
        job.message = problems.worker_lost()
    last = read_progress(job.pk)
    if last is not None:
        job.total, job.done = last["total"], min(last["done"], last["total"])
    before = {"status": job.status, "worker": job.worker}
    job.status, job.finished_at = Job.Status.FAILED, timezone.now()
    job.save(update_fields=["status", "message", "done", "total", "finished_at"])
    record(
        "job.fail",
        job,
        actor=None,
        before=before,
        after={"status": job.status, "reason": "worker_lost"},
    )
    transaction.on_commit(lambda: progress_path(job.pk).unlink(missing_ok=True))
    return True


@dataclass(frozen=True)
class Pruned:
    task_results: int
    jobs: int
    inputs: int
    files: int  # progress, heartbeat and unreferenced job files


def do_prune_jobs(*, days: int, inputs_days: int) -> Pruned:
    """Delete what finished work leaves behind, once past its keeping.

    Task results and jobs finished more than `days` ago (with their files); the file kept for a
    retry by a job that failed more than `inputs_days` ago; progress files of jobs no longer
    running; heartbeats of workers gone for `days`; and job files no job refers to (left by a
    start that did not commit). Running more than once changes nothing more.
    Housekeeping of finished work, not a change of it: not audited (the start, the retry and
    the failure of each job are).
    """
    from django.core.management import call_command

    now = timezone.now()
    cutoff, inputs_cutoff = now - dt.timedelta(days=days), now - dt.timedelta(days=inputs_days)
    finished = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff)
    task_results = finished.count()
    call_command("prune_db_task_results", min_age_days=days, queue_name="*", verbosity=0)

    old = Job.objects.filter(
        status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lte=cutoff
    )
    jobs = 0
    for job in old.iterator():
        for file in (job.upload, job.output):
            if file:
                file.storage.delete(file.name)
        jobs += Job.objects.filter(pk=job.pk, status=job.status).delete()[0]

    inputs = 0
    kept = Job.objects.filter(status=Job.Status.FAILED, finished_at__lte=inputs_cutoff).exclude(
        upload=""
    )
    for job in kept.iterator():
        job.upload.storage.delete(job.upload.name)
        inputs += Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(upload="")

    files = _prune_progress() + _prune_heartbeats(cutoff) + _prune_unreferenced(cutoff)
    return Pruned(task_results, jobs, inputs, files)


def _files(folder: Path) -> list[Path]:
    try:
        return [path for path in folder.rglob("*") if path.is_file()]
    except OSError:
        return []


def _older_than(path: Path, cutoff: dt.datetime) -> bool:
    try:
        return path.stat().st_mtime < cutoff.timestamp()
    except OSError:
        return False


def _prune_progress() -> int:
    folder = progress_path("x").parent
    live = {
        str(pk)
        for pk in Job.objects.filter(
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).values_list("pk", flat=True)
    }
    # A partial (.tmp) file a minute old was left by a writer that died mid-write.
    stale = timezone.now() - dt.timedelta(minutes=1)
    gone = [
        path
        for path in _files(folder)
        if path.name.split(".", 1)[0] not in live and _older_than(path, stale)
    ]
    for path in gone:
        path.unlink(missing_ok=True)
    return len(gone)


def _prune_heartbeats(cutoff: dt.datetime) -> int:
    beats = worker_beats()
    gone = [
        path
        for path in _files(heartbeat_folder())
        if _older_than(path, cutoff)
        and not rules.is_alive(beats.get(path.name.split(".", 1)[0]), time.time())
    ]
    for path in gone:
        path.unlink(missing_ok=True)
    return len(gone)


def _prune_unreferenced(cutoff: dt.datetime) -> int:
    media = Path(settings.MEDIA_ROOT)
    referenced = {
        name for pair in Job.objects.values_list("upload", "output") for name in pair if name
    }
    gone = [
        path
        for folder in (media / "jobs" / "in", media / "jobs" / "out")
        for path in _files(folder)
        if path.relative_to(media).as_posix() not in referenced and _older_than(path, cutoff)
    ]
    for path in gone:
        path.unlink(missing_ok=True)
    return len(gone)
