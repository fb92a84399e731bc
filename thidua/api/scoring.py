"""The year's scoring in the API: the criteria table, a unit's self-assessment, the ranking.

As on the pages, a unit's drafts are its own: other units, the secretariat and the
supervisor see its scores once it has submitted them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import Field

from thidua import access
from thidua.scoring import reads
from thidua.scoring.models import Score, SelfAssessment
from thidua.scoring.problems import describe, label

from .schemas import ERRORS, Id, Slug, number

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
def criteria_table(request: HttpRequest, slug: Slug, year: int) -> dict[str, Any]:
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
def assessment(request: HttpRequest, slug: Slug, year: int, org_id: Id) -> dict[str, Any]:
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
def ranking(request: HttpRequest, slug: Slug, year: int) -> dict[str, Any]:
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
