"""Nominations, their eligibility and award history in the API.

Verdicts come from `awards.eligibility`, always judged over the whole year (quotas compare
the nominations with one another), and are worded by `awards.reasons`, as on the pages.
History is read within a year the user may open: a member unit or a nominated collective
(with every unit it continues, as eligibility counts them), or a person nominated in the
year or working in a member unit.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.award_history.models import AwardRecord, AwardType, Decision, TaskRating
from thidua.awards import actions, documents, rules
from thidua.awards.eligibility import judge_year
from thidua.awards.forms import (
    DecisionForm,
    EvidenceForm,
    NationalForm,
    NominationEditForm,
    NominationForm,
    ReturnForm,
    RuleVersionForm,
)
from thidua.awards.models import AwardRule, Nomination
from thidua.awards.problems import VERDICT_LABELS, describe
from thidua.awards.reads import search_key
from thidua.cycle.models import EmulationYear, Membership
from thidua.jobs.actions import do_retry_job, do_start_job
from thidua.jobs.reads import job_for
from thidua.lib import uploads
from thidua.lib.text import sort_key
from thidua.orgs import rules as org_rules
from thidua.orgs.models import Organization, Person, PersonPosition, Succession

from .bulk import JobOut
from .bulk import _job as job_answer
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, MaybeFile, Slug

router = Router(tags=["nominations and awards"])

YEAR = "/clusters/{slug}/years/{year}"


class ReasonOut(Schema):
    effect: str
    text: str


class VerdictOut(Schema):
    verdict: str = Field(description="eligible, not_eligible or needs_review.")
    label: str
    reasons: list[ReasonOut]


class NominationOut(Schema):
    id: int
    unit_id: int
    unit: str
    nominee: str
    person_id: int | None
    collective_id: int | None
    award: str
    award_name: str
    status: str
    verdict: VerdictOut


class NominationList(Schema):
    count: int
    totals: dict[str, int] = Field(description="How many of the listed nominations per verdict.")
    nominations: list[NominationOut]


class NominationDetail(NominationOut):
    summary: str
    clean_record: bool | None
    return_reason: str
    files: list[str]
    decision_number: str | None
    decision_date: dt.date | None


class NominationStatus(StrEnum):
    """A nomination's status, under its own name in the schema: the model's class is called
    `Status`, as other models' are, and the schema would mix them up."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    COMPILED = "compiled"
    APPROVED = "approved"
    RETURNED = "returned"
    DECIDED = "decided"


assert {s.value for s in NominationStatus} == set(Nomination.Status.values)


class Filters(Schema):
    unit: int | None = Field(default=None, ge=1, le=MAX_ID, description="The proposing unit's id.")
    award: str | None = Field(
        default=None, max_length=40, pattern=NO_NUL, description="An award code."
    )
    status: NominationStatus | None = None
    q: str | None = Field(
        default=None, max_length=100, pattern=NO_NUL, description="Part of the nominee's name."
    )


class RecordOut(Schema):
    award: str
    award_name: str
    year: int
    decision_number: str
    decision_date: dt.date
    issuer: str
    organization_id: int | None = Field(description="For a unit: which unit of its lineage.")
    unit_name: str = Field(description="The unit as it was called at the time.")
    source: str


class RatingOut(Schema):
    year: int
    rating: str
    label: str
    organization_id: int | None


class UnitHistory(Schema):
    organization_id: int
    name: str
    lineage: list[int] = Field(description="The unit and every unit it continues.")
    awards: list[RecordOut]
    ratings: list[RatingOut]


class PersonHistory(Schema):
    person_id: int
    full_name: str
    awards: list[RecordOut]
    ratings: list[RatingOut]


def _names() -> dict[str, str]:
    return dict(AwardType.objects.values_list("code", "name"))


def _verdict(judgement: rules.Judgement, names: dict[str, str]) -> dict[str, Any]:
    return {
        "verdict": judgement.verdict.value,
        "label": str(VERDICT_LABELS[judgement.verdict]),
        "reasons": [
            {"effect": r.effect.value, "text": describe(r, names)} for r in judgement.reasons
        ],
    }


def _nomination(n: Nomination, verdict: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": n.pk,
        "unit_id": n.unit_id,
        "unit": n.unit.name,
        "nominee": n.nominee_name,
        "person_id": n.person_id,
        "collective_id": n.collective_id,
        "award": n.award_type.code,
        "award_name": n.award_type.name,
        "status": n.status,
        "verdict": verdict,
    }


_LOADED = ("unit", "person", "collective", "award_type")


@router.get(YEAR + "/nominations", response={200: NominationList, **ERRORS})
def nomination_list(
    request: SignedInRequest, slug: Slug, year: int, filters: Query[Filters]
) -> dict[str, Any]:
    """The year's nominations with their verdicts, filtered as on the page."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    found = Nomination.objects.filter(year=emulation_year).select_related(*_LOADED)
    if filters.unit is not None:
        found = found.filter(unit_id=filters.unit)
    if filters.award:
        found = found.filter(award_type__code=filters.award)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.q:
        found = found.filter(search_key__contains=search_key(filters.q))
    judgements = judge_year(emulation_year)
    names = _names()
    listed = sorted(found, key=lambda n: (sort_key(n.unit.name), n.award_type.rank, n.pk))
    totals = rules.tally(judgements[n.pk] for n in listed)
    return {
        "count": len(listed),
        "totals": {verdict.value: count for verdict, count in totals.items()},
        "nominations": [_nomination(n, _verdict(judgements[n.pk], names)) for n in listed],
    }


@router.get(YEAR + "/nominations/{nomination_id}", response={200: NominationDetail, **ERRORS})
def nomination_detail(
    request: SignedInRequest, slug: Slug, year: int, nomination_id: Id
) -> dict[str, Any]:
    """One nomination, its verdict and the reasons for it."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    try:
        n = Nomination.objects.select_related(*_LOADED, "record").get(
            pk=nomination_id, year=emulation_year
        )
    except Nomination.DoesNotExist:
        raise Http404 from None
    judgement = judge_year(emulation_year)[n.pk]
    return {
        **_nomination(n, _verdict(judgement, _names())),
        "summary": n.summary,
        "clean_record": n.clean_record,
        "return_reason": n.return_reason,
        "files": [f.name for f in n.files.all()],
        "decision_number": n.record.decision_number if n.record else None,
        "decision_date": n.record.decision_date if n.record else None,
    }


@router.get(YEAR + "/eligibility", response={200: NominationList, **ERRORS})
def eligibility(request: SignedInRequest, slug: Slug, year: int) -> dict[str, Any]:
    """Every nomination of the year judged together, with the reasons for each verdict."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    nominations = list(emulation_year.nominations.select_related(*_LOADED))
    judgements = judge_year(emulation_year)
    names = _names()
    listed = sorted(nominations, key=lambda n: (sort_key(n.unit.name), n.award_type.rank, n.pk))
    totals = rules.tally(judgements.values())
    return {
        "count": len(listed),
        "totals": {verdict.value: count for verdict, count in totals.items()},
        "nominations": [_nomination(n, _verdict(judgements[n.pk], names)) for n in listed],
    }


# --- history -----------------------------------------------------------------------------


def _records(found: Any) -> list[dict[str, Any]]:
    return [
        {
            "award": r.award_type.code,
            "award_name": r.award_type.name,
            "year": r.year,
            "decision_number": r.decision_number,
            "decision_date": r.decision_date,
            "issuer": r.issuer_name,
            "organization_id": r.organization_id,
            "unit_name": r.unit_name or (r.organization.name if r.organization is not None else ""),
            "source": r.source,
        }
        for r in found.select_related("award_type", "organization").order_by(
            "year", "award_type__rank", "pk"
        )
    ]


def _ratings(found: Any) -> list[dict[str, Any]]:
    return [
        {
            "year": r.year,
            "rating": r.rating,
            "label": str(r.get_rating_display()),
            "organization_id": r.organization_id,
        }
        for r in found.order_by("year", "pk")
    ]


def _members(year: EmulationYear) -> Any:
    return Membership.objects.filter(year=year).values("organization_id")


@router.get(YEAR + "/award-history/units/{org_id}", response={200: UnitHistory, **ERRORS})
def unit_history(request: SignedInRequest, slug: Slug, year: int, org_id: Id) -> dict[str, Any]:
    """A member unit's or nominated collective's titles, awards and ratings, lineage included."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    access.require(request.user, "awards.manage_history")  # as the unit's history page does
    in_year = Q(pk__in=_members(emulation_year)) | Q(nominations_received__year=emulation_year)
    org = Organization.objects.filter(in_year, pk=org_id).first()
    if org is None:
        raise Http404
    edges = Succession.objects.values_list("predecessor_id", "successor_id")
    lineage = {org.pk} | org_rules.predecessors(org.pk, edges)
    return {
        "organization_id": org.pk,
        "name": org.name,
        "lineage": sorted(lineage),
        "awards": _records(AwardRecord.objects.filter(organization_id__in=lineage)),
        "ratings": _ratings(TaskRating.objects.filter(organization_id__in=lineage)),
    }


@router.get(YEAR + "/award-history/people/{person_id}", response={200: PersonHistory, **ERRORS})
def person_history(
    request: SignedInRequest, slug: Slug, year: int, person_id: Id
) -> dict[str, Any]:
    """A person's titles, awards and ratings: someone nominated in the year or working in a
    member unit (or one of its sub-units) during it."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    access.require(request.user, "awards.manage_history")  # as the person's history page does
    members = _members(emulation_year)
    first, last = dt.date(emulation_year.year, 1, 1), dt.date(emulation_year.year, 12, 31)
    working = PersonPosition.objects.filter(
        Q(organization_id__in=members) | Q(organization__parent_id__in=members),
        Q(valid_from__isnull=True) | Q(valid_from__lte=last),
        Q(valid_to__isnull=True) | Q(valid_to__gte=first),
    ).values("person_id")
    nominated = Nomination.objects.filter(year=emulation_year).values("person_id")
    person = Person.objects.filter(Q(pk__in=working) | Q(pk__in=nominated), pk=person_id).first()
    if person is None:
        raise Http404
    return {
        "person_id": person.pk,
        "full_name": person.full_name,
        "awards": _records(AwardRecord.objects.filter(person=person)),
        "ratings": _ratings(TaskRating.objects.filter(person=person)),
    }


# --- nominations: drafting, submitting, compiling, deciding --------------------------------


CleanRecord = Field(
    default="",
    pattern="^(|yes|no)$",
    description='"yes": no discipline, investigation or open complaint; "no": under one; '
    '"": not confirmed yet.',
)


class NominationIn(Schema):
    person: int | None = Field(default=None, ge=1, le=MAX_ID, description="An individual's id.")
    collective: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="A collective's (a unit's) id."
    )
    award: str = Field(max_length=40, pattern=NO_NUL, description="The award's code.")
    summary: str = Field(max_length=10_000, pattern=NO_NUL)
    clean_record: str = CleanRecord


class NominationUpdate(Schema):
    summary: str = Field(max_length=10_000, pattern=NO_NUL)
    clean_record: str = CleanRecord
    version: str = Field(
        default="",
        max_length=64,
        pattern=NO_NUL,
        description="The nomination's version as read; a newer edit made meanwhile is kept.",
    )


class ReturnIn(Schema):
    reason: str = Field(max_length=10_000, pattern=NO_NUL)


class DecisionIn(Schema):
    authority: str = Field(max_length=40, pattern=NO_NUL)
    number: str = Field(
        default="", max_length=1000, pattern=NO_NUL, description="Empty: the register's next."
    )
    date: dt.date
    place: str = Field(default="", max_length=1000, pattern=NO_NUL)
    issuer_name: str = Field(max_length=1000, pattern=NO_NUL)
    signer_title: str = Field(default="", max_length=1000, pattern=NO_NUL)
    signer_name: str = Field(max_length=1000, pattern=NO_NUL)


class DecisionOut(Schema):
    id: int
    number: str
    date: dt.date
    issuer: str
    nominations: int = Field(description="How many approved nominations it decides.")


class Compiled(Schema):
    compiled: list[int] = Field(description="The ids of the nominations compiled.")


def _detail_of(emulation_year: EmulationYear, nomination_id: int) -> dict[str, Any]:
    n = Nomination.objects.select_related(*_LOADED, "record").get(
        pk=nomination_id, year=emulation_year
    )
    judgement = judge_year(emulation_year)[n.pk]
    return {
        **_nomination(n, _verdict(judgement, _names())),
        "summary": n.summary,
        "clean_record": n.clean_record,
        "return_reason": n.return_reason,
        "files": [f.name for f in n.files.all()],
        "decision_number": n.record.decision_number if n.record else None,
        "decision_date": n.record.decision_date if n.record else None,
    }


def _of_year(emulation_year: EmulationYear, nomination_id: int) -> Nomination:
    found = (
        Nomination.objects.select_related(*_LOADED, "year__cluster")
        .filter(pk=nomination_id, year=emulation_year)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _award_id(code: str) -> Any:
    """The award's id for the page's form; an unknown code, which the form refuses."""
    found = AwardType.objects.filter(code=code).values_list("pk", flat=True).first()
    return found if found is not None else code


@router.post(YEAR + "/nominations", response={201: NominationDetail, 409: Error, **ERRORS})
def nomination_new(request: SignedInRequest, slug: Slug, year: int, body: NominationIn) -> Any:
    """The unit's officer drafts a nomination of one of the unit's people or collectives."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    own = access.roles_in_year(request.user, emulation_year).own_member_org_id
    if own is None:
        raise PermissionDenied("awards.draft")
    unit = access.get_membership_for(request.user, emulation_year, own, "awards.draft").organization
    values = {**body.dict(), "award_type": _award_id(body.award)}
    data = cleaned(bound(NominationForm, values, unit=unit))
    drafted = actions.do_draft_nomination(
        emulation_year, unit=unit, acting_user=request.user, **data
    )
    return Status(201, _detail_of(emulation_year, drafted.pk))


@router.post(
    YEAR + "/nominations/{nomination_id}/update",
    response={200: NominationDetail, 409: Error, **ERRORS},
)
def nomination_update(
    request: SignedInRequest, slug: Slug, year: int, nomination_id: Id, body: NominationUpdate
) -> Any:
    """The unit changes its draft's (or returned nomination's) summary and clean record."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    nomination = _of_year(emulation_year, nomination_id)
    data = cleaned(bound(NominationEditForm, body.dict()))
    actions.do_update_nomination(nomination, acting_user=request.user, **data)
    return _detail_of(emulation_year, nomination.pk)


def _step(request: SignedInRequest, slug: str, year: int, nomination_id: int, step: Any) -> Any:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    nomination = _of_year(emulation_year, nomination_id)
    step(nomination)
    return _detail_of(emulation_year, nomination.pk)


@router.post(
    YEAR + "/nominations/{nomination_id}/submit",
    response={200: NominationDetail, 409: Error, **ERRORS},
)
def nomination_submit(request: SignedInRequest, slug: Slug, year: int, nomination_id: Id) -> Any:
    """The unit's leader submits the draft to the cluster."""
    return _step(
        request, slug, year, nomination_id,
        lambda n: actions.do_submit_nomination(n, acting_user=request.user),
    )  # fmt: skip


@router.post(
    YEAR + "/nominations/{nomination_id}/approve",
    response={200: NominationDetail, 409: Error, **ERRORS},
)
def nomination_approve(request: SignedInRequest, slug: Slug, year: int, nomination_id: Id) -> Any:
    """The deciding authority approves a compiled nomination."""
    return _step(
        request, slug, year, nomination_id,
        lambda n: actions.do_approve_nomination(n, acting_user=request.user),
    )  # fmt: skip


@router.post(
    YEAR + "/nominations/{nomination_id}/return",
    response={200: NominationDetail, 409: Error, **ERRORS},
)
def nomination_return(
    request: SignedInRequest, slug: Slug, year: int, nomination_id: Id, body: ReturnIn
) -> Any:
    """The deciding authority returns a nomination to its unit, saying why."""
    data = cleaned(bound(ReturnForm, body.dict()))
    return _step(
        request, slug, year, nomination_id,
        lambda n: actions.do_return_nomination(
            n, reason=data["reason"], acting_user=request.user
        ),
    )  # fmt: skip


@router.post(YEAR + "/proposal", response={200: Compiled, 409: Error, **ERRORS})
def compile_proposal(request: SignedInRequest, slug: Slug, year: int) -> Any:
    """The secretariat compiles every submitted nomination into the cluster's proposal."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.compile")
    compiled = actions.do_compile_proposal(emulation_year, acting_user=request.user)
    return {"compiled": [n.pk for n in compiled]}


@router.post(YEAR + "/decisions", response={201: DecisionOut, 409: Error, **ERRORS})
def record_decision(request: SignedInRequest, slug: Slug, year: int, body: DecisionIn) -> Any:
    """The deciding authority records its decision on the approved nominations: each becomes
    an entry of the award history."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.decide")
    data = cleaned(bound(DecisionForm, body.dict()))
    decision = actions.do_record_decision(emulation_year, acting_user=request.user, **data)
    return Status(
        201,
        {
            "id": decision.pk,
            "number": decision.number,
            "date": decision.date,
            "issuer": decision.issuer_name,
            "nominations": decision.records.count(),
        },
    )


@router.post(
    YEAR + "/nominations/{nomination_id}/evidence",
    response={201: NominationDetail, 409: Error, 507: Error, **ERRORS},
)
def nomination_evidence(
    request: SignedInRequest,
    slug: Slug,
    year: int,
    nomination_id: Id,
    file: MaybeFile = None,
) -> Any:
    """The unit attaches a file of evidence (PDF, image, Word or Excel) to its draft or
    returned nomination. A missing or empty file is refused by the page's form (400)."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    nomination = _of_year(emulation_year, nomination_id)
    data = cleaned(bound(EvidenceForm, {}, files={"upload": file}))
    with uploads.storing():
        actions.do_attach_evidence(nomination, upload=data["upload"], acting_user=request.user)
    return Status(201, _detail_of(emulation_year, nomination.pk))


# --- the catalogue ---------------------------------------------------------------------------


class RuleIn(Schema):
    effective_from: dt.date
    status: str = Field(
        max_length=40, pattern=NO_NUL, description="verified, unverified or not_found."
    )
    legal_source: str = Field(max_length=1000, pattern=NO_NUL)
    requirements: list[dict[str, Any]] = Field(
        description="The rule's requirements, as the catalogue page's JSON."
    )
    note: str = Field(default="", max_length=10_000, pattern=NO_NUL)


class RuleOut(Schema):
    id: int
    award: str
    effective_from: dt.date
    status: str
    legal_source: str
    requirements: list[dict[str, Any]]
    note: str


@router.post("/awards/{code}/rules", response={201: RuleOut, 409: Error, **ERRORS})
def rule_new(request: SignedInRequest, code: Slug, body: RuleIn) -> Any:
    """The supervisor adds a version of an award's rule, in force from a date; the earlier
    versions stay for the years they governed."""
    access.require(request.user, "awards.manage_catalogue")
    award = AwardType.objects.filter(code=code).first()
    if award is None:
        raise Http404
    values = {**body.dict(), "requirements": json.dumps(body.requirements, ensure_ascii=False)}
    data = cleaned(bound(RuleVersionForm, values))
    rule: AwardRule = actions.do_save_rule_version(award, acting_user=request.user, **data)
    return Status(
        201,
        {
            "id": rule.pk,
            "award": award.code,
            **{f: getattr(rule, f) for f in ("effective_from", "status", "legal_source", "note")},
            "requirements": rule.requirements,
        },
    )


# --- long work as jobs: the national page's, a decision's certificates ------------------------


def _job_links() -> dict[str, Any]:
    """OpenAPI links from a started job's id to the operations that follow it."""
    return {
        "responses": {
            202: {
                "links": {
                    name: {"operationId": operation, "parameters": {"job_id": "$response.body#/id"}}
                    for name, operation in (
                        ("GetJob", "thidua_api_bulk_job"),
                        ("GetJobFile", "thidua_api_awards_job_file"),
                    )
                }
            }
        }
    }


class NationalIn(Schema):
    year: int = Field(ge=-32768, le=32767, description="A year some cluster has.")
    kind: str = Field(
        default="national_report",
        max_length=40,
        pattern=NO_NUL,
        description="national_report (the summary report, .docx) or check_eligibility (every "
        "proposal with its eligibility, .xlsx).",
    )


@router.post(
    "/national/jobs",
    response={202: JobOut, 409: Error, **ERRORS},
    openapi_extra=_job_links(),
)
def national(request: SignedInRequest, body: NationalIn) -> Any:
    """The supervisor starts the national summary report, or the eligibility workbook of every
    cluster's proposals, of a year; follow `GET /jobs/{id}`, then fetch its file."""
    access.require(request.user, "conference.national_report")
    data = cleaned(bound(NationalForm, body.dict()))
    job = do_start_job(data["kind"], acting_user=request.user, params={"year": data["year"]})
    return Status(202, job_answer(job))


class Paper(StrEnum):
    """A certificate's paper: A4 landscape, or A3."""

    A4 = "a4"
    A3 = "a3"


@router.post(
    YEAR + "/decisions/{decision_id}/certificates",
    response={202: JobOut, 409: Error, **ERRORS},
    openapi_extra=_job_links(),
)
def certificates_job(
    request: SignedInRequest, slug: Slug, year: int, decision_id: Id, paper: Paper = Paper.A4
) -> Any:
    """The deciding authority has every holder's certificate made as one PDF, in the
    background; follow `GET /jobs/{id}`, then fetch its file."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.decide")
    decision = Decision.objects.filter(pk=decision_id, year=emulation_year).first()
    if decision is None:
        raise Http404
    documents.require_holders(decision)
    job = do_start_job(
        documents.CERTIFICATES_JOB,
        acting_user=request.user,
        params={"decision": decision.pk, "paper": paper.value},
    )
    return Status(202, job_answer(job))


@router.post("/jobs/{job_id}/retry", response={202: JobOut, 409: Error, **ERRORS})
def job_retry(request: SignedInRequest, job_id: str) -> Any:
    """Queue a failed job of yours again (on the file it was given, if it takes one)."""
    job = do_retry_job(job_for(request.user, job_id), acting_user=request.user)
    return Status(202, job_answer(job))


@router.get(
    "/jobs/{job_id}/file",
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The file the job produced (a .docx, .xlsx or .pdf).",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def job_file(request: SignedInRequest, job_id: str) -> Any:
    """The file a finished job of yours produced; 404 until it has one."""
    job = job_for(request.user, job_id)
    if not job.output:
        raise Http404
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=job.output_name)
