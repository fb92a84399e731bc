"""The personas' cluster taken, through the areas' actions, to where each API area has data.

`build_data` is shared with the schema test, which fuzzes every endpoint on one such world.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from thidua.api.actions import do_create_token
from thidua.award_history import actions as history_actions
from thidua.award_history.models import AwardType
from thidua.awards import actions as award_actions
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.models import Nomination
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.indicators import actions as indicator_actions
from thidua.indicators.rules import Entry
from thidua.orgs.models import Person
from thidua.scoring import actions as scoring_actions
from thidua.scoring.models import Criterion
from thidua.testing.personas import World
from thidua.voting import actions as voting_actions
from thidua.voting.models import Candidate, Poll

D = Decimal


@pytest.fixture
def api(client: Any) -> Any:
    """The test client carrying a fresh personal token of `user`."""

    keys: dict[int, str] = {}

    def as_user(user: Any) -> Any:
        if user.pk not in keys:
            _token, keys[user.pk] = do_create_token(name="script", acting_user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {keys[user.pk]}"
        return client

    return as_user


def year_url(world: World) -> str:
    return f"/api/v1/clusters/{world.cluster.slug}/years/{world.year.year}"


def move(world: World, phase: str) -> None:
    do_move_phase(world.year, target=phase, acting_user=world.son_la_officer)
    world.year.refresh_from_db()


def jump(world: World, phase: str) -> None:
    """Put the year straight into `phase`.

    Walking there would need every area in between (the conference, its report...), whose
    checks are their own tests' business; as in the voting and awards tests, the API tests
    start where their area starts.
    """
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=phase)
    world.year.refresh_from_db()


def membership(world: World, key: str) -> Membership:
    return Membership.objects.select_related("organization", "year__cluster").get(
        year=world.year, organization=world.orgs[key]
    )


# --- indicators ----------------------------------------------------------------------------

# Code, name, unit, decimals, method, denominator.
INDICATORS = [
    ("GRDP", "Tổng sản phẩm trên địa bàn", "tỷ đồng", 0, "sum", ""),
    ("TONG_SO_XA", "Tổng số xã", "xã", 0, "sum", ""),
    ("XA_CO_DUONG", "Số xã có đường ô tô đến trung tâm xã", "xã", 0, "ratio", "TONG_SO_XA"),
]


def to_in_progress(world: World) -> None:
    world.sign_all(world.to_pledge_phase())
    move(world, Phase.IN_PROGRESS)


def define_indicators(world: World) -> None:
    for order, (code, name, unit, decimals, method, denominator) in enumerate(INDICATORS, 1):
        indicator_actions.do_save_indicator(
            world.year,
            indicator_actions.IndicatorSpec(
                code=code,
                name=name,
                unit=unit,
                decimals=decimals,
                method=method,
                denominator_code=denominator,
                min_value=D(0),
                order=order,
            ),
            acting_user=world.son_la_officer,
        )


def report(world: World, key: str, **values: str) -> int:
    return indicator_actions.do_report_values(
        membership(world, key),
        entries={code: Entry(D(v)) for code, v in values.items()},
        acting_user=getattr(world, f"{key}_officer"),
    )


# --- scoring -------------------------------------------------------------------------------

SCORES = {
    "son_la": {"I.1": "10", "I.2": "9", "B": "2", "P": "0"},
    "cao_bang": {"I.1": "9", "I.2": "9", "B": "1", "P": "0"},
    "lai_chau": {"I.1": "8", "I.2": "8", "B": "0", "P": "-1"},
}


def make_table(world: World) -> None:
    """I (section) with I.1 and I.2 (10 points each), B (bonus, 2) and P (penalty, 3)."""
    table = scoring_actions.do_create_table(
        world.year, title="Bảng tiêu chí 2016", acting_user=world.son_la_officer
    )

    def add(number: str, kind: str, points: str | None, parent: Criterion | None = None) -> Any:
        return scoring_actions.do_add_criterion(
            table,
            parent=parent,
            data=scoring_actions.CriterionInput(
                number, f"Tiêu chí {number}", kind, D(points) if points else None
            ),
            acting_user=world.son_la_officer,
        )

    section = add("I", "section", "20")
    add("I.1", "item", "10", section)
    add("I.2", "item", "10", section)
    add("B", "bonus", "2")
    add("P", "penalty", "3")


def self_score(world: World, key: str) -> None:
    leaves = {
        c.number: c
        for c in Criterion.objects.filter(table__year=world.year).exclude(kind="section")
    }
    scoring_actions.do_save_self_scores(
        membership(world, key),
        entries={
            leaves[n].pk: scoring_actions.ScoreInput(D(v), "Theo báo cáo năm." if D(v) else "")
            for n, v in SCORES[key].items()
        },
        acting_user=getattr(world, f"{key}_officer"),
    )


def submit(world: World, key: str) -> None:
    scoring_actions.do_submit_assessment(
        membership(world, key), acting_user=getattr(world, f"{key}_leader")
    )


def to_cross_check(world: World) -> None:
    """Every unit scores itself and submits; reviewers are assigned."""
    for key in SCORES:
        self_score(world, key)
        submit(world, key)
    move(world, Phase.CROSS_CHECK)
    scoring_actions.do_assign_reviewers(
        world.year,
        plan=scoring_actions.proposed_rotation(world.year),
        acting_user=world.son_la_officer,
    )


# --- polls ---------------------------------------------------------------------------------


def make_poll(world: World, **overrides: Any) -> Poll:
    spec: dict[str, Any] = {
        "title": "Đề nghị tặng Cờ thi đua",
        "purpose": Poll.Purpose.FLAG,
        "units": [world.orgs["son_la"], world.orgs["cao_bang"], world.orgs["lai_chau"]],
    }
    spec.update(overrides)
    return voting_actions.do_create_poll(
        world.year, spec=voting_actions.PollSpec(**spec), acting_user=world.son_la_officer
    )


def open_poll(world: World, **overrides: Any) -> Poll:
    return voting_actions.do_open_poll(
        make_poll(world, **overrides), acting_user=world.son_la_officer
    )


def candidate(poll: Poll, world: World, key: str) -> int:
    return Candidate.objects.get(poll=poll, organization=world.orgs[key]).pk


def cast(world: World, poll: Poll, leader_key: str, chosen: str) -> str:
    return voting_actions.do_cast_ballot(
        poll,
        choices=[candidate(poll, world, chosen)],
        acting_user=getattr(world, f"{leader_key}_leader"),
    )


def close(world: World, poll: Poll) -> Poll:
    return voting_actions.do_close_poll(poll, acting_user=world.son_la_officer)


# --- nominations ---------------------------------------------------------------------------


@dataclass
class Proposals:
    person: Person
    nominations: list[Nomination] = field(default_factory=list)


def nominate(world: World) -> Proposals:
    """Lai Châu proposes one of its officials for two titles and its office for another."""
    ensure_catalogue()
    award = {a.code: a for a in AwardType.objects.all()}
    person = history_actions.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        position="Chuyên viên",
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    for code, year in (("ldtt", 2014), ("ldtt", 2015)):
        history_actions.do_record_award(
            award_type=award[code],
            year=year,
            person=person,
            decision_number=f"{year}/QĐ-SKHĐT",
            decision_date=dt.date(year + 1, 1, 15),
            issuer_name="Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
            acting_user=world.supervisor,
        )
    made = Proposals(person)
    for code in ("ldtt", "cstdcs"):
        made.nominations.append(
            award_actions.do_draft_nomination(
                world.year,
                unit=world.orgs["lai_chau"],
                award_type=award[code],
                summary="Hoàn thành xuất sắc nhiệm vụ.",
                person=person,
                acting_user=world.lai_chau_officer,
            )
        )
    made.nominations.append(
        award_actions.do_draft_nomination(
            world.year,
            unit=world.orgs["lai_chau"],
            award_type=award["tt_ldtt"],
            summary="Tập thể hoàn thành tốt nhiệm vụ.",
            collective=world.orgs["lai_chau"],
            acting_user=world.lai_chau_officer,
        )
    )
    return made


def build_data(world: World) -> Proposals:
    """A year that went through every area: indicators, scores, a closed poll, nominations.

    It ends in the proposals phase; the ranking is frozen, the poll has results.
    """
    to_in_progress(world)
    define_indicators(world)
    report(world, "son_la", GRDP="32426", TONG_SO_XA="204", XA_CO_DUONG="200")
    report(world, "lai_chau", GRDP="16021", TONG_SO_XA="108")
    make_table(world)
    move(world, Phase.SELF_ASSESSMENT)
    to_cross_check(world)
    move(world, Phase.CONFERENCE)
    jump(world, Phase.VOTING)
    poll = open_poll(world)
    cast(world, poll, "cao_bang", "son_la")
    cast(world, poll, "lai_chau", "son_la")
    close(world, poll)
    open_poll(world, title="Bầu Trưởng khối năm 2017", purpose=Poll.Purpose.HEAD)
    jump(world, Phase.PROPOSALS)
    return nominate(world)
