"""The small world of the personas, taken to the reporting phase with a few indicators."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.indicators import actions
from thidua.indicators.models import Indicator
from thidua.indicators.rules import Entry
from thidua.orgs.models import User
from thidua.testing.personas import World

D = Decimal

# Code, name, unit, decimals, method, denominator.
SPECS = [
    ("GRDP_TANG", "Tốc độ tăng GRDP", "%", 1, "mean", ""),
    ("GRDP", "Tổng sản phẩm trên địa bàn", "tỷ đồng", 0, "sum", ""),
    ("TONG_SO_XA", "Tổng số xã", "xã", 0, "sum", ""),
    ("XA_CO_DUONG", "Số xã có đường ô tô đến trung tâm xã", "xã", 0, "ratio", "TONG_SO_XA"),
]


def define(year: EmulationYear, user: User) -> dict[str, Indicator]:
    """The secretariat defines the indicators the tests use."""
    made = {}
    for order, (code, name, unit, decimals, method, denominator) in enumerate(SPECS, 1):
        made[code] = actions.do_save_indicator(
            year,
            actions.IndicatorSpec(
                code=code,
                name=name,
                unit=unit,
                decimals=decimals,
                method=method,
                denominator_code=denominator,
                min_value=D(-50) if unit == "%" else D(0),
                max_value=D(50) if unit == "%" else None,
                order=order,
            ),
            acting_user=user,
        )
    return made


def to_in_progress(world: World) -> None:
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    do_move_phase(world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer)
    world.year.refresh_from_db()


def membership(world: World, key: str) -> Membership:
    return Membership.objects.select_related("organization", "year__cluster").get(
        year=world.year, organization=world.orgs[key]
    )


def report(world: World, key: str, user: User, **values: str | None) -> int:
    entries = {code: Entry(D(v) if v is not None else None) for code, v in values.items()}
    return actions.do_report_values(membership(world, key), entries=entries, acting_user=user)


@dataclass
class Reporting:
    world: World
    indicators: dict[str, Indicator]


@pytest.fixture
def reporting(world: World) -> Reporting:
    """The year in progress with four indicators defined and nothing reported yet."""
    to_in_progress(world)
    return Reporting(world, define(world.year, world.son_la_officer))
