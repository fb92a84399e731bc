"""The year's scoring in the API: the criteria table, a unit's self-assessment, the ranking.

As on the pages, a unit's drafts are its own: other units, the secretariat and the
supervisor see its scores once it has submitted them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.models import Membership
from thidua.errors import ActionRefused, Refusal
from thidua.scoring import actions, reads
from thidua.scoring.forms import AssignForm, DisputeForm, ReviewForm, ScoresForm, SettleForm
from thidua.scoring.models import Dispute, ReviewAssignment, Score, SelfAssessment
from thidua.scoring.problems import describe, label

from .forms import bound, cleaned
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


class ScoreOut(Schema):
    number: str
    points: str | None
    explanation: str
    reviewed_points: str | None
    review_reason: str
    disputed: bool
    settled_points: str | None


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


@router.get(YEAR + "/table", response={200: TableOut, **ERRORS})
def criteria_table(request: SignedInRequest, slug: Slug, year: int) -> dict[str, Any]:
    """The year's criteria table in table order, and its classification bands."""
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


def _score(score: Score) -> dict[str, Any]:
    review = getattr(score, "review", None)
    dispute = getattr(score, "dispute", None)
    return {
        "number": score.criterion.number,
        "points": number(score.points),
        "explanation": score.explanation,
        "reviewed_points": number(review.points) if review else None,
        "review_reason": review.reason if review else "",
        "disputed": dispute is not None,
        "settled_points": number(dispute.settled_points) if dispute else None,
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


@router.get(YEAR + "/ranking", response={200: RankingOut, **ERRORS})
def ranking(request: SignedInRequest, slug: Slug, year: int) -> dict[str, Any]:
    """The ranking: live and provisional in cross-check, frozen when cross-check closes.

    404 before cross-check, when there is no ranking yet.
    """
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    result = reads.ranking(emulation_year)
    if result is None:
        raise Http404
    return {
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
    return "" if value is None else str(value)


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
