"""Last year's value beside this year's: in the unit's reporting form and in the matrix of
members' values, matched by the indicator's code (as the year's opening carries it over)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from thidua.cycle.models import EmulationYear, Phase
from thidua.indicators import reads
from thidua.indicators.models import Indicator, IndicatorValue
from thidua.indicators.tests.conftest import Reporting
from thidua.orgs.models import Organization, Succession

from .conftest import report


def last_year(world: Any, values: Any) -> Any:
    """The cluster's 2015, with GRDP reported by the units given (key -> value)."""
    before = EmulationYear.objects.create(cluster=world.cluster, year=2015, phase=Phase.CLOSED)
    grdp = Indicator.objects.create(
        year=before, code="GRDP", name="Tổng sản phẩm", unit="tỷ đồng", decimals=0, order=1
    )
    for org, value in values.items():
        IndicatorValue.objects.create(
            indicator=grdp,
            organization=org,
            value=Decimal(value),
            entered_by=world.son_la_officer,
            entered_at=timezone.now(),
            source=IndicatorValue.Source.FORM,
        )
    return before


def test_the_reporting_form_shows_last_years_value(client: Client, reporting: Reporting) -> None:
    world = reporting.world
    lai_chau = world.orgs["lai_chau"]
    last_year(world, {lai_chau: "31250"})
    client.force_login(world.lai_chau_officer)
    page = client.get(f"{world.url}indicators/unit/{lai_chau.pk}/").content.decode()
    assert "Năm 2015" in page
    cell = page.split('data-testid="previous-GRDP">', 1)[1].split("</td>", 1)[0]
    assert cell == "31.250"
    empty = page.split('data-testid="previous-TONG_SO_XA">', 1)[1].split("</td>", 1)[0]
    assert empty == "—"


def test_the_matrix_shows_last_years_value_under_this_years(
    client: Client, reporting: Reporting
) -> None:
    world = reporting.world
    last_year(world, {world.orgs["son_la"]: "40100", world.orgs["cao_bang"]: "20000"})
    report(world, "son_la", world.son_la_officer, GRDP="42000")
    client.force_login(world.supervisor)
    page = client.get(f"{world.url}indicators/matrix/").content.decode()
    assert '42.000<br><small class="previous" data-testid="previous">2015: 40.100</small>' in page
    assert "2015: 20.000" in page  # Cao Bằng has not reported 2016 yet: shown under "missing"


def test_a_unit_that_continues_another_is_given_its_value(reporting: Reporting) -> None:
    world = reporting.world
    lai_chau = world.orgs["lai_chau"]
    old = Organization.objects.create(
        name="Sở Kế hoạch tỉnh Lai Châu",
        short_name="Sở KH Lai Châu",
        valid_to=dt.date(2015, 12, 31),
    )
    Succession.objects.create(
        predecessor=old,
        successor=lai_chau,
        kind=Succession.Kind.RENAME,
        effective=dt.date(2016, 1, 1),
    )
    last_year(world, {old: "1500"})
    before, found = reads.previous_values(world.year, [lai_chau.pk, world.orgs["son_la"].pk])
    assert before is not None and before.year == 2015
    assert found == {(lai_chau.pk, "GRDP"): reads.Previous(Decimal("1500"), 0, "Sở KH Lai Châu")}


def test_no_previous_year_no_column(client: Client, reporting: Reporting) -> None:
    world = reporting.world
    client.force_login(world.lai_chau_officer)
    page = client.get(f"{world.url}indicators/unit/{world.orgs['lai_chau'].pk}/").content.decode()
    assert 'data-testid="previous-head"' not in page
    assert reads.previous_values(world.year, [world.orgs["lai_chau"].pk]) == (None, {})
