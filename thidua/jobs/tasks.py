"""The one background task: run a job's work, keeping its row up to date.

What becomes of the file a job was given (`Job.upload`): it is deleted when the job ends done,
or refused (the file itself is wrong: a retry would be refused again, so the user uploads a
corrected one). After any other failure — the worker stopped mid-way (`actions.
do_fail_abandoned_jobs`), an error of the server — the file stays, and "try again"
(`actions.do_retry_job`) runs the same job again on it, without a new upload; that run ends by
the same rule. A failed job nobody retries loses its file to `thidua prune_jobs` after
`--inputs-days`, and its row after `--days`.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from thidua.errors import ActionRefused

from . import problems, registry, rules
from .models import Job
from .progress import FileProgress, read_progress

log = logging.getLogger(__name__)

# The id of the worker (`thidua worker`) running this process's tasks; empty elsewhere.
current_worker: contextvars.ContextVar[str] = contextvars.ContextVar("current_worker", default="")


def has_input(job: Job) -> bool:
    return bool(job.upload) and job.upload.storage.exists(job.upload.name)


def discard_input(job: Job) -> None:
    if job.upload:
        job.upload.storage.delete(job.upload.name)


@task()
def run_job(job_id: str) -> str:
    """Do the job's work; its outcome (or why it failed) is stored on the job."""
    worker = current_worker.get()
    # Only a job waiting to start is started: a job is never run twice at once.
    if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, worker=worker
    ):
        log.warning("job %s is not waiting to start; left as it is", job_id)
        return "skipped"
    job = Job.objects.select_related("created_by").get(pk=job_id)
    progress = FileProgress(job.pk)
    refused = False
    with override(job.params.get("language", "vi")):
        if job.takes_input and not has_input(job):
            job.status, job.message, refused = Job.Status.FAILED, problems.input_missing(), True
        else:
            try:
                outcome = registry.get(job.kind).work(job, progress)
            except registry.WorkRefused as refusal:
                job.status, job.problems, refused = Job.Status.FAILED, refusal.problems, True
                job.message = refusal.message
            except ActionRefused as refusal:
                job.status, job.message, refused = Job.Status.FAILED, refusal.message, True
            except Exception:
                log.exception("job %s failed", job.pk)
                job.status = Job.Status.FAILED
                job.message = _("The work failed; nothing was kept.")
            else:
                job.status, job.message = Job.Status.DONE, outcome.message
                if outcome.content is not None:
                    job.output_name = outcome.file_name
                    job.output.save(outcome.file_name, ContentFile(outcome.content), save=False)
    last = read_progress(job.pk)
    if last is not None:
        job.total = last["total"]
        job.done = last["total"] if job.status == Job.Status.DONE else min(last["done"], job.total)
    progress.remove()
    _finish(
        job,
        worker,
        keep_input=rules.keeps_input(done=job.status == Job.Status.DONE, refused=refused),
    )
    return str(job.status)


def _finish(job: Job, worker: str, *, keep_input: bool) -> None:
    """Store the outcome, unless the job was taken from this worker meanwhile.

    A worker judged gone whose job was then retried must not overwrite the retry. One judged
    gone too soon (its lease ran out while it lived) does store its outcome: it is the truth.
    """
    fields: dict[str, Any] = {
        "status": job.status,
        "message": job.message[:500],
        "problems": job.problems,
        "output": job.output.name or "",
        "output_name": job.output_name,
        "finished_at": timezone.now(),
        "done": job.done,
        "total": job.total,
    }
    if not keep_input:
        fields["upload"] = ""
    held = Job.objects.filter(
        pk=job.pk, worker=worker, status__in=[Job.Status.RUNNING, Job.Status.FAILED]
    )
    if held.update(**fields):
        if not keep_input:
            discard_input(job)
        return
    log.warning("job %s was taken from worker %r before it ended; outcome dropped", job.pk, worker)
    if job.output:
        job.output.storage.delete(job.output.name)
