"""What each kind of job does: the same functions the pages and commands call, with a
progress callback. Each returns a message for the user and, if any, a file produced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from thidua.lib.numbers import format_number

from .models import Job
from .progress import Progress


@dataclass(frozen=True)
class Outcome:
    message: str
    content: bytes | None = None
    file_name: str = ""


def import_history(job: Job, progress: Progress) -> Outcome:
    from thidua.awards.actions import do_import_history

    with job.upload.open("rb") as upload:
        content = upload.read()
    batch = do_import_history(
        content,
        file_name=job.params.get("file_name", "import.xlsx"),
        acting_user=job.created_by,
        progress=progress,
    )
    return Outcome(_("%(count)s award records imported.") % {"count": format_number(batch.rows)})


def check_eligibility(job: Job, progress: Progress) -> Outcome:
    from thidua.conference import national

    year = int(job.params["year"])
    content = national.proposal_list(year, progress=progress)
    return Outcome(
        _("Every proposal of %(year)s is checked; the list is ready.") % {"year": year},
        content,
        f"xet-dieu-kien-{year}.xlsx",
    )


def national_report(job: Job, progress: Progress) -> Outcome:
    from thidua.conference import national

    year = int(job.params["year"])
    found = national.summary(year, progress=progress)
    return Outcome(
        _("The national summary of %(year)s is ready.") % {"year": year},
        national.report_docx(found),
        f"bao-cao-tong-hop-{year}.docx",
    )


WORK: dict[str, Callable[[Job, Progress], Outcome]] = {
    Job.Kind.IMPORT_HISTORY: import_history,
    Job.Kind.CHECK_ELIGIBILITY: check_eligibility,
    Job.Kind.NATIONAL_REPORT: national_report,
}
