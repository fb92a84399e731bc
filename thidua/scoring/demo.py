"""The demo's 2016 scoring, played through the same actions the users call.

The data (thidua/scoring/data/demo-2016.json) is ILLUSTRATIVE: the reference report gives no
table and no scores, only that every member completed its tasks well and that Sơn La led.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.cycle.models import Membership

from . import actions
from .models import Criterion, Dispute, ReviewAssignment, Score

if TYPE_CHECKING:
    from thidua.demo.play import Demo

# A one-page PDF standing in for the unit's year-end report.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def load_data() -> dict[str, Any]:
    text = resources.files("thidua.scoring").joinpath("data/demo-2016.json").read_text("utf-8")
    return dict(json.loads(text))


def _membership(demo: Demo, key: str) -> Membership:
    return Membership.objects.select_related("year", "organization").get(
        year=demo.year, organization=demo.departments[key]
    )


def _leaves(demo: Demo) -> dict[str, Criterion]:
    return {
        c.number: c
        for c in Criterion.objects.filter(table__year=demo.year).exclude(
            kind=Criterion.Kind.SECTION
        )
    }


def in_progress(demo: Demo) -> None:
    """The secretariat writes the year's criteria table and the cluster's thresholds."""
    spec = load_data()["table"]
    table = actions.do_create_table(demo.year, title=spec["title"], acting_user=demo.secretariat)

    def add(nodes: list[dict[str, Any]], parent: Criterion | None) -> None:
        for node in nodes:
            criterion = actions.do_add_criterion(
                table,
                parent=parent,
                data=actions.CriterionInput(
                    node["number"], node["title"], node["kind"], Decimal(node["max"])
                ),
                acting_user=demo.secretariat,
            )
            add(node.get("children", []), criterion)

    add(spec["criteria"], None)
    actions.do_set_bands(
        table,
        thresholds={code: Decimal(v) for code, v in spec["bands"].items()},
        acting_user=demo.secretariat,
    )


def self_assessment(demo: Demo) -> None:
    """Each unit's officer scores it and attaches evidence; its leader submits."""
    data = load_data()
    leaves = _leaves(demo)
    for key, figures in data["self_scores"].items():
        membership = _membership(demo, key)
        entries = {
            leaves[number].pk: actions.ScoreInput(
                Decimal(value), data["explanation"] if Decimal(value) else ""
            )
            for number, value in zip(data["leaves"], figures, strict=True)
        }
        actions.do_save_self_scores(membership, entries=entries, acting_user=demo.officers[key])
        evidence = data["evidence"]
        if evidence["unit"] == key:
            actions.do_add_evidence(
                membership,
                criterion=leaves[evidence["criterion"]],
                upload=SimpleUploadedFile(evidence["name"], SAMPLE_PDF, "application/pdf"),
                acting_user=demo.officers[key],
            )
        actions.do_submit_assessment(membership, acting_user=demo.leaders[key])


def cross_check(demo: Demo) -> None:
    """The proposed rotation is accepted; reviewers confirm or adjust; a dispute is settled."""
    data = load_data()
    actions.do_assign_reviewers(
        demo.year, plan=actions.proposed_rotation(demo.year), acting_user=demo.secretariat
    )
    leaves = _leaves(demo)
    keys = {org.pk: key for key, org in demo.departments.items()}
    adjustments = {(r["reviewed"], r["criterion"]): r for r in data["reviews"]}
    assignments = ReviewAssignment.objects.filter(reviewed__year=demo.year).select_related(
        "reviewed__year", "reviewed__organization", "reviewer__organization"
    )
    for assignment in assignments:
        reviewed_key = keys[assignment.reviewed.organization_id]
        reviewer_key = keys[assignment.reviewer.organization_id]
        scores = Score.objects.filter(assessment__membership=assignment.reviewed).select_related(
            "criterion"
        )
        entries = {}
        for score in scores:
            change = adjustments.get((reviewed_key, score.criterion.number))
            entries[score.criterion_id] = (
                actions.ReviewInput(Decimal(change["points"]), change["reason"])
                if change
                else actions.ReviewInput(score.points)
            )
        actions.do_save_review(assignment, entries=entries, acting_user=demo.officers[reviewer_key])
    for spec in data["disputes"]:
        score = Score.objects.select_related("assessment__membership__year", "criterion").get(
            assessment__membership__year=demo.year,
            assessment__membership__organization=demo.departments[spec["unit"]],
            criterion=leaves[spec["criterion"]],
        )
        dispute = actions.do_raise_dispute(
            score, reason=spec["reason"], acting_user=demo.officers[spec["unit"]]
        )
        dispute = Dispute.objects.select_related(
            "score__assessment__membership__year", "score__assessment__table", "score__criterion"
        ).get(pk=dispute.pk)
        actions.do_settle_dispute(
            dispute,
            points_settled=Decimal(spec["settled"]),
            reason=spec["settlement"],
            acting_user=demo.secretariat,
        )
