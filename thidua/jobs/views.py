"""A job's page, its progress fragment (which htmx polls while the job runs), its file, and
trying it again when it failed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua.access import SignedInRequest
from thidua.errors import refusal_told

from . import problems
from .actions import do_retry_job
from .health import last_worker_heartbeat
from .models import Job
from .progress import read_progress
from .reads import job_for


def _namespace(request: SignedInRequest) -> str:
    # Wherever these pages are mounted (awards:jobs, jobs ...), links stay among them.
    return request.resolver_match.namespace if request.resolver_match else "jobs"


def _context(request: SignedInRequest, job: Job) -> dict[str, object]:
    done, total = job.done, job.total
    if not job.finished:
        last = read_progress(job.pk)
        if last is not None:
            done, total = last["done"], last["total"]
    percent = 100 if job.status == Job.Status.DONE else (100 * done // total if total else 0)
    namespace = _namespace(request)
    return {
        "job": job,
        "no_worker": problems.no_worker() if _waits_for_no_worker(job) else "",
        "done": done,
        "total": total,
        "percent": percent,
        "progress_url": reverse(f"{namespace}:progress", kwargs={"pk": job.pk}),
        "output_url": reverse(f"{namespace}:output", kwargs={"pk": job.pk}),
        "retry_url": reverse(f"{namespace}:retry", kwargs={"pk": job.pk}),
    }


def _waits_for_no_worker(job: Job) -> bool:
    """A job waits, and no worker has beaten lately: say so rather than wait in silence."""
    if job.status != Job.Status.QUEUED:
        return False
    seen = last_worker_heartbeat()
    stale = settings.THIDUA_WORKER_STALE_AFTER
    return seen is None or (timezone.now() - seen).total_seconds() > stale


@login_required
def job_detail(request: SignedInRequest, pk: str) -> HttpResponse:
    return render(request, "jobs/job.html", _context(request, job_for(request.user, pk)))


@login_required
def job_progress(request: SignedInRequest, pk: str) -> HttpResponse:
    return render(request, "jobs/_progress.html", _context(request, job_for(request.user, pk)))


@login_required
def job_output(request: SignedInRequest, pk: str) -> FileResponse:
    job = job_for(request.user, pk)
    if not job.output:
        raise Http404
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=job.output_name)


@login_required
@require_POST
def job_retry(request: SignedInRequest, pk: str) -> HttpResponse:
    job = job_for(request.user, pk)
    with refusal_told(request):
        do_retry_job(job, acting_user=request.user)
        messages.success(request, _("The job is queued again."))
    return redirect(f"{_namespace(request)}:detail", pk=job.pk)
