"""A year of the persona world taken, through the actions, to each scoring phase.

The table: I (section, 20) with I.1 and I.2 (items, 10 each), B (bonus, 2), P (penalty, 3).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import Membership, Phase
from thidua.scoring import actions
from thidua.scoring.models import CriteriaTable, Criterion, ReviewAssignment
from thidua.testing.personas import World

D = Decimal


def to_in_progress(world: World) -> None:
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    move(world, Phase.IN_PROGRESS)


def move(world: World, phase: str) -> None:
    do_move_phase(world.year, target=phase, acting_user=world.son_la_officer)
    world.year.refresh_from_db()


def add(
    table: CriteriaTable,
    world: World,
    number: str,
    kind: str,
    max_points: str | None,
    parent: Criterion | None = None,
) -> Criterion:
    return actions.do_add_criterion(
        table,
        parent=parent,
        data=actions.CriterionInput(
            number, f"Tiêu chí {number}", kind, D(max_points) if max_points else None
        ),
        acting_user=world.son_la_officer,
    )


def make_table(world: World) -> CriteriaTable:
    table = actions.do_create_table(
        world.year, title="Bảng tiêu chí 2016", acting_user=world.son_la_officer
    )
    section = add(table, world, "I", "section", "20")
    add(table, world, "I.1", "item", "10", section)
    add(table, world, "I.2", "item", "10", section)
    add(table, world, "B", "bonus", "2")
    add(table, world, "P", "penalty", "3")
    return table


def leaves(world: World) -> dict[str, Criterion]:
    return {
        c.number: c
        for c in Criterion.objects.filter(table__year=world.year).exclude(kind="section")
    }


def membership(world: World, key: str) -> Membership:
    return Membership.objects.select_related("year", "organization").get(
        year=world.year, organization=world.orgs[key]
    )


def self_score(world: World, key: str, figures: dict[str, str], user: Any = None) -> None:
    by_number = leaves(world)
    actions.do_save_self_scores(
        membership(world, key),
        entries={
            by_number[n].pk: actions.ScoreInput(D(v), "Theo báo cáo năm." if D(v) else "")
            for n, v in figures.items()
        },
        acting_user=user or getattr(world, f"{key}_officer"),
    )


FIGURES = {
    "son_la": {"I.1": "10", "I.2": "9", "B": "2", "P": "0"},
    "cao_bang": {"I.1": "9", "I.2": "9", "B": "1", "P": "0"},
    "lai_chau": {"I.1": "8", "I.2": "8", "B": "0", "P": "-1"},
}


@pytest.fixture
def in_progress(world: World) -> World:
    to_in_progress(world)
    return world


@pytest.fixture
def self_assessing(in_progress: World) -> World:
    make_table(in_progress)
    move(in_progress, Phase.SELF_ASSESSMENT)
    return in_progress


def submit_all(world: World) -> None:
    for key, figures in FIGURES.items():
        self_score(world, key, figures)
        actions.do_submit_assessment(
            membership(world, key), acting_user=getattr(world, f"{key}_leader")
        )


@pytest.fixture
def cross_checking(self_assessing: World) -> World:
    submit_all(self_assessing)
    move(self_assessing, Phase.CROSS_CHECK)
    actions.do_assign_reviewers(
        self_assessing.year,
        plan=actions.proposed_rotation(self_assessing.year),
        acting_user=self_assessing.son_la_officer,
    )
    return self_assessing


def assignment_of(world: World, key: str) -> ReviewAssignment:
    return ReviewAssignment.objects.select_related(
        "reviewed__year", "reviewed__organization", "reviewer__organization"
    ).get(reviewed__organization=world.orgs[key], reviewed__year=world.year)
