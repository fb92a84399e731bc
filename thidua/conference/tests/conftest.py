"""The conference's fixtures: a year at its conference, and facts other areas state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from thidua.conference import actions
from thidua.conference.models import Attendee, Conference
from thidua.cycle import hooks
from thidua.cycle.models import EmulationYear, Phase
from thidua.testing.personas import World

# What the other areas state about the small world's 2016, in the keys of docs/report-facts.md.
FACTS: dict[str, Any] = {
    "indicators.results_paragraph": (
        "Tốc độ tăng GRDP bình quân của các tỉnh khoảng 8,5%; tổng sản phẩm trên địa bàn gần"
        " 158 nghìn tỷ đồng."
    ),
    "scoring.completion_summary": "100% thành viên hoàn thành tốt nhiệm vụ chính trị được giao",
    "scoring.ranking": [
        {
            "rank": 1,
            "unit": "Sở KH&ĐT Sơn La",
            "total": "96,5",
            "classification": "Hoàn thành xuất sắc nhiệm vụ",
        },
        {
            "rank": 2,
            "unit": "Sở KH&ĐT Cao Bằng",
            "total": "92",
            "classification": "Hoàn thành tốt nhiệm vụ",
        },
    ],
    "scoring.provisional": False,
    "voting.results": [
        {
            "purpose": "flag",
            "title": "Đề nghị tặng Cờ thi đua",
            "elected": [],
            "passed": ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"],
            "closed": True,
        },
    ],
    "voting.flag": ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"],
    "voting.certificates": ["Sở Kế hoạch và Đầu tư tỉnh Cao Bằng"],
    "voting.next_head": "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
    "voting.next_deputy": "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng",
    "awards.counts": {"collectives": 29, "individuals": 161},
    "awards.proposals": [
        {
            "award": "Bằng khen của Bộ trưởng",
            "level": "Bộ",
            "nominees": [
                {"name": "Nguyễn Văn An", "kind": "cá nhân", "unit": "Sở KH&ĐT Lai Châu"},
                {"name": "Phòng Tổng hợp", "kind": "tập thể", "unit": "Sở KH&ĐT Sơn La"},
            ],
        },
    ],
}


@pytest.fixture
def stated_facts() -> Iterator[Callable[[dict[str, Any]], None]]:
    """Let the test state facts as the other areas' providers will (registered, then removed)."""
    stated: dict[str, Any] = {}

    def provider(year: Any) -> dict[str, Any]:
        return dict(stated)

    hooks.report_facts.append(provider)
    yield stated.update
    hooks.report_facts.remove(provider)


def to_phase(world: World, target: str) -> None:
    """Sign the pledge through the actions, then put the year straight into `target`.

    Walking phase by phase would need every other area's data (criteria, scores...), whose
    checks are their own tests' business (the voting tests do the same).
    """
    world.sign_all(world.to_pledge_phase())
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=target)
    world.year.refresh_from_db()


def record_conference(world: World) -> Conference:
    conference = actions.do_set_conference(
        world.year,
        starts_on=dt.date(2017, 3, 11),
        ends_on=dt.date(2017, 3, 12),
        host=world.orgs["son_la"],
        venue="Sở Kế hoạch và Đầu tư tỉnh Sơn La",
        agenda="Khai mạc\nThảo luận dự thảo báo cáo",
        decisions="Lãnh đạo các thành viên ký kết giao ước thi đua năm 2017",
        directions="Nâng cao chất lượng phối hợp thông tin.",
        acting_user=world.son_la_officer,
    )
    actions.do_add_attendee(
        conference,
        name="Lê Thị Mai",
        position="Phó Vụ trưởng",
        unit="Vụ Thi đua - Khen thưởng, Bộ Kế hoạch và Đầu tư",
        role=Attendee.Role.SUPERVISOR,
        acting_user=world.son_la_officer,
    )
    actions.do_add_attendee(
        conference,
        name="Lê Hồng Minh",
        position="Giám đốc",
        unit="Sở Kế hoạch và Đầu tư tỉnh Sơn La",
        organization=world.orgs["son_la"],
        role=Attendee.Role.CHAIR,
        acting_user=world.son_la_officer,
    )
    return conference


@pytest.fixture
def at_conference(world: World) -> World:
    """The small world's 2016 in its conference phase, with the conference recorded."""
    to_phase(world, Phase.CONFERENCE)
    record_conference(world)
    return world
