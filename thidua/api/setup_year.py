"""Setting a year up through the API, as the year's pages do: opening the next year with its
members, head and deputy, the movement, the pledge's text and the phases' deadlines.

The phase and the pledge's signature are in `api.py`. Each operation checks its input with
the page's form and calls the same `cycle.actions.do_*`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle import actions, opening
from thidua.cycle.forms import DeadlineForm, MovementForm, OpenYearForm, PledgeForm
from thidua.cycle.models import Movement, Pledge

from . import schemas
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Slug

router = Router(tags=["organisations and clusters"])

YEAR = "/clusters/{slug}/years/{year}"

OrgId = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Field(
    default="",
    max_length=64,
    pattern=NO_NUL,
    description="The version read before the change; an edit made meanwhile is kept.",
)


class OpenYearIn(Schema):
    year: int = Field(ge=1945, le=2100)
    members: list[OrgId] = Field(max_length=500, description="The members' organisation ids.")
    head: int = Field(ge=1, le=MAX_ID)
    deputy: int = Field(ge=1, le=MAX_ID)
    carry_over: list[Annotated[str, Field(max_length=40, pattern=NO_NUL)]] = Field(
        default_factory=list,
        max_length=50,
        description="What to copy from the last year, as the page offers it.",
    )


class MovementIn(Schema):
    title: str = Field(max_length=1000, pattern=NO_NUL)
    launched_on: dt.date
    goals: str = Field(max_length=10_000, pattern=NO_NUL)
    targets: str = Field(default="", max_length=10_000, pattern=NO_NUL)
    version: str = Version


class PledgeIn(Schema):
    title: str = Field(max_length=1000, pattern=NO_NUL)
    preamble: str = Field(default="", max_length=10_000, pattern=NO_NUL)
    articles: list[Annotated[str, Field(max_length=3000, pattern=NO_NUL)]] = Field(
        max_length=50, description="The pledge's articles, in order."
    )
    version: str = Version


class PledgeOut(Schema):
    title: str
    preamble: str
    articles: list[str]


class DeadlineIn(Schema):
    phase: str = Field(max_length=40, pattern=NO_NUL)
    due_on: dt.date | None = Field(default=None, description="Null lifts the deadline.")


class DeadlineOut(Schema):
    phase: str
    due_on: dt.date | None


@router.post("/clusters/{slug}/years", response={201: schemas.Year, 409: Error, **ERRORS})
def open_year(request: SignedInRequest, slug: Slug, body: OpenYearIn) -> Any:
    """The supervisor opens the cluster's next year with its members, head and deputy."""
    from .api import _year  # the year's shape, as the other operations answer it

    cluster = access.get_cluster_for(request.user, slug)
    access.require(request.user, "cycle.open_year", cluster)
    proposal = opening.propose(cluster, body.year)
    values = body.dict()
    form = bound(
        OpenYearForm,
        values,
        offered_on=proposal.first_day,
        proposed=[org.pk for org in proposal.members],
        carry_overs=proposal.carry_overs,
    )
    data = cleaned(form)
    opened = actions.do_open_next_year(
        cluster,
        year=data["year"],
        members=list(data["members"]),
        head=data["head"],
        deputy=data["deputy"],
        carry_over=data.get("carry_over", []),
        acting_user=request.user,
    )
    return Status(201, _year(opened.year))


@router.post(YEAR + "/movement", response={200: schemas.Movement, 409: Error, **ERRORS})
def set_movement(request: SignedInRequest, slug: Slug, year: int, body: MovementIn) -> Any:
    """The secretariat writes the year's emulation movement."""
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.edit_setup")
    data = cleaned(bound(MovementForm, body.dict()))
    actions.do_set_movement(emulation_year, acting_user=request.user, **data)
    movement = Movement.objects.get(year=emulation_year)
    return {
        "title": movement.title,
        "launched_on": movement.launched_on,
        "goals": movement.goals,
        "targets": movement.targets,
    }


@router.post(YEAR + "/pledge", response={200: PledgeOut, 409: Error, **ERRORS})
def set_pledge(request: SignedInRequest, slug: Slug, year: int, body: PledgeIn) -> Any:
    """The secretariat writes the pledge the members' leaders sign."""
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.edit_setup")
    values = {**body.dict(), "articles": "\n\n".join(body.articles)}
    data = cleaned(bound(PledgeForm, values))
    actions.do_set_pledge(emulation_year, acting_user=request.user, **data)
    pledge = Pledge.objects.get(year=emulation_year)
    return {
        "title": pledge.title,
        "preamble": pledge.preamble,
        "articles": [a.text for a in pledge.articles.all()],
    }


@router.post(YEAR + "/deadlines", response={200: DeadlineOut, 409: Error, **ERRORS})
def set_deadline(request: SignedInRequest, slug: Slug, year: int, body: DeadlineIn) -> Any:
    """The secretariat sets (or lifts) the date by which the members finish a phase."""
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.set_deadlines")
    data = cleaned(bound(DeadlineForm, body.dict()))
    deadline = actions.do_set_deadline(
        emulation_year, phase=data["phase"], due_on=data["due_on"], acting_user=request.user
    )
    return {"phase": data["phase"], "due_on": deadline.due_on if deadline else None}
