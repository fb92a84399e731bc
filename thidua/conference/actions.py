"""Every change to the conference, its report, its templates and its news goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.cycle.actions import lock_year, normalize_block, require_phase
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock, uploads
from thidua.lib.text import normalize
from thidua.orgs.models import Organization

from . import content, documents, dossier, rules
from .models import (
    Attendee,
    Comment,
    Conference,
    DecisionDocumentKind,
    DocumentKind,
    DocumentTemplate,
    NewsArticle,
    Report,
    ReportVersion,
)
from .reads import latest_version, load

if TYPE_CHECKING:
    from thidua.orgs.models import User

OPEN_PHASES = tuple(p for p in Phase if p != Phase.CLOSED)
DRAFTING = (Phase.CONFERENCE, Phase.VOTING, Phase.PROPOSALS)


# --- the conference ---------------------------------------------------------------------------


@transaction.atomic
def do_set_conference(
    year: EmulationYear,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    host: Organization,
    venue: str,
    agenda: str = "",
    decisions: str = "",
    directions: str = "",
    closed_at: dt.time | None = None,
    acting_user: User,
) -> Conference:
    """Record (or correct) when and where the conference is, its agenda and its decisions."""
    access.require(acting_user, "conference.manage", year)
    year = lock_year(year)
    require_phase(year, *OPEN_PHASES)
    if ends_on < starts_on:
        raise ActionRefused(
            _("The conference cannot end before it starts."), kind=Refusal.BAD_PERIOD
        )
    if not Membership.objects.filter(year=year, organization=host).exists():
        raise ActionRefused(
            _("The host must be a member of the cluster this year."), kind=Refusal.INVALID
        )
    conference = Conference.objects.filter(year=year).first()
    before = snapshot(conference) if conference else None
    if conference is None:
        conference = Conference(year=year)
    conference.starts_on, conference.ends_on, conference.host = starts_on, ends_on, host
    conference.venue = normalize(venue)
    conference.agenda = normalize_block(agenda)
    conference.decisions = normalize_block(decisions)
    conference.directions = normalize_block(directions)
    # Minutes are all the minutes state; a zone given through the API is the local one.
    conference.closed_at = closed_at and closed_at.replace(second=0, microsecond=0, tzinfo=None)
    conference.full_clean(exclude=["year"])
    conference.save()
    record(
        "conference.set",
        conference,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(conference),
    )
    return conference


@transaction.atomic
def do_add_attendee(
    conference: Conference,
    *,
    name: str,
    position: str,
    unit: str,
    role: str = Attendee.Role.DELEGATE,
    organization: Organization | None = None,
    acting_user: User,
) -> Attendee:
    """Add someone to the conference's attendance, with the position held that day."""
    access.require(acting_user, "conference.manage", conference.year)
    year = lock_year(conference.year)
    require_phase(year, *OPEN_PHASES)
    if role == Attendee.Role.CHAIR and conference.attendees.filter(role=role).exists():
        raise ActionRefused(_("The conference already has a chair."), kind=Refusal.EXISTS)
    attendee = Attendee(
        conference=conference,
        name=normalize(name),
        position=normalize(position),
        unit=normalize(unit) or (organization.name if organization else ""),
        organization=organization,
        role=role,
        order=conference.attendees.count() + 1,
    )
    attendee.full_clean(exclude=["conference", "organization"])
    attendee.save()
    record(
        "conference.attendee_add", attendee, actor=acting_user, year=year, after=snapshot(attendee)
    )
    return attendee


@transaction.atomic
def do_remove_attendee(attendee: Attendee, *, acting_user: User) -> None:
    access.require(acting_user, "conference.manage", attendee.conference.year)
    year = lock_year(attendee.conference.year)
    require_phase(year, *OPEN_PHASES)
    # Recorded before the row goes, so the entry names it; the trail keeps what was there.
    record(
        "conference.attendee_remove",
        attendee,
        actor=acting_user,
        year=year,
        before=snapshot(attendee),
    )
    attendee.delete()


# --- the summary report -----------------------------------------------------------------------


def _open_report(year: EmulationYear) -> Report:
    report, _created = Report.objects.get_or_create(year=year)
    if report.is_final:
        raise ActionRefused(
            _("The report is final and can no longer be changed."), kind=Refusal.FINAL
        )
    return report


def _new_version(report: Report, sections: rules.Sections, note: str, user: Any) -> ReportVersion:
    last = report.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ReportVersion(
        report=report,
        number=last + 1,
        sections=sections,
        note=normalize(note)[:500],
        created_by=user,
        author_name=str(user),
        created_at=clock.now(),
    )
    version.save()
    return version


@transaction.atomic
def do_generate_report(year: EmulationYear, *, acting_user: User) -> ReportVersion:
    """A new version generated from the year's data; sections rewritten by hand are kept."""
    access.require(acting_user, "conference.manage", year)
    year = lock_year(year)
    require_phase(year, *DRAFTING)
    report = _open_report(year)
    generated = content.report_sections(load(year))
    previous = latest_version(year)
    sections = content.numbered(rules.carry_edits(previous.sections if previous else [], generated))
    if previous is not None and sections == previous.sections:
        raise ActionRefused(
            _("The data has not changed since the last version."), kind=Refusal.SAME
        )
    note = _("Generated from the year's data.")
    version = _new_version(report, sections, note, acting_user)
    record(
        "report.generate",
        version,
        actor=acting_user,
        year=year,
        after={"number": version.number, "sections": sections},
    )
    return version


@transaction.atomic
def do_revise_report(
    report: Report,
    *,
    texts: Mapping[str, str],
    note: str,
    based_on: int,
    acting_user: User,
) -> ReportVersion:
    """The secretariat's revision: a new version with the sections' new texts."""
    access.require(acting_user, "conference.manage", report.year)
    year = lock_year(report.year)
    require_phase(year, *DRAFTING)
    report = _open_report(year)
    previous = latest_version(year)
    if previous is None:
        raise ActionRefused(_("Generate the draft first."), kind=Refusal.NOTHING)
    if previous.number != based_on:
        raise ActionRefused(
            _("Version %(number)s was saved meanwhile: open it and revise that one.")
            % {"number": previous.number},
            kind=Refusal.STALE,
        )
    sections = rules.revise(previous.sections, {k: normalize_block(v) for k, v in texts.items()})
    changed = rules.changed_keys(previous.sections, sections)
    if not changed:
        raise ActionRefused(_("Nothing was changed."), kind=Refusal.SAME)
    version = _new_version(report, sections, note, acting_user)
    record(
        "report.revise",
        version,
        actor=acting_user,
        year=year,
        before={"number": previous.number},
        after={"number": version.number, "changed": changed, "note": version.note},
    )
    return version


@transaction.atomic
def do_comment(
    version: ReportVersion, *, section: str, kind: str, text: str, acting_user: User
) -> Comment:
    """A member unit comments on a section of the current draft, or proposes an addition."""
    year = lock_year(version.report.year)
    access.require(acting_user, "conference.comment", year)
    require_phase(year, *DRAFTING)
    _open_report(year)
    latest = latest_version(year)
    if latest is None or latest.pk != version.pk:
        raise ActionRefused(
            _("A newer version of the draft exists: comment on that one."), kind=Refusal.STALE
        )
    if section not in {s["key"] for s in version.sections}:
        raise ActionRefused(_("The draft has no such section."), kind=Refusal.INVALID)
    text = normalize_block(text)
    if not text:
        raise ActionRefused(_("Write the comment first."), kind=Refusal.MISSING)
    if kind not in Comment.Kind.values:
        raise ActionRefused(
            _("Choose whether this is a comment or a proposed addition."), kind=Refusal.MISSING
        )
    unit_id = access.roles_in_year(acting_user, year).own_member_org_id
    assert unit_id is not None  # conference.comment is granted to member staff only
    unit = Organization.objects.get(pk=unit_id)
    comment = Comment.objects.create(
        version=version,
        section=section,
        kind=kind,
        text=text,
        organization=unit,
        author=acting_user,
        author_name=str(acting_user),
        created_at=clock.now(),
    )
    record("report.comment", comment, actor=acting_user, year=year, after=snapshot(comment))
    return comment


@transaction.atomic
def do_finalise_report(report: Report, *, acting_user: User) -> Report:
    """Lock the latest version as the final report: nothing can change it afterwards."""
    access.require(acting_user, "conference.manage", report.year)
    year = lock_year(report.year)
    require_phase(year, *DRAFTING)
    report = _open_report(year)
    latest = latest_version(year)
    if latest is None:
        raise ActionRefused(_("Generate the draft first."), kind=Refusal.NOTHING)
    report.final_version = latest
    report.finalised_at = clock.now()
    report.finalised_by = acting_user
    report.save()
    record(
        "report.finalise",
        report,
        actor=acting_user,
        year=year,
        after={"final_version": latest.number},
    )
    return report


# --- Word templates ---------------------------------------------------------------------------


def _may_change_template(year: EmulationYear, kind: str, acting_user: User) -> EmulationYear:
    """The year, locked, if the user may change its cluster's template for `kind`: the
    secretariat the conference's documents while the year is open, the deciding authority
    the decision's and the certificates' whenever it decides."""
    if kind in DecisionDocumentKind.values:
        access.require(acting_user, "awards.decide", year)
        return lock_year(year)
    access.require(acting_user, "conference.manage", year)
    year = lock_year(year)
    require_phase(year, *OPEN_PHASES)
    if kind not in DocumentKind.values:
        raise ActionRefused(_("Unknown document: %(kind)s.") % {"kind": kind}, kind=Refusal.INVALID)
    return year


@transaction.atomic
def do_upload_template(
    year: EmulationYear, *, kind: str, filename: str, data: bytes, acting_user: User
) -> DocumentTemplate:
    """Use a user's Word template for one kind of document, if it works with thidua's data.

    A refused template stores nothing: the previous one stays in use.
    """
    year = _may_change_template(year, kind, acting_user)
    problem = uploads.size_problem(filename, len(data), "template")
    if problem:
        raise ActionRefused(problem, kind=Refusal.SIZE)
    problems = documents.template_problems(
        data,
        dossier.sample_context(year, kind),
        required=dossier.required_placeholders(kind),
        allowed=dossier.allowed_placeholders(kind),
    )
    if problems:
        raise ActionRefused(" ".join(problems), kind=Refusal.BAD_TEMPLATE)
    template = DocumentTemplate.objects.create(
        cluster=year.cluster,
        kind=kind,
        filename=normalize(filename)[:255],
        content=data,
        uploaded_by=acting_user,
        uploaded_at=clock.now(),
    )
    record(
        "template.upload",
        template,
        actor=acting_user,
        year=year,
        after={"kind": kind, "filename": template.filename, "bytes": len(data)},
    )
    return template


@transaction.atomic
def do_reset_template(year: EmulationYear, *, kind: str, acting_user: User) -> int:
    """Go back to thidua's own layout for `kind`; the uploaded files are kept, retired."""
    year = _may_change_template(year, kind, acting_user)
    retired = DocumentTemplate.objects.filter(
        cluster=year.cluster, kind=kind, retired_at__isnull=True
    ).update(retired_at=clock.now())
    record(
        "template.reset",
        year,
        actor=acting_user,
        year=year,
        after={"kind": kind, "retired": retired},
    )
    return retired


# --- news -------------------------------------------------------------------------------------


@transaction.atomic
def do_draft_conference_article(year: EmulationYear, *, acting_user: User) -> NewsArticle:
    """thidua writes the conference's article from the data, as a draft to edit."""
    access.require(acting_user, "conference.manage", year)
    year = lock_year(year)
    require_phase(year, *OPEN_PHASES)
    story = load(year)
    if story.conference is None:
        raise ActionRefused(_("The conference has not been recorded yet."), kind=Refusal.NOTHING)
    title, paragraphs = content.conference_article(story)
    article = NewsArticle.objects.create(
        year=year,
        cluster=year.cluster,
        title=title[:300],
        body="\n\n".join(paragraphs),
        is_conference_article=True,
        created_by=acting_user,
        updated_at=clock.now(),
    )
    record("news.draft", article, actor=acting_user, year=year, after=snapshot(article))
    return article


def _clean_body(body: str) -> str:
    paragraphs = [normalize_block(p) for p in body.replace("\r\n", "\n").split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


@transaction.atomic
def do_save_article(
    year: EmulationYear,
    *,
    title: str,
    body: str,
    article: NewsArticle | None = None,
    acting_user: User,
) -> NewsArticle:
    """Write a new article of the cluster or edit one (published ones stay published)."""
    access.require(acting_user, "conference.manage", year)
    year = lock_year(year)
    require_phase(year, *OPEN_PHASES)
    if article is not None and article.year_id != year.pk:
        raise ActionRefused(_("The article belongs to another year."), kind=Refusal.INVALID)
    before = snapshot(article) if article else None
    if article is None:
        article = NewsArticle(year=year, cluster=year.cluster, created_by=acting_user)
    article.title = normalize(title)
    article.body = _clean_body(body)
    if not article.title or not article.body:
        raise ActionRefused(_("An article needs a title and a text."), kind=Refusal.MISSING)
    article.updated_at = clock.now()
    article.full_clean(exclude=["year", "cluster", "created_by"])
    article.save()
    record(
        "news.save", article, actor=acting_user, year=year, before=before, after=snapshot(article)
    )
    return article


@transaction.atomic
def do_publish_article(
    article: NewsArticle, *, publish: bool = True, acting_user: User
) -> NewsArticle:
    """Put the article on the cluster's public news page, or take it off."""
    access.require(acting_user, "conference.manage", article.year)
    year = lock_year(article.year)
    require_phase(year, *OPEN_PHASES)
    before = snapshot(article)
    if publish:
        article.status = NewsArticle.Status.PUBLISHED
        article.published_at = article.published_at or clock.now()
    else:
        article.status = NewsArticle.Status.DRAFT
    article.save(update_fields=["status", "published_at"])
    action = "news.publish" if publish else "news.unpublish"
    record(action, article, actor=acting_user, year=year, before=before, after=snapshot(article))
    return article
