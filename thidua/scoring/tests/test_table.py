"""The criteria table: written by the secretariat, copied from last year, locked in time."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from thidua.audit.models import AuditEntry
from thidua.cycle.actions import do_open_year
from thidua.cycle.models import Phase
from thidua.errors import ActionRefused
from thidua.scoring import actions
from thidua.scoring.models import Band, CriteriaTable, Criterion
from thidua.testing.personas import World

from .conftest import add, make_table, move

D = Decimal


def test_secretariat_writes_the_table_as_a_tree(in_progress: World) -> None:
    table = make_table(in_progress)
    numbers = list(Criterion.objects.filter(table=table).values_list("number", "parent__number"))
    assert numbers == [("I", None), ("I.1", "I"), ("I.2", "I"), ("B", None), ("P", None)]
    assert AuditEntry.objects.filter(action="scoring.criterion.add").count() == 5


def test_member_cannot_write_the_table(in_progress: World) -> None:
    with pytest.raises(Exception) as refused:
        actions.do_create_table(
            in_progress.year, title="x", acting_user=in_progress.lai_chau_officer
        )
    assert refused.type.__name__ == "PermissionDenied"
    assert not CriteriaTable.objects.exists()


def test_a_number_is_used_once_per_table(in_progress: World) -> None:
    table = make_table(in_progress)
    with pytest.raises(ActionRefused):
        add(table, in_progress, "I.1", "item", "5")
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(table=table, number="I.1", title="x", kind="item", max_points=5)


def test_database_refuses_a_leaf_without_positive_maximum(in_progress: World) -> None:
    table = make_table(in_progress)
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(table=table, number="X", title="x", kind="item", max_points=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(table=table, number="Y", title="x", kind="bonus", max_points=0)


def test_a_leaf_cannot_hold_criteria(in_progress: World) -> None:
    table = make_table(in_progress)
    item = Criterion.objects.get(table=table, number="I.1")
    with pytest.raises(ActionRefused):
        add(table, in_progress, "I.1.a", "item", "1", parent=item)


def test_reordering_swaps_siblings(in_progress: World) -> None:
    table = make_table(in_progress)
    second = Criterion.objects.get(table=table, number="I.2")
    actions.do_move_criterion(second, up=True, acting_user=in_progress.son_la_officer)
    children = Criterion.objects.filter(table=table, parent__number="I").order_by("order")
    assert [c.number for c in children] == ["I.2", "I.1"]


def test_self_assessment_cannot_open_without_a_table(in_progress: World) -> None:
    with pytest.raises(ActionRefused) as refused:
        move(in_progress, Phase.SELF_ASSESSMENT)
    assert "bảng tiêu chí" in refused.value.message.lower()
    assert in_progress.year.phase == Phase.IN_PROGRESS


def test_self_assessment_cannot_open_with_a_section_that_does_not_add_up(
    in_progress: World,
) -> None:
    table = make_table(in_progress)
    section = Criterion.objects.get(table=table, number="I")
    actions.do_change_criterion(
        section,
        data=actions.CriterionInput("I", "Mục I", "section", D(25)),
        acting_user=in_progress.son_la_officer,
    )
    with pytest.raises(ActionRefused) as refused:
        move(in_progress, Phase.SELF_ASSESSMENT)
    assert "25" in refused.value.message and "20" in refused.value.message


def test_opening_self_assessment_locks_the_table_and_fixes_the_bands(in_progress: World) -> None:
    table = make_table(in_progress)
    move(in_progress, Phase.SELF_ASSESSMENT)
    table.refresh_from_db()
    assert table.is_locked
    # Default bands: 90/80/50 % of the base points (20 here, bonus excluded).
    assert dict(Band.objects.filter(table=table).values_list("classification", "min_total")) == {
        "xuat_sac": D(18),
        "tot": D(16),
        "hoan_thanh": D(10),
    }
    item = Criterion.objects.get(table=table, number="I.1")
    with pytest.raises(ActionRefused):
        actions.do_change_criterion(
            item,
            data=actions.CriterionInput("I.1", "x", "item", D(12)),
            acting_user=in_progress.son_la_officer,
        )


def test_bands_must_descend(in_progress: World) -> None:
    table = make_table(in_progress)
    with pytest.raises(ActionRefused):
        actions.do_set_bands(
            table,
            thresholds={"xuat_sac": D(15), "tot": D(16), "hoan_thanh": D(10)},
            acting_user=in_progress.son_la_officer,
        )
    assert not Band.objects.exists()


def test_next_year_copies_last_years_table_and_bands(in_progress: World) -> None:
    table = make_table(in_progress)
    actions.do_set_bands(
        table,
        thresholds={"xuat_sac": D(19), "tot": D(16), "hoan_thanh": D(10)},
        acting_user=in_progress.son_la_officer,
    )
    orgs = in_progress.orgs
    next_year = do_open_year(
        in_progress.cluster,
        year=2017,
        members=[orgs["son_la"], orgs["cao_bang"], orgs["lai_chau"]],
        head=orgs["son_la"],
        deputy=orgs["cao_bang"],
        acting_user=in_progress.supervisor,
    )
    assert actions.previous_table(next_year) == table
    copy = actions.do_create_table(
        next_year, title="Bảng 2017", copy_from=table, acting_user=in_progress.son_la_officer
    )
    copied = list(Criterion.objects.filter(table=copy).values_list("number", "parent__number"))
    assert copied == [("I", None), ("I.1", "I"), ("I.2", "I"), ("B", None), ("P", None)]
    assert copy.bands.get(classification="xuat_sac").min_total == D(19)
    assert copy.copied_from == table
    # The copy is independent: editing it leaves last year's table as it was.
    item = Criterion.objects.get(table=copy, number="I.1")
    actions.do_change_criterion(
        item,
        data=actions.CriterionInput("I.1", "Mới", "item", D(10)),
        acting_user=in_progress.son_la_officer,
    )
    assert Criterion.objects.get(table=table, number="I.1").title == "Tiêu chí I.1"
