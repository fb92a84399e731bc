"""Cross-check: reviewers adjust with reasons; disputes are settled; the settlement stands."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from thidua.audit.models import AuditEntry
from thidua.cycle.models import Phase
from thidua.errors import ActionRefused
from thidua.scoring import actions, reads
from thidua.scoring.models import Dispute, RankingSnapshot, ReviewAssignment, Score
from thidua.testing.personas import World

from .conftest import assignment_of, leaves, membership, move

D = Decimal


def _score(world: Any, key: Any, number: Any) -> Any:
    return Score.objects.select_related(
        "assessment__membership__year", "assessment__table", "criterion"
    ).get(assessment__membership=membership(world, key), criterion__number=number)


def _review(
    world: Any, key: Any, number: Any, points: Any, reason: Any = "", user: Any = None
) -> None:
    assignment = assignment_of(world, key)
    reviewer = (
        user
        or {
            "cao_bang": world.lai_chau_officer,
            "lai_chau": world.son_la_officer,
            "son_la": world.cao_bang_officer,
        }[key]
    )
    actions.do_save_review(
        assignment,
        entries={leaves(world)[number].pk: actions.ReviewInput(D(points), reason)},
        acting_user=reviewer,
    )


def _totals(world: Any) -> Any:
    result = reads.ranking(world.year)
    assert result is not None
    return {s.name.rsplit("tỉnh ", 1)[1]: s.total for s in result.standings}


def test_proposed_rotation_never_has_a_member_review_itself(cross_checking: World) -> None:
    pairs = {
        (a.reviewed.organization.province, a.reviewer.organization.province)
        for a in ReviewAssignment.objects.select_related(
            "reviewed__organization", "reviewer__organization"
        )
    }
    assert pairs == {("Cao Bằng", "Lai Châu"), ("Lai Châu", "Sơn La"), ("Sơn La", "Cao Bằng")}


def test_secretariat_cannot_assign_a_member_to_itself(cross_checking: World) -> None:
    year = cross_checking.year
    plan = actions.proposed_rotation(year)
    reviewed = next(iter(plan))
    with pytest.raises(ActionRefused):
        actions.do_assign_reviewers(
            year, plan={**plan, reviewed: reviewed}, acting_user=cross_checking.son_la_officer
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignment.objects.filter(reviewed_id=reviewed).update(reviewer_id=reviewed)


def test_member_cannot_assign_reviewers(cross_checking: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_assign_reviewers(
            cross_checking.year,
            plan=actions.proposed_rotation(cross_checking.year),
            acting_user=cross_checking.lai_chau_officer,
        )


def test_reviewer_adjusts_a_score_with_a_reason(cross_checking: World) -> None:
    _review(cross_checking, "lai_chau", "I.1", "7", "Thiếu báo cáo quý IV.")
    assert _score(cross_checking, "lai_chau", "I.1").review.points == D(7)
    assert AuditEntry.objects.filter(action="scoring.review").count() == 1


def test_a_changed_score_needs_a_reason(cross_checking: World) -> None:
    with pytest.raises(ActionRefused):
        _review(cross_checking, "lai_chau", "I.1", "7", "  ")
    _review(cross_checking, "lai_chau", "I.1", "8")  # the same points confirm without a reason


def test_only_the_assigned_reviewer_reviews(cross_checking: World) -> None:
    with pytest.raises(ActionRefused):
        _review(cross_checking, "lai_chau", "I.1", "7", "x", user=cross_checking.cao_bang_officer)
    with pytest.raises(PermissionDenied):  # nobody reviews its own unit
        _review(cross_checking, "lai_chau", "I.1", "7", "x", user=cross_checking.lai_chau_officer)


def test_a_lower_review_stands_never_the_higher_self_score(cross_checking: World) -> None:
    _review(cross_checking, "lai_chau", "I.1", "6", "Chưa đạt chỉ tiêu.")
    assert _totals(cross_checking)["Lai Châu"] == D(6 + 8 + 0 - 1)


def test_the_settlement_of_a_dispute_stands(cross_checking: World) -> None:
    world = cross_checking
    _review(world, "lai_chau", "I.1", "6", "Chưa đạt chỉ tiêu.")
    dispute = actions.do_raise_dispute(
        _score(world, "lai_chau", "I.1"),
        reason="Đã có văn bản bổ sung.",
        acting_user=world.lai_chau_officer,
    )
    with pytest.raises(ActionRefused):  # an open dispute holds the year in cross-check
        move(world, Phase.CONFERENCE)
    dispute = Dispute.objects.select_related(
        "score__assessment__membership__year", "score__assessment__table", "score__criterion"
    ).get(pk=dispute.pk)
    actions.do_settle_dispute(
        dispute, points_settled=D(7), reason="Công nhận một phần.", acting_user=world.son_la_officer
    )
    assert _totals(world)["Lai Châu"] == D(7 + 8 + 0 - 1)
    move(world, Phase.CONFERENCE)


def test_the_secretariat_does_not_settle_its_own_units_dispute(cross_checking: World) -> None:
    world = cross_checking
    _review(world, "son_la", "I.1", "9", "Thiếu minh chứng.")
    dispute = actions.do_raise_dispute(
        _score(world, "son_la", "I.1"), reason="Có minh chứng.", acting_user=world.son_la_officer
    )
    with pytest.raises(ActionRefused):
        actions.do_settle_dispute(
            dispute, points_settled=D(10), reason="x", acting_user=world.son_la_officer
        )
    actions.do_settle_dispute(
        dispute, points_settled=D(10), reason="Đủ minh chứng.", acting_user=world.cao_bang_officer
    )


def test_only_a_reviewed_score_can_be_disputed_and_only_once(cross_checking: World) -> None:
    world = cross_checking
    with pytest.raises(ActionRefused):
        actions.do_raise_dispute(
            _score(world, "lai_chau", "I.2"), reason="x", acting_user=world.lai_chau_officer
        )
    _review(world, "lai_chau", "I.2", "7", "Thiếu.")
    actions.do_raise_dispute(
        _score(world, "lai_chau", "I.2"), reason="x", acting_user=world.lai_chau_officer
    )
    with pytest.raises(ActionRefused):
        actions.do_raise_dispute(
            _score(world, "lai_chau", "I.2"), reason="y", acting_user=world.lai_chau_officer
        )
    with pytest.raises(ActionRefused):  # the review of a disputed score is fixed
        _review(world, "lai_chau", "I.2", "6", "Thiếu nữa.")


def test_leaving_cross_check_freezes_a_labelled_snapshot(cross_checking: World) -> None:
    world = cross_checking
    live = reads.ranking(world.year)
    assert live is not None and live.provisional
    move(world, Phase.CONFERENCE)
    frozen = reads.ranking(world.year)
    assert frozen is not None and not frozen.provisional
    assert frozen.standings == live.standings
    snapshot = RankingSnapshot.objects.get(year=world.year)
    assert snapshot.data["kind"] == "snapshot"
    assert [s["rank"] for s in snapshot.data["standings"]] == [1, 2, 3]
    assert snapshot.data["standings"][0]["name"].endswith("Sơn La")
