"""Writing award history through the API: people, their positions, titles and awards, task
ratings and initiatives, merging a duplicate person, and a unit's sub-units (the collectives
history is kept for), as the history and organisation pages do.

Each operation checks its input with the page's form (`thidua.api.forms`) and calls the same
`award_history.actions.do_*`; the supervisor keeps everyone's history
(`awards.manage_history`), and a member unit's officer registers the unit's own people in a
year (`awards.draft`), as on the year's page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.award_history import actions, reads
from thidua.award_history.forms import (
    AwardRecordForm,
    InitiativeForm,
    MergeForm,
    PersonForm,
    PositionForm,
    RatingForm,
)
from thidua.award_history.models import AwardType, NomineeKind
from thidua.errors import ActionRefused, Refusal
from thidua.orgs import actions as org_actions
from thidua.orgs.forms import SubUnitForm
from thidua.orgs.models import Organization, Person

from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, Slug
from .schemas import Organization as OrganizationOut

router = Router(tags=["award history"])

Text = Field(default="", max_length=1000, pattern=NO_NUL)
RowId = Field(ge=1, le=MAX_ID)


class PersonToRegister(Schema):
    full_name: str = Field(max_length=1000, pattern=NO_NUL)
    birth_year: int | None = Field(default=None, ge=-32768, le=32767)
    gender: str = Field(default="", max_length=20, pattern=NO_NUL, description="male, female.")
    unit: int = Field(ge=1, le=MAX_ID, description="The id of the unit the person works in.")
    position: str = Text
    since: dt.date | None = None
    until: dt.date | None = None
    confirm_new: bool = Field(
        default=False,
        description="True registers the person even though people by that name exist.",
    )


class PersonOut(Schema):
    id: int
    full_name: str
    birth_year: int | None
    gender: str


class PositionHeld(Schema):
    unit: int = RowId
    position: str = Text
    since: dt.date | None = None
    until: dt.date | None = None


class AwardReceived(Schema):
    award: str = Field(max_length=40, pattern=NO_NUL, description="The award's code.")
    year: int = Field(ge=-32768, le=32767)
    decision_number: str = Field(max_length=1000, pattern=NO_NUL)
    decision_date: dt.date
    issuer_name: str = Field(max_length=1000, pattern=NO_NUL)
    unit_name: str = Text


class RatingGiven(Schema):
    year: int = Field(ge=-32768, le=32767)
    rating: str = Field(max_length=40, pattern=NO_NUL)
    replace: bool = Field(default=False, description="True corrects a rating already stored.")


class InitiativeRecognised(Schema):
    title: str = Field(max_length=1000, pattern=NO_NUL)
    level: str = Field(max_length=40, pattern=NO_NUL)
    year: int = Field(ge=-32768, le=32767)


class MergeIn(Schema):
    keep: int = RowId
    duplicate: int = RowId


class Recorded(Schema):
    id: int = Field(description="The id of the record written.")


def _person(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "birth_year": person.birth_year,
        "gender": person.gender,
    }


def _register(request: SignedInRequest, form: PersonForm, year: Any = None) -> Any:
    """As the page: people by the same name are shown first, unless the client confirms."""
    data = cleaned(form)
    if reads.people_like(data["full_name"]) and not data["confirm_new"]:
        raise ActionRefused(
            _(
                "People with this name are already registered (below). If one of them is this "
                "person, use that record; otherwise tick the last box to register anyway."
            ),
            kind=Refusal.INVALID,
        )
    person = actions.do_register_person(
        full_name=data["full_name"],
        birth_year=data["birth_year"],
        gender=data["gender"],
        unit=data["unit"],
        position=data["position"],
        since=data["since"],
        until=data["until"],
        year=year,
        acting_user=request.user,
    )
    return Status(201, _person(person))


def _units() -> Any:
    return Organization.objects.filter(archived=False).order_by("name")


@router.post("/people", response={201: PersonOut, 409: Error, **ERRORS})
def person_new(request: SignedInRequest, body: PersonToRegister) -> Any:
    """Register a person (the supervisor, who keeps everyone's history)."""
    access.require(request.user, "awards.manage_history")
    return _register(request, bound(PersonForm, body.dict(), units=_units()))


@router.post(
    "/clusters/{slug}/years/{year}/people", response={201: PersonOut, 409: Error, **ERRORS}
)
def year_person_new(request: SignedInRequest, slug: Slug, year: int, body: PersonToRegister) -> Any:
    """A member unit's officer registers one of the unit's people, to nominate them."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    unit_id = access.roles_in_year(request.user, emulation_year).own_member_org_id
    if unit_id is None:  # as the page: the supervisor registers people through /people
        raise PermissionDenied("awards.draft")
    membership = access.get_membership_for(request.user, emulation_year, unit_id, "awards.draft")
    unit = membership.organization
    units = Organization.objects.filter(Q(pk=unit.pk) | Q(parent=unit)).order_by("name")
    return _register(request, bound(PersonForm, body.dict(), units=units), emulation_year)


H = TypeVar("H", Person, Organization)


def _holder(request: SignedInRequest, model: type[H], pk: int) -> H:
    """The person or unit whose history is written: only who keeps everyone's history may
    (403), and one that does not exist is 404."""
    access.require(request.user, "awards.manage_history")
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _award_values(body: AwardReceived) -> dict[str, Any]:
    values = body.dict()
    code = values.pop("award")
    found = AwardType.objects.filter(code=code).values_list("pk", flat=True).first()
    values["award_type"] = found if found is not None else code
    return values


def _award(request: SignedInRequest, body: AwardReceived, kind: NomineeKind, **holder: Any) -> Any:
    """A title or award the holder (`person=` or `organization=`) received, as its page's form
    for that kind of nominee takes it."""
    form = bound(AwardRecordForm, _award_values(body), kind=kind)
    record = actions.do_record_award(acting_user=request.user, **holder, **cleaned(form))
    return Status(201, {"id": record.pk})


def _rating(request: SignedInRequest, body: RatingGiven, **holder: Any) -> Any:
    """The holder's (`person=` or `organization=`) task rating for a year."""
    data = cleaned(bound(RatingForm, body.dict()))
    rating = actions.do_record_rating(acting_user=request.user, **holder, **data)
    return Status(201, {"id": rating.pk})


@router.post("/people/{person_id}/positions", response={201: Recorded, 409: Error, **ERRORS})
def person_position(request: SignedInRequest, person_id: Id, body: PositionHeld) -> Any:
    """A position the person held, in a unit, from and until a date."""
    person = _holder(request, Person, person_id)
    data = cleaned(bound(PositionForm, body.dict(), units=_units()))
    position = actions.do_add_position(person, acting_user=request.user, **data)
    return Status(201, {"id": position.pk})


@router.post("/people/{person_id}/awards", response={201: Recorded, 409: Error, **ERRORS})
def person_award(request: SignedInRequest, person_id: Id, body: AwardReceived) -> Any:
    """A title or award the person received."""
    person = _holder(request, Person, person_id)
    return _award(request, body, NomineeKind.INDIVIDUAL, person=person)


@router.post("/people/{person_id}/ratings", response={201: Recorded, 409: Error, **ERRORS})
def person_rating(request: SignedInRequest, person_id: Id, body: RatingGiven) -> Any:
    """The person's task rating for a year."""
    return _rating(request, body, person=_holder(request, Person, person_id))


@router.post("/people/{person_id}/initiatives", response={201: Recorded, 409: Error, **ERRORS})
def person_initiative(request: SignedInRequest, person_id: Id, body: InitiativeRecognised) -> Any:
    """An initiative of the person's, recognised at a level in a year."""
    person = _holder(request, Person, person_id)
    data = cleaned(bound(InitiativeForm, body.dict()))
    initiative = actions.do_record_initiative(person, acting_user=request.user, **data)
    return Status(201, {"id": initiative.pk})


@router.post("/units/{org_id}/awards", response={201: Recorded, 409: Error, **ERRORS})
def unit_award(request: SignedInRequest, org_id: Id, body: AwardReceived) -> Any:
    """A title or award a unit (a collective) received."""
    unit = _holder(request, Organization, org_id)
    return _award(request, body, NomineeKind.COLLECTIVE, organization=unit)


@router.post("/units/{org_id}/ratings", response={201: Recorded, 409: Error, **ERRORS})
def unit_rating(request: SignedInRequest, org_id: Id, body: RatingGiven) -> Any:
    """A unit's task rating for a year."""
    return _rating(request, body, organization=_holder(request, Organization, org_id))


@router.post("/people/merges", response={200: PersonOut, 409: Error, **ERRORS})
def merge_people(request: SignedInRequest, body: MergeIn) -> Any:
    """Merge a duplicate person into the one kept: their history becomes the kept one's."""
    access.require(request.user, "awards.manage_history")
    data = cleaned(bound(MergeForm, body.dict()))
    kept = actions.do_merge_people(data["keep"], data["duplicate"], acting_user=request.user)
    return _person(kept)


class SubUnitIn(Schema):
    name: str = Field(max_length=1000, pattern=NO_NUL, description="As its decisions write it.")
    short_name: str = Text


@router.post("/organizations/{org_id}/units", response={201: OrganizationOut, 409: Error, **ERRORS})
def sub_unit_new(request: SignedInRequest, org_id: Id, body: SubUnitIn) -> Any:
    """Whoever manages a unit (its own staff, the supervisor) creates a sub-unit of it: a
    division or an office, a collective that can be nominated."""
    parent = Organization.objects.filter(pk=org_id).first()
    if parent is None:
        raise Http404
    access.require(request.user, "orgs.manage_units", parent)
    data = cleaned(bound(SubUnitForm, body.dict()))
    unit = org_actions.do_create_sub_unit(parent, acting_user=request.user, **data)
    return Status(201, unit)
