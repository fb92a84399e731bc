"""The year's review conference in the API: its date, venue and attendees, and the draft
summary report with the members' comments, its versions and its finalisation.

As on the pages, everyone who may open the year reads the report; the members comment on
the draft while it is open (`conference.comment`), and the secretariat sets the conference
up, generates and revises the draft and makes it final (`conference.manage`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.conference import actions
from thidua.conference.forms import AttendeeForm, CommentForm, ConferenceForm, RevisionForm
from thidua.conference.models import Attendee, Comment, Conference, Report
from thidua.conference.reads import latest_version
from thidua.cycle.models import EmulationYear
from thidua.orgs.models import Organization

from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, Slug

router = Router(tags=["conference"])

YEAR = "/clusters/{slug}/years/{year}/conference"

Line = Field(max_length=1000, pattern=NO_NUL)
Long = Field(default="", max_length=10_000, pattern=NO_NUL)


class ConferenceIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
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
