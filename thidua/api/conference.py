"""The year's review conference in the API: its date, venue and attendees, the draft
summary report with the members' comments, its versions and its finalisation, the Word
templates its documents are printed through, and the cluster's news.

As on the pages, everyone who may open the year reads the report and sees which templates
are in use; the members comment on the draft while it is open (`conference.comment`), and
the secretariat sets the conference up, generates and revises the draft, makes it final,
changes the conference's templates and writes the news (`conference.manage`). The decision's
and the certificates' templates are the deciding authority's (`awards.decide`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from django.db.models.functions import Length
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import Form, Path, Query, Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.conference import actions
from thidua.conference.forms import (
    ArticleForm,
    AttendeeForm,
    CommentForm,
    ConferenceForm,
    RevisionForm,
    TemplateForm,
)
from thidua.conference.models import (
    Attendee,
    Comment,
    Conference,
    DecisionDocumentKind,
    DocumentKind,
    DocumentTemplate,
    NewsArticle,
    Report,
)
from thidua.conference.reads import latest_version
from thidua.cycle.models import EmulationYear
from thidua.orgs.models import Organization

from . import paging
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, MaybeFile, Slug

router = Router(tags=["conference"])

YEAR = "/clusters/{slug}/years/{year}/conference"

Line = Field(max_length=1000, pattern=NO_NUL)
Long = Field(default="", max_length=10_000, pattern=NO_NUL)


class ConferenceIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    closed_at: dt.time | None = Field(
        default=None, description="When the conference closed on its last day (hh:mm)."
    )
    host: int = Field(ge=1, le=MAX_ID, description="The host member's organisation id.")
    venue: str = Line
    agenda: str = Field(default="", max_length=10_000, pattern=NO_NUL, description="A line each.")
    decisions: str = Field(
        default="", max_length=10_000, pattern=NO_NUL, description="A line each."
    )
    directions: str = Long


class AttendeeOut(Schema):
    id: int
    name: str
    position: str
    unit: str
    role: str


class ConferenceOut(Schema):
    starts_on: dt.date
    ends_on: dt.date
    closed_at: dt.time | None
    host_id: int
    venue: str
    agenda: str
    decisions: str
    directions: str
    attendees: list[AttendeeOut]


class AttendeeIn(Schema):
    name: str = Line
    position: str = Line
    unit: str = Line
    role: str = Field(default="delegate", max_length=40, pattern=NO_NUL)


class CommentOut(Schema):
    section: str
    kind: str
    text: str
    unit: str
    author: str
    version: int
    at: dt.datetime


class SectionOut(Schema):
    key: str
    title: str
    text: str
    comments: list[CommentOut]


class ReportOut(Schema):
    final: bool
    version: int = Field(description="The latest version's number.")
    note: str
    sections: list[SectionOut]


class CommentIn(Schema):
    section: str = Field(max_length=100, pattern=NO_NUL, description="A section's key.")
    kind: str = Field(max_length=40, pattern=NO_NUL)
    text: str = Field(max_length=10_000, pattern=NO_NUL)


class RevisionIn(Schema):
    based_on: int = Field(
        ge=-(2**31), le=2**31 - 1, description="The number of the version revised."
    )
    note: str = Line
    sections: dict[str, Annotated[str, Field(max_length=10_000)]] = Field(
        max_length=15,
        description="Each section's new text, by key; a section left out is refused, as on "
        "the page's form.",
    )


def _conference(conference: Conference) -> dict[str, Any]:
    return {
        "starts_on": conference.starts_on,
        "ends_on": conference.ends_on,
        "closed_at": conference.closed_at,
        "host_id": conference.host_id,
        "venue": conference.venue,
        "agenda": conference.agenda,
        "decisions": conference.decisions,
        "directions": conference.directions,
        "attendees": [
            {"id": a.pk, "name": a.name, "position": a.position, "unit": a.unit, "role": a.role}
            for a in conference.attendees.order_by("pk")
        ],
    }


def _conference_of(emulation_year: EmulationYear) -> Conference:
    found = Conference.objects.filter(year=emulation_year).first()
    if found is None:
        raise Http404
    return found


@router.get(YEAR, response={200: ConferenceOut, **ERRORS})
def conference(request: SignedInRequest, slug: Slug, year: int) -> Any:
    """The conference's days, venue, agenda and attendees; 404 until it is set up."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    return _conference(_conference_of(emulation_year))


@router.post(YEAR, response={200: ConferenceOut, 409: Error, **ERRORS})
def set_conference(request: SignedInRequest, slug: Slug, year: int, body: ConferenceIn) -> Any:
    """The secretariat sets the conference's days, host, venue, agenda and outcomes."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    members = Organization.objects.filter(memberships__year=emulation_year)
    data = cleaned(bound(ConferenceForm, body.dict(), members=members))
    actions.do_set_conference(emulation_year, acting_user=request.user, **data)
    return _conference(_conference_of(emulation_year))


@router.post(YEAR + "/attendees", response={201: AttendeeOut, 409: Error, **ERRORS})
def attendee_add(request: SignedInRequest, slug: Slug, year: int, body: AttendeeIn) -> Any:
    """The secretariat adds someone to the conference's attendees."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    found = _conference_of(emulation_year)
    data = cleaned(bound(AttendeeForm, body.dict()))
    added = actions.do_add_attendee(found, acting_user=request.user, **data)
    return Status(
        201,
        {
            "id": added.pk,
            "name": added.name,
            "position": added.position,
            "unit": added.unit,
            "role": added.role,
        },
    )


@router.delete(YEAR + "/attendees/{attendee_id}", response={204: None, 409: Error, **ERRORS})
def attendee_remove(request: SignedInRequest, slug: Slug, year: int, attendee_id: Id) -> Any:
    """The secretariat removes an attendee."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    attendee = (
        Attendee.objects.select_related("conference__year")
        .filter(pk=attendee_id, conference__year=emulation_year)
        .first()
    )
    if attendee is None:
        raise Http404
    actions.do_remove_attendee(attendee, acting_user=request.user)
    return Status(204, None)


def _report(emulation_year: EmulationYear) -> dict[str, Any]:
    latest = latest_version(emulation_year)
    if latest is None:
        raise Http404
    report = Report.objects.get(year=emulation_year)
    comments: dict[str, list[dict[str, Any]]] = {}
    for c in (
        Comment.objects.filter(version__report__year=emulation_year)
        .select_related("organization", "version")
        .order_by("pk")
    ):
        comments.setdefault(c.section, []).append(
            {
                "section": c.section,
                "kind": c.kind,
                "text": c.text,
                "unit": c.organization.name if c.organization else "",
                "author": c.author_name,
                "version": c.version.number,
                "at": c.created_at,
            }
        )
    return {
        "final": report.is_final,
        "version": latest.number,
        "note": latest.note,
        "sections": [
            {
                "key": s["key"],
                "title": s["title"],
                "text": s["text"],
                "comments": comments.get(s["key"], []),
            }
            for s in latest.sections
        ],
    }


@router.get(YEAR + "/report", response={200: ReportOut, **ERRORS})
def report(request: SignedInRequest, slug: Slug, year: int) -> Any:
    """The draft summary report's latest version, with the comments on each section."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    return _report(emulation_year)


@router.post(YEAR + "/report/comments", response={201: ReportOut, 409: Error, **ERRORS})
def comment(request: SignedInRequest, slug: Slug, year: int, body: CommentIn) -> Any:
    """A member comments on a section of the draft's latest version."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    access.require(request.user, "conference.comment", emulation_year)
    latest = latest_version(emulation_year)
    if latest is None:
        raise Http404
    data = cleaned(bound(CommentForm, body.dict(), sections=latest.sections))
    actions.do_comment(latest, acting_user=request.user, **data)
    return Status(201, _report(emulation_year))


@router.post(YEAR + "/report/generate", response={201: ReportOut, 409: Error, **ERRORS})
def generate(request: SignedInRequest, slug: Slug, year: int) -> Any:
    """The secretariat generates a new version of the draft from the year's data."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    actions.do_generate_report(emulation_year, acting_user=request.user)
    return Status(201, _report(emulation_year))


@router.post(YEAR + "/report/revise", response={201: ReportOut, 409: Error, **ERRORS})
def revise(request: SignedInRequest, slug: Slug, year: int, body: RevisionIn) -> Any:
    """The secretariat saves a revised version of the draft, saying what changed."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    the_report = Report.objects.filter(year=emulation_year).first()
    latest = latest_version(emulation_year)
    if the_report is None or latest is None:
        raise Http404
    values: dict[str, Any] = {"based_on": body.based_on, "note": body.note}
    values |= {f"section_{key}": text for key, text in body.sections.items()}
    form = bound(RevisionForm, values, sections=latest.sections)
    data = cleaned(form)
    actions.do_revise_report(
        the_report,
        texts=form.texts(),
        note=data["note"],
        based_on=data["based_on"],
        acting_user=request.user,
    )
    return Status(201, _report(emulation_year))


@router.post(YEAR + "/report/finalise", response={200: ReportOut, 409: Error, **ERRORS})
def finalise(request: SignedInRequest, slug: Slug, year: int) -> Any:
    """The secretariat makes the latest version final: the report is locked."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    the_report = Report.objects.filter(year=emulation_year).first()
    if the_report is None:
        raise Http404
    actions.do_finalise_report(the_report, acting_user=request.user)
    return _report(emulation_year)


# --- Word templates -----------------------------------------------------------------------

# A kind of document as the page's address takes it: any word; one thidua does not know is
# refused by the action, with the page's words.
Kind = Annotated[str, Path(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


class TemplateFileOut(Schema):
    id: int
    filename: str
    bytes: int
    uploaded_at: dt.datetime
    uploaded_by: str


class TemplateOut(Schema):
    kind: str
    label: str
    can_change: bool = Field(description="Whether you may upload or reset this template.")
    template: TemplateFileOut | None = Field(
        description="The uploaded template in use; null: thidua's standard layout."
    )


class TemplateIn(Schema):
    kind: str = Field(
        min_length=1,
        max_length=40,
        pattern=NO_NUL,
        description="The document: report, minutes, proposal, pledge or news (the "
        "secretariat's); decision or certificates (the deciding authority's).",
    )


def _changeable(request: SignedInRequest, emulation_year: EmulationYear) -> list[tuple[str, Any]]:
    """The kinds whose template the user may change, as the documents page offers them."""
    user = request.user
    return [
        *(DocumentKind.choices if user.has_perm("conference.manage", emulation_year) else []),
        *(DecisionDocumentKind.choices if user.has_perm("awards.decide", emulation_year) else []),
    ]


def _in_use(emulation_year: EmulationYear) -> dict[str, DocumentTemplate]:
    """The cluster's template in use for each kind, as `dossier.active_template` picks it
    (the newest not retired), read in one query and without the files' bytes."""
    found: dict[str, DocumentTemplate] = {}
    rows = (
        DocumentTemplate.objects.filter(
            cluster_id=emulation_year.cluster_id, retired_at__isnull=True
        )
        .select_related("uploaded_by")
        .defer("content")
        .annotate(size=Length("content"))
        .order_by("kind", "-uploaded_at", "-pk")
    )
    for row in rows:
        found.setdefault(row.kind, row)
    return found


def _template(
    kind: str, label: Any, in_use: dict[str, Any], changeable: list[tuple[str, Any]]
) -> dict[str, Any]:
    found = in_use.get(kind)
    shown = None
    if found is not None:
        shown = {
            "id": found.pk,
            "filename": found.filename,
            "bytes": found.size,
            "uploaded_at": found.uploaded_at,
            "uploaded_by": str(found.uploaded_by),
        }
    return {
        "kind": kind,
        "label": str(label),
        "can_change": kind in dict(changeable),
        "template": shown,
    }


def _template_of(request: SignedInRequest, emulation_year: EmulationYear, kind: str) -> Any:
    labels = dict([*DocumentKind.choices, *DecisionDocumentKind.choices])
    changeable = _changeable(request, emulation_year)
    return _template(kind, labels[kind], _in_use(emulation_year), changeable)


@router.get(YEAR + "/templates", response={200: list[TemplateOut], 304: None, **ERRORS})
def templates(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """Each document's template in use, as the documents page lists them (the decision's and
    the certificates' to the deciding authority only)."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    changeable = _changeable(request, emulation_year)
    shown = [*DocumentKind.choices]
    if request.user.has_perm("awards.decide", emulation_year):
        shown += DecisionDocumentKind.choices
    in_use = _in_use(emulation_year)
    body = [_template(kind, label, in_use, changeable) for kind, label in shown]
    return paging.conditional(request, response, body)


@router.post(YEAR + "/templates", response={201: TemplateOut, 409: Error, **ERRORS})
def template_upload(
    request: SignedInRequest,
    slug: Slug,
    year: int,
    form: Form[TemplateIn],
    file: MaybeFile = None,
) -> Any:
    """Print one kind of document through your own Word template (.docx, multipart). A
    template that cannot be opened, uses a placeholder thidua does not know or leaves out one
    the document needs is refused, and the template in use stays."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    changeable = _changeable(request, emulation_year)
    if not changeable:
        access.require(request.user, "conference.manage", emulation_year)
    files = MultiValueDict({"file": [file]})
    data = cleaned(bound(TemplateForm, form.dict(), files=files, kinds=changeable))
    actions.do_upload_template(
        emulation_year,
        kind=data["kind"],
        filename=data["file"].name,
        data=data["file"].read(),
        acting_user=request.user,
    )
    return Status(201, _template_of(request, emulation_year, data["kind"]))


@router.post(YEAR + "/templates/{kind}/reset", response={200: TemplateOut, 409: Error, **ERRORS})
def template_reset(request: SignedInRequest, slug: Slug, year: int, kind: Kind) -> Any:
    """Go back to thidua's standard layout for `kind`; the uploaded files are kept, retired."""
    perm = "awards.decide" if kind in DecisionDocumentKind.values else "conference.manage"
    emulation_year = access.get_year_for(request.user, slug, year, perm)
    actions.do_reset_template(emulation_year, kind=kind, acting_user=request.user)
    return _template_of(request, emulation_year, kind)


# --- news ---------------------------------------------------------------------------------


class ArticleStatus(StrEnum):
    """A news article's status (`NewsArticle.Status`), under a name of its own in the schema,
    where another area's `Status` would take its place."""

    DRAFT = NewsArticle.Status.DRAFT.value
    PUBLISHED = NewsArticle.Status.PUBLISHED.value


class ArticleOut(Schema):
    id: int
    title: str
    body: str = Field(description="Paragraphs separated by a blank line.")
    status: ArticleStatus
    is_conference_article: bool
    published_at: dt.datetime | None
    updated_at: dt.datetime
    public_url: str | None = Field(description="The public news page's address, if published.")


class ArticlePage(Schema):
    articles: list[ArticleOut]
    next: str | None = Field(
        description="The cursor after this page's last article, to read what follows."
    )
    more: bool = Field(description="Whether more articles already follow this page.")


class ArticleFilters(Schema):
    after: str | None = Field(
        default=None,
        max_length=2000,
        pattern=NO_NUL,
        description="The cursor a previous page gave as `next`, with the same filters.",
    )
    status: ArticleStatus | None = None
    limit: int = Field(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT)


class ArticleIn(Schema):
    title: str = Line
    body: str = Field(
        max_length=100_000, pattern=NO_NUL, description="Paragraphs separated by a blank line."
    )


class PublishIn(Schema):
    publish: bool = Field(default=True, description="false takes the article off the news.")


def _article(article: NewsArticle) -> dict[str, Any]:
    published = article.status == NewsArticle.Status.PUBLISHED
    return {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "status": article.status,
        "is_conference_article": article.is_conference_article,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "public_url": (
            reverse("news:article", kwargs={"cluster": article.cluster.slug, "pk": article.pk})
            if published
            else None
        ),
    }


def _article_of(emulation_year: EmulationYear, article_id: int) -> NewsArticle:
    found = (
        NewsArticle.objects.select_related("cluster", "year__cluster")
        .filter(pk=article_id, year=emulation_year)
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.get(YEAR + "/news", response={200: ArticlePage, 304: None, **ERRORS})
def articles(
    request: SignedInRequest,
    response: HttpResponse,
    slug: Slug,
    year: int,
    filters: Query[ArticleFilters],
) -> Any:
    """The year's news articles, drafts included, oldest first, a page after the cursor."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    found = NewsArticle.objects.filter(year=emulation_year).select_related("cluster")
    if filters.status is not None:
        found = found.filter(status=filters.status)
    rows, next_cursor, more = paging.page(
        found,
        after=filters.after,
        filters={"year": emulation_year.pk, "status": filters.status},
        limit=filters.limit,
    )
    body = {"articles": [_article(a) for a in rows], "next": next_cursor, "more": more}
    # No Last-Modified: publishing or withdrawing an article leaves its `updated_at` as it was.
    return paging.conditional(request, response, body)


@router.post(YEAR + "/news", response={201: ArticleOut, 409: Error, **ERRORS})
def article_new(request: SignedInRequest, slug: Slug, year: int, body: ArticleIn) -> Any:
    """The secretariat writes a news article of the cluster, as a draft."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    data = cleaned(bound(ArticleForm, body.dict()))
    saved = actions.do_save_article(emulation_year, acting_user=request.user, **data)
    return Status(201, _article(_article_of(emulation_year, saved.pk)))


@router.post(YEAR + "/news/draft", response={201: ArticleOut, 409: Error, **ERRORS})
def article_draft(request: SignedInRequest, slug: Slug, year: int) -> Any:
    """thidua drafts the conference's article from the year's data, to check and edit."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    drafted = actions.do_draft_conference_article(emulation_year, acting_user=request.user)
    return Status(201, _article(_article_of(emulation_year, drafted.pk)))


@router.get(YEAR + "/news/{article_id}", response={200: ArticleOut, **ERRORS})
def article(request: SignedInRequest, slug: Slug, year: int, article_id: Id) -> Any:
    """One news article of the year, as its edit page shows it."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    return _article(_article_of(emulation_year, article_id))


@router.post(YEAR + "/news/{article_id}/update", response={200: ArticleOut, 409: Error, **ERRORS})
def article_edit(
    request: SignedInRequest, slug: Slug, year: int, article_id: Id, body: ArticleIn
) -> Any:
    """Change an article's title and text; a published one stays published."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    found = _article_of(emulation_year, article_id)
    data = cleaned(bound(ArticleForm, body.dict()))
    actions.do_save_article(emulation_year, article=found, acting_user=request.user, **data)
    return _article(_article_of(emulation_year, article_id))


@router.post(YEAR + "/news/{article_id}/publish", response={200: ArticleOut, 409: Error, **ERRORS})
def article_publish(
    request: SignedInRequest,
    slug: Slug,
    year: int,
    article_id: Id,
    body: PublishIn | None = None,
) -> Any:
    """Put the article on the cluster's public news page, or (`publish`: false) take it off;
    without a body, publish it, as the page's button does."""
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    found = _article_of(emulation_year, article_id)
    publish = body.publish if body is not None else True
    actions.do_publish_article(found, publish=publish, acting_user=request.user)
    return _article(_article_of(emulation_year, article_id))
