"""Finding a job for the person asking: its page, its file, its retry and the API's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from .models import Job


def job_for(user: Any, pk: Any) -> Job:
    """The job, for the user who started it (or the operator); 404 for anyone else, and for
    an id that is not a job's."""
    try:
        job = Job.objects.get(pk=pk)
    except (Job.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    if job.created_by_id != user.pk and not user.is_superuser:
        raise Http404
    return job
