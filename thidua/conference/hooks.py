"""Where the conference plugs in: the year's dashboard and the national report's job."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.award_history.models import Decision
from thidua.awards import documents as award_documents
from thidua.cycle import hooks
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.jobs import registry
from thidua.jobs.models import Job
from thidua.jobs.progress import Progress
from thidua.jobs.registry import Outcome, WorkRefused
from thidua.lib.numbers import format_number

from . import dossier, national
from .models import Comment, ReportVersion
from .problems import ACTIONS

# The conference can be prepared from the cross-check on; the draft is discussed from the
# conference phase until the proposals go up.
SHOWN_FROM = (Phase.CROSS_CHECK, Phase.CONFERENCE, Phase.VOTING, Phase.PROPOSALS, Phase.CLOSED)
DRAFTING = (Phase.CONFERENCE, Phase.VOTING, Phase.PROPOSALS)


def year_links(year: EmulationYear, user: Any) -> list[hooks.Link]:
    if year.phase not in SHOWN_FROM or not user.has_perm("conference.view", year):
        return []
    kwargs = {"slug": year.cluster.slug, "year": year.year}
    return [
        hooks.Link(_("Review conference"), reverse("conference:detail", kwargs=kwargs)),
        hooks.Link(_("Summary report"), reverse("conference:report", kwargs=kwargs)),
    ]


def member_todos(year: EmulationYear, memberships: Sequence[Membership]) -> dict[int, list[str]]:
    """Members that have not commented on the current draft yet, while it is open."""
    if year.phase not in DRAFTING:
        return {}
    latest = (
        ReportVersion.objects.filter(report__year=year, report__final_version__isnull=True)
        .order_by("-number")
        .first()
    )
    if latest is None:
        return {}
    commented = set(
        Comment.objects.filter(version__report=latest.report).values_list(
            "organization_id", flat=True
        )
    )
    todo = _("Comment on the draft summary report")
    return {m.organization_id: [todo] for m in memberships if m.organization_id not in commented}


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


CERTIFICATES = award_documents.CERTIFICATES_JOB


def certificates(job: Job, progress: Progress) -> Outcome:
    """A decision's certificates as one PDF for the print shop (a batch too big for a page to
    wait for). Whoever started it must still be the decision's deciding authority."""
    decision = Decision.objects.select_related("year__cluster").filter(pk=job.params["decision"])
    found = decision.first()
    if found is None or not job.created_by.has_perm("awards.decide", found.year):
        message = _("The decision is gone, or it is no longer yours to print.")
        raise WorkRefused(message, [message])
    paper = award_documents.PAPERS.get(job.params.get("paper", "a4"), award_documents.PAPERS["a4"])
    data = award_documents.certificates_pdf(found, paper=paper, progress=progress)
    count = award_documents.holder_count(found)
    return Outcome(
        _("The %(count)s certificates of decision %(number)s are ready, one page each.")
        % {"count": format_number(count), "number": found.number},
        data,
        award_documents.certificates_filename(found),
    )


def register() -> None:
    """Plug the conference into the year and the jobs (called from ConferenceConfig.ready)."""
    hooks.register(year_links=year_links, member_todos=member_todos)
    hooks.describe_actions(gettext_lazy("Review conference"), ACTIONS)
    # A decision and its certificates print through the cluster's own Word template, if any.
    if dossier.decision_template not in award_documents.template_sources:
        award_documents.template_sources.append(dossier.decision_template)
    registry.register(
        NATIONAL_REPORT,
        label=gettext_lazy("National summary report"),
        permission="conference.national_report",
        work=national_report,
    )
    # Started from the decision page, whose view checks `awards.decide` on the year.
    registry.register(
        CERTIFICATES,
        label=gettext_lazy("Certificates of a decision"),
        permission="awards.manage_history",
        work=certificates,
    )
