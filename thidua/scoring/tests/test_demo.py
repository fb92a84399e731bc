"""The demo scores 2016 through the actions: Sơn La first, every member 'tốt' or better (F6)."""

from typing import Any

import pytest
from django.db.models import F

from thidua.cycle.models import EmulationYear
from thidua.scoring import reads, rules
from thidua.scoring.models import CriteriaTable, Dispute, Evidence, Review


@pytest.fixture
def demo_year(demo_module: None, db: None) -> Any:
    return EmulationYear.objects.select_related("cluster").get(year=2016)


def test_demo_ranks_son_la_first_and_everyone_completed_tasks_well(demo_year: Any) -> None:
    result = reads.ranking(demo_year)
    assert result is not None
    first = [s for s in result.standings if s.rank == 1]
    assert [s.name for s in first] == ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"]
    assert len(result.standings) == 7
    assert sorted(s.rank for s in result.standings) == list(range(1, 8))
    assert all(
        s.classification in (rules.Classification.XUAT_SAC, rules.Classification.TOT)
        for s in result.standings
    )
    assert result.share_at_least(rules.Classification.TOT) == 1  # "100% ... hoàn thành tốt"
    assert all(s.total <= result.max_total for s in result.standings)


def test_demo_cross_check_has_a_reasoned_adjustment_and_a_settled_dispute(demo_year: Any) -> None:
    table = CriteriaTable.objects.get(year=demo_year)
    assert table.is_locked
    changed = Review.objects.exclude(score__points=F("points"))
    assert changed.exists() and all(r.reason for r in changed)
    dispute = Dispute.objects.get()
    assert dispute.is_settled and dispute.settled_by is not None
    assert dispute.settled_by.organization is not None
    assert dispute.settled_by.organization.province == "Sơn La"
    assert Evidence.objects.filter(original_name__endswith=".pdf").count() == 1
