"""The one background task: run a job's work, keeping its row up to date."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from thidua.awards.importing import ImportRefused
from thidua.errors import ActionRefused

from .models import Job
from .progress import FileProgress, read_progress
from .work import WORK

log = logging.getLogger(__name__)


@task()
def run_job(job_id: str) -> str:
    """Do the job's work; its outcome (or why it failed) is stored on the job."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    progress = FileProgress(job.pk)
    with override(job.params.get("language", "vi")):
        try:
            outcome = WORK[job.kind](job, progress)
        except ImportRefused as refused:
            job.status, job.problems = Job.Status.FAILED, refused.messages
            job.message = _("Nothing was imported.")
        except ActionRefused as refused:
            job.status, job.message = Job.Status.FAILED, refused.message
        except Exception:
            log.exception("job %s failed", job.pk)
            job.status, job.message = Job.Status.FAILED, _("The work failed; nothing was kept.")
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
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "message",
            "problems",
            "output",
            "output_name",
            "finished_at",
            "done",
            "total",
        ]
    )
    return str(job.status)
