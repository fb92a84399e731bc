"""Writing in batches: award history (people, their posts, titles and awards, task ratings,
initiatives), a collective's members, and the Excel history import as a background job.

A batch is written whole or not at all. Each item goes through the same `do_*` action as the
page that writes one (same permission, same checks, same words); every refused item is named
(its list, its index, the field, the Vietnamese message), and then nothing is kept. The body
is limited (`THIDUA_API_BULK_MAX_MB`, 413 over it, refused before it is read) and so is the
number of items (`THIDUA_API_BULK_MAX_ITEMS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.award_history import actions as history
from thidua.award_history.forms import ImportForm
from thidua.award_history.hooks import IMPORT_HISTORY
from thidua.award_history.models import AwardType, Initiative, TaskRating
from thidua.errors import ActionRefused, Refusal
from thidua.jobs.actions import do_start_job
from thidua.jobs.models import Job
from thidua.jobs.progress import read_progress
from thidua.jobs.reads import job_for
from thidua.lib import uploads
from thidua.lib.numbers import format_number
from thidua.orgs.models import Organization, Person

from . import paging
from .auth import TokenAuth
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, MaybeFile, Slug

MB = 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "THIDUA_API_BULK_MAX_MB", 20)) * MB


def max_items() -> int:
    return int(getattr(settings, "THIDUA_API_BULK_MAX_ITEMS", 10_000))


def too_large() -> str:
    return _("The request is larger than %(limit)s, the most a batch may send; split it.") % {
        "limit": uploads.format_size(max_bytes())
    }


class BulkAuth(TokenAuth):
    """The token, after refusing a body over the batch limit (413) before reading any of it.

    A JSON body is then read here, within the batch's own limit, which is larger than the
    one Django keeps for every other request (DATA_UPLOAD_MAX_MEMORY_SIZE); a file is
    streamed by the upload handlers, as on the pages.
    """

    def __call__(self, request: HttpRequest) -> Any:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes():
            raise HttpError(413, too_large())
        user = super().__call__(request)
        json = request.content_type == "application/json"
        if user is not None and json and length and not hasattr(request, "_body"):
            # As HttpRequest.body does, without its limit for ordinary requests.
            request._body = request.read(length)
        return user


router = Router(tags=["batches and jobs"], auth=BulkAuth())

M = TypeVar("M", bound=Model)


def _id(description: str) -> Any:
    return Field(default=None, ge=1, le=MAX_ID, description=description)


def _text(length: int, description: str = "", default: Any = ...) -> Any:
    return Field(default, max_length=length, pattern=NO_NUL, description=description)


class PersonIn(Schema):
    ref: str | None = _text(100, "Your key for this person, for the lists below.", None)
    full_name: str = _text(150)
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    gender: Person.Gender | None = None
    unit_id: int = Field(ge=1, le=MAX_ID, description="The unit (or collective) they work in.")
    position: str = _text(200, default="")
    since: dt.date | None = None
    until: dt.date | None = None


class HolderIn(Schema):
    """A person already on record (person_id), one of this batch's (person_ref), or a unit."""

    person_id: int | None = _id("A person on record.")
    person_ref: str | None = _text(100, "The `ref` of a person of this batch.", None)
    organization_id: int | None = _id("A unit (for titles, awards and ratings of units).")


class PositionIn(HolderIn):
    unit_id: int = Field(ge=1, le=MAX_ID)
    position: str = _text(200, default="")
    since: dt.date | None = None
    until: dt.date | None = None


class RecordIn(HolderIn):
    award: str = _text(40, "The award's code.")
    year: int = Field(ge=1900, le=2100)
    decision_number: str = _text(50)
    decision_date: dt.date
    issuer: str = _text(255)
    unit_name: str = _text(255, "The unit as it was called then (optional).", "")


class RatingIn(HolderIn):
    year: int = Field(ge=1900, le=2100)
    rating: TaskRating.Rating
    replace: bool = Field(default=False, description="Correct a different stored rating.")


class InitiativeIn(HolderIn):
    title: str = _text(500)
    level: Initiative.Level
    year: int = Field(ge=1900, le=2100)


SECTIONS = ("people", "positions", "records", "ratings", "initiatives")
# The most items a list may hold, as the schema says; `THIDUA_API_BULK_MAX_ITEMS` (at most
# this) limits the whole batch.
MAX_LIST = 10_000


class HistoryBatch(Schema):
    people: list[PersonIn] = Field(default_factory=list, max_length=MAX_LIST)
    positions: list[PositionIn] = Field(default_factory=list, max_length=MAX_LIST)
    records: list[RecordIn] = Field(default_factory=list, max_length=MAX_LIST)
    ratings: list[RatingIn] = Field(default_factory=list, max_length=MAX_LIST)
    initiatives: list[InitiativeIn] = Field(default_factory=list, max_length=MAX_LIST)

    def count(self) -> int:
        return sum(len(getattr(self, name)) for name in SECTIONS)


def _require_within_limit(count: int) -> None:
    if count > max_items():
        raise ActionRefused(
            _("The batch holds %(count)s items; at most %(limit)s are taken at once.")
            % {"count": format_number(count), "limit": format_number(max_items())},
            kind=Refusal.INVALID,
        )


class ItemError(Schema):
    section: str = Field(description="people, positions, records, ratings, initiatives, members.")
    index: int = Field(description="The item's place in its list, from 0.")
    field: str | None
    message: str
    status: int = Field(description="What a single request for this item would answer.")


class BatchRefused(Error):
    errors: list[ItemError] = Field(
        default_factory=list, description="Each refused item (the first 1,000)."
    )


class BatchDone(Schema):
    people: list[int] = Field(description="The ids of the people created, in the batch's order.")
    positions: list[int]
    records: list[int]
    ratings: list[int]
    initiatives: list[int]


# The field a refusal of each kind is about, by list.
_FIELDS: dict[Refusal, str] = {
    Refusal.BAD_BIRTH_YEAR: "birth_year",
    Refusal.BAD_PERIOD: "until",
    Refusal.BAD_YEAR: "year",
    Refusal.BAD_DATE: "decision_date",
    Refusal.KIND: "award",
    Refusal.NOMINEE: "person_id",
    Refusal.MERGED: "person_id",
    Refusal.EXISTS: "replace",
}
_MISSING: dict[str, str] = {
    "people": "full_name",
    "members": "full_name",
    "records": "decision_number",
    "initiatives": "title",
}


@dataclass
class Batch:
    """The items' errors so far; an item's error never stops the others being checked."""

    errors: list[dict[str, Any]]

    def refuse(
        self, section: str, index: int, field: str | None, message: str, status: int = 400
    ) -> None:
        self.errors.append(
            {
                "section": section,
                "index": index,
                "field": field,
                "message": message,
                "status": status,
            }
        )

    def run(
        self, section: str, index: int, write: Callable[[], M], *, into: list[int] | None = None
    ) -> M | None:
        """The item written by its action (its id added to `into`), or None with its refusal
        kept."""
        try:
            made = write()
        except ActionRefused as refusal:
            field = _FIELDS.get(refusal.kind)
            if refusal.kind == Refusal.MISSING:
                field = _MISSING.get(section)
            self.refuse(section, index, field, refusal.message, int(refusal.status))
        except DjangoValidationError as invalid:
            for name, messages in invalid.message_dict.items():
                for message in messages:
                    self.refuse(section, index, name, message)
        else:
            if into is not None:
                into.append(made.pk)
            return made
        return None

    def answer(self) -> Status:
        count = len(self.errors)
        return Status(
            400,
            {
                "detail": _("%(count)s items are refused; nothing was written.")
                % {"count": format_number(count)},
                "errors": self.errors[:1000],
            },
        )


def _no_person(key: object) -> str:
    return _("There is no person with the id %(id)s.") % {"id": key}


def _no_unit(key: object) -> str:
    return _("There is no unit with the id %(id)s.") % {"id": key}


def _no_award(key: object) -> str:
    return _("There is no title or award with the code %(code)s.") % {"code": key}


def _lookup(model: type[M], keys: Sequence[Any], field: str = "pk") -> dict[Any, M]:
    wanted = {k for k in keys if k is not None}
    return model._default_manager.in_bulk(list(wanted), field_name=field) if wanted else {}


class _Holders:
    """Who an item is about: people on record, people of the batch (by ref), units."""

    def __init__(self, batch: HistoryBatch, created: dict[str, Person]) -> None:
        items: list[HolderIn] = [*batch.positions, *batch.records, *batch.ratings]
        items += batch.initiatives
        self.people = _lookup(Person, [i.person_id for i in items])
        self.units = _lookup(Organization, [i.organization_id for i in items])
        self.created = created
        self.refs = {p.ref for p in batch.people if p.ref}

    def find(
        self, found: Batch, section: str, index: int, item: HolderIn, *, units: bool = True
    ) -> tuple[Person | None, Organization | None] | None:
        given = [x for x in (item.person_id, item.person_ref, item.organization_id) if x]
        if len(given) != 1 or (not units and item.organization_id):
            found.refuse(
                section,
                index,
                "person_id",
                _("Give exactly one of person_id, person_ref and organization_id.")
                if units
                else _("Give exactly one of person_id and person_ref."),
            )
            return None
        if item.person_ref:
            person = self.created.get(item.person_ref)
            if person is None:
                message = (
                    _("The person with the ref %(ref)s in this batch is refused (see above).")
                    if item.person_ref in self.refs
                    else _("No person of this batch has the ref %(ref)s.")
                )
                found.refuse(section, index, "person_ref", message % {"ref": item.person_ref})
                return None
            return person, None
        if item.person_id:
            person = self.people.get(item.person_id)
            if person is None:
                found.refuse(section, index, "person_id", _no_person(item.person_id), 404)
                return None
            return person, None
        unit = self.units.get(item.organization_id)
        if unit is None:
            found.refuse(section, index, "organization_id", _no_unit(item.organization_id), 404)
            return None
        return None, unit


def _write_history(batch: HistoryBatch, user: Any, found: Batch) -> dict[str, list[int]]:
    done: dict[str, list[int]] = {name: [] for name in SECTIONS}
    units = _lookup(
        Organization, [p.unit_id for p in batch.people] + [p.unit_id for p in batch.positions]
    )
    awards = _lookup(AwardType, [r.award for r in batch.records], "code")
    created: dict[str, Person] = {}
    refs = [p.ref for p in batch.people if p.ref]
    for index, p in enumerate(batch.people):
        if p.ref and refs.count(p.ref) > 1:
            found.refuse("people", index, "ref", _("Two people of the batch share this ref."))
            continue
        unit = units.get(p.unit_id)
        if unit is None:
            found.refuse("people", index, "unit_id", _no_unit(p.unit_id), 404)
            continue
        person = found.run(
            "people",
            index,
            lambda p=p, unit=unit: history.do_register_person(  # type: ignore[misc]
                full_name=p.full_name,
                birth_year=p.birth_year,
                gender=p.gender or "",
                unit=unit,
                position=p.position,
                since=p.since,
                until=p.until,
                acting_user=user,
            ),
            into=done["people"],
        )
        if person is not None and p.ref:
            created[p.ref] = person
    holders = _Holders(batch, created)
    for index, q in enumerate(batch.positions):
        who = holders.find(found, "positions", index, q, units=False)
        unit = units.get(q.unit_id)
        if unit is None:
            found.refuse("positions", index, "unit_id", _no_unit(q.unit_id), 404)
        if who is None or unit is None or who[0] is None:
            continue
        found.run(
            "positions",
            index,
            lambda q=q, person=who[0], unit=unit: history.do_add_position(  # type: ignore[misc]
                person,
                unit=unit,
                position=q.position,
                since=q.since,
                until=q.until,
                acting_user=user,
            ),
            into=done["positions"],
        )
    for index, r in enumerate(batch.records):
        who = holders.find(found, "records", index, r)
        award = awards.get(r.award)
        if award is None:
            found.refuse("records", index, "award", _no_award(r.award), 404)
        if who is None or award is None:
            continue
        found.run(
            "records",
            index,
            lambda r=r, who=who, award=award: history.do_record_award(  # type: ignore[misc]
                award_type=award,
                year=r.year,
                person=who[0],
                organization=who[1],
                decision_number=r.decision_number,
                decision_date=r.decision_date,
                issuer_name=r.issuer,
                unit_name=r.unit_name,
                acting_user=user,
            ),
            into=done["records"],
        )
    for index, t in enumerate(batch.ratings):
        who = holders.find(found, "ratings", index, t)
        if who is None:
            continue
        found.run(
            "ratings",
            index,
            lambda t=t, who=who: history.do_record_rating(  # type: ignore[misc]
                year=t.year,
                rating=t.rating,
                person=who[0],
                organization=who[1],
                replace=t.replace,
                acting_user=user,
            ),
            into=done["ratings"],
        )
    for index, i in enumerate(batch.initiatives):
        who = holders.find(found, "initiatives", index, i, units=False)
        if who is None or who[0] is None:
            continue
        found.run(
            "initiatives",
            index,
            lambda i=i, person=who[0]: history.do_record_initiative(  # type: ignore[misc]
                person, title=i.title, level=i.level, year=i.year, acting_user=user
            ),
            into=done["initiatives"],
        )
    return done


@router.post(
    "/bulk/award-history",
    response={**ERRORS, 201: BatchDone, 400: BatchRefused, 413: Error},
)
def bulk_history(request: SignedInRequest, body: HistoryBatch) -> Any:
    """Award history in one batch: people (with a `ref` the other lists may name), their
    posts, titles and awards, task ratings and initiatives; all written, or none."""
    access.require(request.user, "awards.manage_history")
    _require_within_limit(body.count())
    found = Batch([])
    with transaction.atomic():
        done = _write_history(body, request.user, found)
        if found.errors:
            transaction.set_rollback(True)
    if found.errors:
        return found.answer()
    return Status(201, done)


# --- a collective's members ------------------------------------------------------------------


class MemberIn(Schema):
    """Someone new (full_name...) or on record (person_id), working in the collective."""

    person_id: int | None = _id("A person on record: their post in the collective is added.")
    full_name: str | None = _text(150, default=None)
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    gender: Person.Gender | None = None
    position: str = _text(200, default="")
    since: dt.date | None = None
    until: dt.date | None = None


class MembersBatch(Schema):
    members: list[MemberIn] = Field(min_length=1, max_length=MAX_LIST)


class MembersDone(Schema):
    people: list[int] = Field(description="Each member's person id, in the batch's order.")


@router.post(
    "/clusters/{slug}/years/{year}/collectives/{org_id}/members",
    response={**ERRORS, 201: MembersDone, 400: BatchRefused, 413: Error},
)
def bulk_members(
    request: SignedInRequest, slug: Slug, year: int, org_id: int, body: MembersBatch
) -> Any:
    """The people of a member unit or of one of its collectives, as the year's "new person"
    page registers them (new people), or their posts added (people on record)."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    unit = Organization.objects.filter(pk=org_id).first()
    if unit is None:
        raise Http404
    _require_within_limit(len(body.members))
    user = request.user
    people = _lookup(Person, [m.person_id for m in body.members])
    found = Batch([])
    done: list[int] = []
    with transaction.atomic():
        for index, m in enumerate(body.members):
            if (m.person_id is None) == (m.full_name is None):
                found.refuse(
                    "members", index, "person_id", _("Give either person_id or full_name.")
                )
                continue
            if m.person_id is not None:
                person = people.get(m.person_id)
                if person is None:
                    found.refuse("members", index, "person_id", _no_person(m.person_id), 404)
                    continue
                held = found.run(
                    "members",
                    index,
                    lambda m=m, person=person: history.do_add_position(  # type: ignore[misc]
                        person,
                        unit=unit,
                        position=m.position,
                        since=m.since,
                        until=m.until,
                        acting_user=user,
                    ),
                )
                if held is not None:
                    done.append(person.pk)
                continue
            found.run(
                "members",
                index,
                lambda m=m: history.do_register_person(  # type: ignore[misc]
                    full_name=m.full_name or "",
                    birth_year=m.birth_year,
                    gender=m.gender or "",
                    unit=unit,
                    position=m.position,
                    since=m.since,
                    until=m.until,
                    year=emulation_year,
                    acting_user=user,
                ),
                into=done,
            )
        if found.errors:
            transaction.set_rollback(True)
    if found.errors:
        return found.answer()
    return Status(201, {"people": done})


# --- the Excel import as a job ---------------------------------------------------------------


class JobOut(Schema):
    id: str
    kind: str
    status: str = Field(description="queued, running, done or failed.")
    done: int
    total: int
    percent: int
    message: str
    problems: list[str] = Field(description="Each problem of a refused file (row, column).")
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _job(job: Job) -> dict[str, Any]:
    done, total = job.done, job.total
    if not job.finished:
        last = read_progress(job.pk)
        if last is not None:
            done, total = last["done"], last["total"]
    percent = 100 if job.status == Job.Status.DONE else (100 * done // total if total else 0)
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "status": job.status,
        "done": done,
        "total": total,
        "percent": percent,
        "message": job.message,
        "problems": list(job.problems or []),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post(
    "/jobs/history-import",
    response={202: JobOut, 413: Error, **ERRORS},
    openapi_extra={
        "responses": {
            202: {
                "links": {
                    "GetJob": {
                        "operationId": "thidua_api_bulk_job",
                        "parameters": {"job_id": "$response.body#/id"},
                    }
                }
            }
        }
    },
)
def start_history_import(request: SignedInRequest, file: MaybeFile = None) -> Any:
    """Import award history from an .xlsx file (the import page's columns) in the
    background; poll `GET /jobs/{id}` for its progress and outcome. The file is checked by
    the import page's form: a missing, empty or too large one is refused as there (400)."""
    access.require(request.user, "awards.manage_history")
    upload = cleaned(bound(ImportForm, {}, files={"upload": file}))["upload"]
    with uploads.storing():
        job = do_start_job(IMPORT_HISTORY, acting_user=request.user, upload=upload)
    return Status(202, _job(job))


@router.get("/jobs/{job_id}", response={200: JobOut, 304: None, **ERRORS})
def job(request: SignedInRequest, response: HttpResponse, job_id: str) -> Any:
    """A job you started (the operator: any job, as on the job's page): its status, progress,
    message and, if the file was refused, each problem found."""
    return paging.conditional(request, response, _job(job_for(request.user, job_id)))
