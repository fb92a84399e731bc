"""The dashboard's chart of each member's progress: it says what the members' table says, and
it moves when a member does its part (signs, self-assesses, cross-checks)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from django.test import Client

from thidua.cycle.actions import do_move_phase, do_sign_pledge
from thidua.cycle.models import Membership, Phase
from thidua.orgs.models import User
from thidua.scoring import actions as scoring_actions
from thidua.scoring.models import CriteriaTable, Criterion, ReviewAssignment, Score
from thidua.testing.personas import World


class Cells(HTMLParser):
    """{organization id: {step key: cell}} read from the element marked `data-testid=root`:
    each cell's text and, in the chart, its bar's value and maximum."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root
        self.depth = 0  # inside the root while > 0
        self.org: str | None = None
        self.step: str | None = None
        self.step_depth = 0
        self.cells: dict[int, dict[str, dict[str, Any]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("data-testid") == self.root:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag not in ("input", "br", "img", "progress"):
            self.depth += 1
        if "data-org" in a:
            self.org = a["data-org"]
        if "data-step" in a and self.org is not None:
            self.step = a["data-step"]
            self.step_depth = self.depth
            self._cell()["text"] = ""
        if tag == "progress" and self.step is not None:
            self._cell().update(value=int(a["value"] or 0), max=int(a["max"] or 0))

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in ("input", "br", "img", "progress"):
            return
        if self.step is not None and self.depth == self.step_depth:
            self.step = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.step is not None:
            self._cell()["text"] += data

    def _cell(self) -> dict[str, Any]:
        assert self.org is not None and self.step is not None
        return self.cells.setdefault(int(self.org), {}).setdefault(self.step, {})


def read(html: str, root: str) -> dict[int, dict[str, dict[str, Any]]]:
    parser = Cells(root)
    parser.feed(html)
    return parser.cells


def chart_and_table(client: Any, world: World) -> tuple[dict[int, Any], dict[int, Any]]:
    html = client.get(world.url).content.decode()
    return read(html, "progress-chart"), read(html, "members")


def shown(cell: dict[str, Any]) -> str:
    """What a cell says in words, the bar's label aside (the chart repeats it on a phone)."""
    return " ".join(cell["text"].split())


def assert_chart_matches_table(chart: dict[int, Any], table: dict[int, Any]) -> None:
    assert chart.keys() == table.keys() and chart
    for org, steps in table.items():
        assert chart[org].keys() == steps.keys(), org
        for step, cell in steps.items():
            drawn = chart[org][step]
            # The chart's text is the step's name (shown on a phone) then the table's words.
            assert shown(drawn).endswith(shown(cell)), (org, step, drawn, cell)
            if shown(cell) != "—":
                assert 0 <= drawn["value"] <= drawn["max"], (org, step, drawn)


def test_the_chart_says_what_the_table_says_and_moves_with_a_signature(
    as_user: Callable[[User], Client], world: World
) -> None:
    pledge = world.to_pledge_phase()
    client = as_user(world.son_la_officer)
    chart, table = chart_and_table(client, world)
    assert_chart_matches_table(chart, table)
    lai_chau = world.orgs["lai_chau"].pk
    assert shown(table[lai_chau]["cycle.signed"]) == "Chưa ký"
    assert chart[lai_chau]["cycle.signed"]["value"] == 0

    do_sign_pledge(pledge, unit=world.orgs["lai_chau"], acting_user=world.lai_chau_leader)
    chart, table = chart_and_table(client, world)
    assert_chart_matches_table(chart, table)
    assert shown(table[lai_chau]["cycle.signed"]) == "Đã ký"
    bar = chart[lai_chau]["cycle.signed"]
    assert (bar["value"], bar["max"]) == (1, 1)
    assert shown(table[world.orgs["cao_bang"].pk]["cycle.signed"]) == "Chưa ký"
    # Every member's reader sees the same chart: a member's officer too.
    assert chart_and_table(as_user(world.lai_chau_officer), world)[0] == chart


def _score_everyone(world: World) -> CriteriaTable:
    table = scoring_actions.do_create_table(
        world.year, title="Bảng tiêu chí 2016", acting_user=world.son_la_officer
    )
    for number in ("1", "2"):
        scoring_actions.do_add_criterion(
            table,
            parent=None,
            data=scoring_actions.CriterionInput(number, f"Tiêu chí {number}", "item", Decimal(10)),
            acting_user=world.son_la_officer,
        )
    return table


def _member(world: World, key: str) -> Membership:
    return Membership.objects.select_related("organization", "year").get(
        year=world.year, organization=world.orgs[key]
    )


def test_self_assessment_and_cross_check_are_charted_as_members_do_them(
    as_user: Callable[[User], Client], world: World
) -> None:
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    officer = world.son_la_officer
    do_move_phase(world.year, target=Phase.IN_PROGRESS, acting_user=officer)
    _score_everyone(world)
    do_move_phase(world.year, target=Phase.SELF_ASSESSMENT, acting_user=officer)
    world.year.refresh_from_db()
    client = as_user(officer)
    chart, table = chart_and_table(client, world)
    assert_chart_matches_table(chart, table)
    lai_chau = world.orgs["lai_chau"].pk
    assert shown(table[lai_chau]["scoring.self_assessed"]) == "Chưa gửi"
    assert "scoring.cross_checked" not in table[lai_chau]

    leaves = list(Criterion.objects.filter(table__year=world.year).values_list("pk", flat=True))
    for key in ("son_la", "cao_bang", "lai_chau"):
        user = getattr(world, f"{key}_officer")
        scoring_actions.do_save_self_scores(
            _member(world, key),
            entries={pk: scoring_actions.ScoreInput(Decimal(9), "Theo báo cáo.") for pk in leaves},
            acting_user=user,
        )
        scoring_actions.do_submit_assessment(_member(world, key), acting_user=user)
        if key == "lai_chau":
            chart, table = chart_and_table(client, world)
            assert_chart_matches_table(chart, table)
            assert shown(table[lai_chau]["scoring.self_assessed"]) == "Đã gửi"
            assert shown(table[world.orgs["cao_bang"].pk]["scoring.self_assessed"]) == "Đã gửi"

    do_move_phase(world.year, target=Phase.CROSS_CHECK, acting_user=officer)
    world.year.refresh_from_db()
    scoring_actions.do_assign_reviewers(
        world.year, plan=scoring_actions.proposed_rotation(world.year), acting_user=officer
    )
    chart, table = chart_and_table(client, world)
    assert_chart_matches_table(chart, table)
    assert shown(table[lai_chau]["scoring.cross_checked"]) == "0/2"

    assignment = ReviewAssignment.objects.select_related("reviewed__year").get(
        reviewer__organization=world.orgs["lai_chau"], reviewer__year=world.year
    )
    scores = Score.objects.filter(assessment__membership=assignment.reviewed)
    first = scores.first()
    assert first is not None
    scoring_actions.do_save_review(
        assignment,
        entries={first.criterion_id: scoring_actions.ReviewInput(first.points)},
        acting_user=world.lai_chau_officer,
    )
    chart, table = chart_and_table(client, world)
    assert_chart_matches_table(chart, table)
    assert shown(table[lai_chau]["scoring.cross_checked"]) == "1/2"
    bar = chart[lai_chau]["scoring.cross_checked"]
    assert (bar["value"], bar["max"]) == (1, 2)
    assert shown(table[world.orgs["son_la"].pk]["scoring.cross_checked"]) == "0/2"
