"""Starting a job: checked, recorded, and handed to the worker once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import get_language

from thidua import access
from thidua.audit.record import record
from thidua.lib.text import normalize

from .models import Job

# Who may start each kind of job.
PERMISSIONS = {
    Job.Kind.IMPORT_HISTORY: "awards.manage_history",
    Job.Kind.CHECK_ELIGIBILITY: "conference.national_report",
    Job.Kind.NATIONAL_REPORT: "conference.national_report",
}


@transaction.atomic
def do_start_job(
    kind: str,
    *,
    acting_user: Any,
    params: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
) -> Job:
    """Queue a job of `kind`; the worker (`thidua db_worker`) runs it."""
    from .tasks import run_job

    access.require(acting_user, PERMISSIONS[Job.Kind(kind)])
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
