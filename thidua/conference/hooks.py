"""The background job the conference area registers: the national summary report."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.jobs.models import Job
from thidua.jobs.progress import Progress
from thidua.jobs.registry import Outcome, register

from . import national

# The kind of job conference registers (the value stored in Job.kind).
NATIONAL_REPORT = "national_report"


def national_report(job: Job, progress: Progress) -> Outcome:
    year = int(job.params["year"])
    found = national.summary(year, progress=progress)
    return Outcome(
        _("The national summary of %(year)s is ready.") % {"year": year},
        national.report_docx(found),
        f"bao-cao-tong-hop-{year}.docx",
    )


def register_jobs() -> None:
    register(
        NATIONAL_REPORT,
        label=gettext_lazy("National summary report"),
        permission="conference.national_report",
        work=national_report,
    )
