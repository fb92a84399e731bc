"""The year's scoring in the API: the criteria table, a unit's self-assessment, the ranking.

As on the pages, a unit's drafts are its own: other units, the secretariat and the
supervisor see its scores once it has submitted them. The secretariat writes the table and
its bands until self-assessment locks them; criteria are named by their number throughout.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django import forms
from django.http import Http404, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.models import Membership
from thidua.errors import ActionRefused, Refusal
from thidua.lib import uploads
from thidua.scoring import actions, reads
from thidua.scoring.forms import (
    AssignForm,
    BandsForm,
    CriterionForm,
    DisputeForm,
    EvidenceForm,
    ReviewForm,
    ScoresForm,
    SettleForm,
    TableForm,
)
from thidua.scoring.models import (
    CriteriaTable,
    Criterion,
    Dispute,
    Evidence,
    ReviewAssignment,
    Score,
    SelfAssessment,
)
from thidua.scoring.problems import describe, label

from . import paging
from .forms import bound, cleaned, form_data
from .schemas import ERRORS, NO_NUL, Error, Id, Slug, number

router = Router(tags=["scoring"])

YEAR = "/clusters/{slug}/years/{year}/scoring"


class CriterionOut(Schema):
    number: str
    title: str
    kind: str
    max_points: str | None
    parent: str | None = Field(description="The number of the section it belongs to.")
    depth: int


class BandOut(Schema):
    classification: str
    label: str
    min_total: str


class TableOut(Schema):
    title: str
    locked: bool
    max_total: str
    min_total: str
    criteria: list[CriterionOut]
    bands: list[BandOut]
    bands_are_default: bool
    problems: list[str]


class ScoreEvidenceOut(Schema):
    id: int
    criterion: str = Field(description="The number of the criterion it backs.")
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


class ScoreOut(Schema):
    number: str
    points: str | None
    explanation: str
    reviewed_points: str | None
    review_reason: str
    disputed: bool
    settled_points: str | None
    evidence: list[ScoreEvidenceOut] = Field(description="The files attached to the score.")


class AssessmentOut(Schema):
    organization_id: int
    name: str
    submitted: bool
    submitted_at: dt.datetime | None
    visible: bool = Field(description="False while another unit's scores are still a draft.")
    total: str | None = Field(description="The sum of the self-scores shown.")
    scores: list[ScoreOut]


class StandingOut(Schema):
    rank: int
    tied: bool
    organization_id: int
    name: str
    items: str
    bonus: str
    penalty: str
    total: str
    classification: str
    label: str


class RankingOut(Schema):
    provisional: bool = Field(description="True while cross-check runs: the totals may change.")
    frozen_at: dt.datetime | None
    max_total: str
    bands: list[BandOut]
    standings: list[StandingOut]


def _bands(bands: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "classification": b.classification.value,
            "label": label(b.classification),
            "min_total": number(b.min_total),
        }
        for b in bands
    ]


@router.get(YEAR + "/table", response={200: TableOut, 304: None, **ERRORS})
def criteria_table(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """The year's criteria table in table order, and its classification bands.

    The whole table at once (a year's table is its criteria, a page of them); the `ETag`
    changes with any criterion, band or the lock, for `If-None-Match`.
    """
    return paging.conditional(request, response, _table(request, slug, year))


def _table(request: SignedInRequest, slug: Slug, year: int) -> dict[str, Any]:
    """The criteria table as the API writes it, for its reading and after each change."""
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    table = reads.table_of(emulation_year)
    if table is None:
        raise Http404
    tree = reads.load_tree(table)
    numbers = {row.pk: row.number for row in tree.rows}
    return {
        "title": table.title,
        "locked": table.is_locked,
        "max_total": number(tree.max_total),
        "min_total": number(tree.min_total),
        "criteria": [
            {
                "number": row.number,
                "title": row.title,
                "kind": row.kind,
                "max_points": number(row.max_points),
                "parent": numbers.get(row.parent_id) if row.parent_id else None,
                "depth": tree.depth[row.pk],
            }
            for row in tree.rows
        ],
        "bands": _bands(tree.bands),
        "bands_are_default": not tree.stored_bands,
        "problems": [describe(p) for p in tree.problems()],
    }


def _evidence(evidence: Evidence, criterion: str) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "criterion": criterion,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "uploaded_at": evidence.uploaded_at,
    }


def _score(score: Score) -> dict[str, Any]:
    review = getattr(score, "review", None)
    dispute = getattr(score, "dispute", None)
    criterion = score.criterion.number
    return {
        "number": criterion,
        "points": number(score.points),
        "explanation": score.explanation,
        "reviewed_points": number(review.points) if review else None,
        "review_reason": review.reason if review else "",
        "disputed": dispute is not None,
        "settled_points": number(dispute.settled_points) if dispute else None,
        "evidence": [_evidence(e, criterion) for e in score.evidence.all()],
    }


@router.get(YEAR + "/units/{org_id}", response={200: AssessmentOut, **ERRORS})
def assessment(request: SignedInRequest, slug: Slug, year: int, org_id: Id) -> dict[str, Any]:
    """A unit's self-assessment: its own unit sees the draft, everyone else the submission."""
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "scoring.view_unit"
    )
    found = SelfAssessment.objects.filter(membership=membership).first()
    submitted = found is not None and found.is_submitted
    visible = request.user.has_perm("scoring.self_score", membership) or submitted
    scores: list[Score] = []
    if found is not None and visible:
        scores = list(
            Score.objects.filter(assessment=found)
            .select_related("criterion", "review", "dispute")
            .prefetch_related("evidence")
            .order_by("criterion__order", "criterion__pk")
        )
    given = [s.points for s in scores if s.points is not None]
    return {
        "organization_id": membership.organization_id,
        "name": membership.organization.name,
        "submitted": submitted,
        "submitted_at": found.submitted_at if found else None,
        "visible": visible,
        "total": number(sum(given, Decimal(0))) if given else None,
        "scores": [_score(s) for s in scores],
    }


@router.get(YEAR + "/ranking", response={200: RankingOut, 304: None, **ERRORS})
def ranking(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """The ranking: live and provisional in cross-check, frozen when cross-check closes.

    404 before cross-check, when there is no ranking yet. Every member at once (no cursor);
    the `ETag` changes with any score that moves it, for `If-None-Match`.
    """
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    result = reads.ranking(emulation_year)
    if result is None:
        raise Http404
    body = {
        "provisional": result.provisional,
        "frozen_at": result.snapshot.taken_at if result.snapshot else None,
        "max_total": number(result.max_total),
        "bands": _bands(result.bands),
        "standings": [
            {
                "rank": s.rank,
                "tied": s.tied,
                "organization_id": s.organization_id,
                "name": s.name,
                "items": number(s.items),
                "bonus": number(s.bonus),
                "penalty": number(s.penalty),
                "total": number(s.total),
                "classification": s.classification.value,
                "label": label(s.classification),
            }
            for s in result.standings
        ],
    }
    return paging.conditional(request, response, body)


# --- self-assessment, cross-check and disputes ----------------------------------------------

# Points as the page takes them: a number, or text such as "12,5" or "12.5"; null: none.
Points = float | str | None
Number = Field(max_length=20, pattern=NO_NUL, description="The criterion's number.")


class ScoreIn(Schema):
    points: Points = Field(default=None, description='A number, or text such as "12,5".')
    explanation: str = Field(default="", max_length=3000, pattern=NO_NUL)


class ScoresIn(Schema):
    scores: dict[str, ScoreIn] = Field(
        max_length=60,
        description="By criterion number. As on the page's form, a scored item left out is "
        "saved unscored.",
    )


class ReviewIn(Schema):
    points: Points = Field(default=None, description="Null: the item is not reviewed.")
    reason: str = Field(default="", max_length=3000, pattern=NO_NUL)


class ReviewsIn(Schema):
    reviews: dict[str, ReviewIn] = Field(
        max_length=60, description="By criterion number; an item left out is saved unreviewed."
    )


class DisputeIn(Schema):
    criterion: str = Number
    reason: str = Field(max_length=10_000, pattern=NO_NUL)


class SettleIn(Schema):
    criterion: str = Number
    points: Points
    reason: str = Field(max_length=10_000, pattern=NO_NUL)


class AssignIn(Schema):
    reviewers: dict[str, int] = Field(
        max_length=200,
        description="For each member (by organisation id), the organisation id of the member "
        "who cross-checks it.",
        json_schema_extra={"propertyNames": {"pattern": "^[0-9]{1,18}$"}},
    )


class AssignmentOut(Schema):
    organization_id: int
    reviewer_id: int


def _points(value: Points) -> str:
    """The points as the page's box would hold them: a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _leaf_fields(tree: reads.TableTree, given: dict[str, Any], second: str) -> dict[str, Any]:
    """The page's field names (`points_<id>`, and `explanation_<id>` or `reason_<id>`) for
    the values given by criterion number; a number that is not a scored item is refused."""
    leaves = {leaf.number: leaf.pk for leaf in tree.leaves}
    values: dict[str, Any] = {}
    for criterion, entry in given.items():
        if criterion not in leaves:
            raise ActionRefused(
                _("The criterion is not a scored item of this year's table."),
                kind=Refusal.INVALID,
            )
        values[f"points_{leaves[criterion]}"] = _points(entry.points)
        values[f"{second}_{leaves[criterion]}"] = getattr(entry, second)
    return values


def _unit(request: SignedInRequest, slug: str, year: int, org_id: int, perm: str) -> Membership:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    return access.get_membership_for(request.user, emulation_year, org_id, perm)


@router.post(YEAR + "/units/{org_id}/scores", response={200: AssessmentOut, 409: Error, **ERRORS})
def save_scores(request: SignedInRequest, slug: Slug, year: int, org_id: Id, body: ScoresIn) -> Any:
    """The unit's officers save its draft self-scores, with their explanations."""
    membership = _unit(request, slug, year, org_id, "scoring.view_unit")
    table = reads.table_of(membership.year)
    if table is None or not table.is_locked:
        # Before the table is locked the year is not in self-assessment: the action says so.
        actions.do_save_self_scores(membership, entries={}, acting_user=request.user)
        raise Http404
    tree = reads.load_tree(table)
    form = bound(ScoresForm, _leaf_fields(tree, body.scores, "explanation"), tree=tree)
    cleaned(form)
    actions.do_save_self_scores(membership, entries=form.entries(), acting_user=request.user)
    return assessment(request, slug, year, org_id)


@router.post(YEAR + "/units/{org_id}/submit", response={200: AssessmentOut, 409: Error, **ERRORS})
def submit_scores(request: SignedInRequest, slug: Slug, year: int, org_id: Id) -> Any:
    """The unit's leader submits its self-assessment, once."""
    membership = _unit(request, slug, year, org_id, "scoring.submit")
    actions.do_submit_assessment(membership, acting_user=request.user)
    return assessment(request, slug, year, org_id)


@router.post(YEAR + "/units/{org_id}/review", response={200: AssessmentOut, 409: Error, **ERRORS})
def save_review(
    request: SignedInRequest, slug: Slug, year: int, org_id: Id, body: ReviewsIn
) -> Any:
    """The assigned reviewer confirms or changes the member's self-scores, with reasons."""
    membership = _unit(request, slug, year, org_id, "scoring.review")
    assignment = (
        ReviewAssignment.objects.filter(reviewed=membership)
        .select_related("reviewer__organization", "reviewed__year")
        .first()
    )
    submitted = (
        SelfAssessment.objects.filter(membership=membership, submitted_at__isnull=False)
        .select_related("table")
        .first()
    )
    if assignment is None or submitted is None:
        raise ActionRefused(
            _("Only the assigned reviewer can cross-check this member.")
            if assignment is None
            else _("The member has not submitted its self-assessment."),
            kind=Refusal.NOT_YOURS if assignment is None else Refusal.WRONG_STATUS,
        )
    tree = reads.load_tree(submitted.table)
    form = bound(ReviewForm, _leaf_fields(tree, body.reviews, "reason"), tree=tree)
    cleaned(form)
    actions.do_save_review(assignment, entries=form.entries(), acting_user=request.user)
    return assessment(request, slug, year, org_id)


def _score_of(membership: Membership, criterion: str) -> Score:
    found = (
        Score.objects.select_related("assessment__membership__year", "criterion")
        .filter(assessment__membership=membership, criterion__number=criterion)
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.post(YEAR + "/units/{org_id}/disputes", response={200: AssessmentOut, 409: Error, **ERRORS})
def raise_dispute(
    request: SignedInRequest, slug: Slug, year: int, org_id: Id, body: DisputeIn
) -> Any:
    """The reviewed member contests the review of one item, saying why."""
    membership = _unit(request, slug, year, org_id, "scoring.dispute")
    score = _score_of(membership, body.criterion)
    data = cleaned(bound(DisputeForm, {"reason": body.reason}))
    actions.do_raise_dispute(score, reason=data["reason"], acting_user=request.user)
    return assessment(request, slug, year, org_id)


@router.post(
    YEAR + "/units/{org_id}/disputes/settle",
    response={200: AssessmentOut, 409: Error, **ERRORS},
)
def settle_dispute(
    request: SignedInRequest, slug: Slug, year: int, org_id: Id, body: SettleIn
) -> Any:
    """The secretariat settles a dispute: these points stand."""
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "scoring.view_unit"
    )
    dispute = (
        Dispute.objects.select_related(
            "score__criterion", "score__assessment__membership__year", "score__assessment__table"
        )
        .filter(score=_score_of(membership, body.criterion))
        .first()
    )
    if dispute is None:
        raise Http404
    data = cleaned(bound(SettleForm, {"points": _points(body.points), "reason": body.reason}))
    actions.do_settle_dispute(
        dispute, points_settled=data["points"], reason=data["reason"], acting_user=request.user
    )
    return assessment(request, slug, year, org_id)


@router.post(YEAR + "/reviewers", response={200: list[AssignmentOut], 409: Error, **ERRORS})
def assign_reviewers(request: SignedInRequest, slug: Slug, year: int, body: AssignIn) -> Any:
    """The secretariat sets who cross-checks whom, one reviewer for each member."""
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    members = list(Membership.objects.filter(year=emulation_year).select_related("organization"))
    by_org = {str(m.organization_id): m.pk for m in members}
    values = {
        f"reviewer_{by_org.get(reviewed, reviewed)}": by_org.get(str(reviewer), reviewer)
        for reviewed, reviewer in body.reviewers.items()
    }
    form = bound(AssignForm, values, members=members)
    cleaned(form)
    done = actions.do_assign_reviewers(emulation_year, plan=form.plan(), acting_user=request.user)
    orgs = {m.pk: m.organization_id for m in members}
    return [
        {"organization_id": orgs[a.reviewed_id], "reviewer_id": orgs[a.reviewer_id]} for a in done
    ]


# --- the criteria table and its bands, set by the secretariat before self-assessment --------


class TableIn(Schema):
    title: str = Field(max_length=500, pattern=NO_NUL)
    copy_previous: bool = Field(
        default=True,
        description="Copy the cluster's latest earlier table and bands, if it has one (the "
        "page's box, ticked at first).",
    )


class CriterionIn(Schema):
    parent: str | None = Field(
        default=None,
        max_length=20,
        pattern=NO_NUL,
        description="The number of the section it goes under; null: the top of the table.",
    )
    number: str = Field(max_length=20, pattern=NO_NUL)
    title: str = Field(max_length=500, pattern=NO_NUL)
    kind: str = Field(max_length=40, pattern=NO_NUL, description="section, item, bonus or penalty.")
    max_points: Points = Field(
        default=None,
        description='A number, or text such as "12,5". For a penalty: the most points it can '
        "deduct; optional for a section.",
    )


class CriterionChangeIn(Schema):
    criterion: str = Number
    number: str = Field(max_length=20, pattern=NO_NUL, description="Its number from now on.")
    title: str = Field(max_length=500, pattern=NO_NUL)
    kind: str = Field(max_length=40, pattern=NO_NUL, description="section, item, bonus or penalty.")
    max_points: Points = None


class CriterionRefIn(Schema):
    criterion: str = Number


class CriterionMoveIn(Schema):
    criterion: str = Number
    direction: Literal["up", "down"] = Field(
        description="Swap it with the criterion before (up) or after (down) it, under the "
        "same parent; at either end, nothing changes."
    )


class BandsIn(Schema):
    xuat_sac: Points = Field(description="The lowest total classified “excellent”.")
    tot: Points = Field(description="The lowest total classified “good”.")
    hoan_thanh: Points = Field(description="The lowest total classified “completed”.")


def _refused_as_page(form: forms.BaseForm, message: str | None = None) -> None:
    """An invalid form refused with the words the page flashes (`message`, or the form's
    errors in one line), each field's problem following as the refusal's details."""
    if form.is_valid():
        return
    each = [(field, " ".join(str(e) for e in errors)) for field, errors in form.errors.items()]
    raise ActionRefused(
        message or " ".join(text for _field, text in each),
        kind=Refusal.INVALID,
        details=[f"{field}: {text}" for field, text in each],
    )


def _managed_table(request: SignedInRequest, slug: str, year: int) -> CriteriaTable:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    table = reads.table_of(emulation_year)
    if table is None:
        raise Http404
    return table


def _criterion_of(request: SignedInRequest, slug: str, year: int, criterion: str) -> Criterion:
    table = _managed_table(request, slug, year)
    found = (
        Criterion.objects.select_related("table__year__cluster")
        .filter(table=table, number=criterion)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _criterion_input(form: CriterionForm) -> actions.CriterionInput:
    data = form.cleaned_data
    return actions.CriterionInput(data["number"], data["title"], data["kind"], data["max_points"])


@router.post(YEAR + "/table", response={201: TableOut, 409: Error, **ERRORS})
def table_create(request: SignedInRequest, slug: Slug, year: int, body: TableIn) -> Any:
    """The secretariat starts the year's criteria table, empty or as a copy of the cluster's
    latest earlier table and bands."""
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    form = bound(TableForm, body.dict())
    _refused_as_page(form, _("Give the table a title."))
    copy_from = (
        actions.previous_table(emulation_year) if form.cleaned_data["copy_previous"] else None
    )
    actions.do_create_table(
        emulation_year,
        title=form.cleaned_data["title"],
        copy_from=copy_from,
        acting_user=request.user,
    )
    return Status(201, _table(request, slug, year))


@router.post(YEAR + "/table/criteria", response={201: TableOut, 409: Error, **ERRORS})
def criterion_add(request: SignedInRequest, slug: Slug, year: int, body: CriterionIn) -> Any:
    """The secretariat adds a section, a criterion, a bonus or a penalty at the end of its
    parent (or of the table)."""
    table = _managed_table(request, slug, year)
    parent = None
    if body.parent is not None:
        parent = Criterion.objects.filter(table=table, number=body.parent).first()
        if parent is None:
            raise ActionRefused(_("The parent is not in this table."), kind=Refusal.INVALID)
    # The page offers the sections as the parent; the action refuses a scored item as one.
    form = bound(CriterionForm, {**body.dict(), "max_points": _points(body.max_points)})
    del form.fields["parent"]
    _refused_as_page(form)
    actions.do_add_criterion(
        table, parent=parent, data=_criterion_input(form), acting_user=request.user
    )
    return Status(201, _table(request, slug, year))


@router.post(YEAR + "/table/criteria/update", response={200: TableOut, 409: Error, **ERRORS})
def criterion_edit(request: SignedInRequest, slug: Slug, year: int, body: CriterionChangeIn) -> Any:
    """The secretariat corrects a criterion's number, title, kind or maximum."""
    criterion = _criterion_of(request, slug, year, body.criterion)
    values = body.dict(exclude={"criterion"}) | {"max_points": _points(body.max_points)}
    form = bound(CriterionForm, values)
    del form.fields["parent"]
    cleaned(form)
    actions.do_change_criterion(criterion, data=_criterion_input(form), acting_user=request.user)
    return _table(request, slug, year)


@router.post(YEAR + "/table/criteria/remove", response={200: TableOut, 409: Error, **ERRORS})
def criterion_remove(request: SignedInRequest, slug: Slug, year: int, body: CriterionRefIn) -> Any:
    """The secretariat takes a criterion out of the table; a section must be emptied first."""
    criterion = _criterion_of(request, slug, year, body.criterion)
    actions.do_remove_criterion(criterion, acting_user=request.user)
    return _table(request, slug, year)


@router.post(YEAR + "/table/criteria/move", response={200: TableOut, 409: Error, **ERRORS})
def criterion_move(request: SignedInRequest, slug: Slug, year: int, body: CriterionMoveIn) -> Any:
    """The secretariat moves a criterion one place up or down among its siblings."""
    criterion = _criterion_of(request, slug, year, body.criterion)
    actions.do_move_criterion(criterion, up=body.direction == "up", acting_user=request.user)
    return _table(request, slug, year)


@router.post(YEAR + "/table/bands", response={200: TableOut, 409: Error, **ERRORS})
def bands_set(request: SignedInRequest, slug: Slug, year: int, body: BandsIn) -> Any:
    """The secretariat sets the classification thresholds, best class first, descending."""
    table = _managed_table(request, slug, year)
    form = bound(BandsForm, {code: _points(value) for code, value in body.dict().items()})
    _refused_as_page(form, _("Enter a threshold for each classification."))
    actions.do_set_bands(table, thresholds=form.thresholds(), acting_user=request.user)
    return _table(request, slug, year)


# --- evidence for a self-score ----------------------------------------------------------------


@router.post(
    YEAR + "/units/{org_id}/evidence",
    response={201: ScoreEvidenceOut, 409: Error, 507: Error, **ERRORS},
)
def evidence_upload(
    request: SignedInRequest,
    slug: Slug,
    year: int,
    org_id: Id,
    file: File[UploadedFile],
    criterion: Annotated[
        str,
        Form(min_length=1, max_length=20, pattern=NO_NUL, description="The scored item's number."),
    ],
) -> Any:
    """The unit's officers attach a file (PDF, JPEG, PNG, Word .docx or Excel .xlsx, within
    the evidence's size limit) to the self-score of a scored item, as multipart form data."""
    membership = _unit(request, slug, year, org_id, "scoring.self_score")
    found = Criterion.objects.filter(table__year=membership.year, number=criterion).first()
    files: MultiValueDict[str, Any] = MultiValueDict({"file": [file]})
    form = EvidenceForm(form_data({"criterion": found.pk if found else 0}), files)
    if not form.is_valid():
        kind = Refusal.MISSING
        if form.has_error("file", uploads.TOO_LARGE):
            kind = Refusal.SIZE
        elif form.has_error("file", uploads.NO_ROOM):
            kind = Refusal.NO_ROOM
        raise ActionRefused(uploads.refused(form) or _("Choose a criterion and a file."), kind=kind)
    if found is None:
        raise Http404
    with uploads.storing():
        evidence = actions.do_add_evidence(
            membership, criterion=found, upload=form.cleaned_data["file"], acting_user=request.user
        )
    return Status(201, _evidence(evidence, found.number))
