"""Indicators through the API: everyone in the year reads, a unit reports its own values."""

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from thidua.cycle.models import Phase
from thidua.indicators.models import IndicatorValue
from thidua.testing.personas import World

from .conftest import define_indicators, jump, report, to_in_progress, year_url


@pytest.fixture
def reporting(world: World) -> Any:
    """The year in progress with three indicators; Sơn La and Lai Châu have reported."""
    to_in_progress(world)
    define_indicators(world)
    report(world, "son_la", GRDP="32426", TONG_SO_XA="204", XA_CO_DUONG="200")
    report(world, "lai_chau", GRDP="16021", TONG_SO_XA="108")
    return world


def test_member_lists_the_years_indicators_in_order(api: Any, reporting: Any) -> None:
    listed = api(reporting.lai_chau_officer).get(year_url(reporting) + "/indicators").json()
    assert [i["code"] for i in listed] == ["GRDP", "TONG_SO_XA", "XA_CO_DUONG"]
    assert listed[2]["denominator_code"] == "TONG_SO_XA"
    assert listed[0]["min_value"] == "0"


def test_outsider_gets_404_for_every_indicator_endpoint(api: Any, reporting: Any) -> None:
    client = api(reporting.outsider)
    son_la = reporting.orgs["son_la"].pk
    for path in ("", "/values", "/figures", f"/units/{son_la}"):
        assert client.get(year_url(reporting) + "/indicators" + path).status_code == 404
    put = client.put(
        year_url(reporting) + f"/indicators/units/{son_la}",
        {"values": {}},
        content_type="application/json",
    )
    assert put.status_code == 404


def test_the_supervisor_reads_every_units_values_in_a_fixed_number_of_queries(
    api: Any, reporting: Any, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = api(reporting.supervisor)
    with django_assert_max_num_queries(10):
        matrix = client.get(year_url(reporting) + "/indicators/values").json()
    rows = {row["organization_id"]: row for row in matrix["units"]}
    orgs = reporting.orgs
    assert rows[orgs["son_la"].pk]["values"]["GRDP"]["value"] == "32426"
    assert rows[orgs["lai_chau"].pk]["missing"] == ["XA_CO_DUONG"]
    assert rows[orgs["cao_bang"].pk]["values"] == {}


def test_figures_state_the_cluster_totals_and_who_is_missing(api: Any, reporting: Any) -> None:
    found = api(reporting.cao_bang_officer).get(year_url(reporting) + "/indicators/figures").json()
    by_code = {f["code"]: f for f in found}
    assert by_code["GRDP"]["value"] == "48447"
    assert by_code["GRDP"]["statement"] == "khoảng 48 nghìn tỷ đồng"
    assert by_code["GRDP"]["missing"] == ["Sở KH&ĐT Cao Bằng"]
    # Lai Châu gave no numerator, so only Sơn La's communes count: 200 of 204.
    assert (by_code["XA_CO_DUONG"]["numerator"], by_code["XA_CO_DUONG"]["denominator"]) == (
        "200",
        "204",
    )


def test_another_unit_reads_a_units_values_but_may_not_report_them(
    api: Any, reporting: Any
) -> None:
    url = year_url(reporting) + f"/indicators/units/{reporting.orgs['son_la'].pk}"
    client = api(reporting.lai_chau_officer)
    unit = client.get(url).json()
    assert unit["can_report"] is False
    assert [v["value"] for v in unit["values"]] == ["32426", "204", "200"]
    refused = client.put(url, {"values": {"GRDP": {"value": 1}}}, content_type="application/json")
    assert refused.status_code == 403
    assert (
        IndicatorValue.objects.get(
            indicator__code="GRDP", organization=reporting.orgs["son_la"]
        ).value
        == 32426
    )


def test_a_unit_reports_its_values_and_left_out_ones_are_withdrawn(
    api: Any, reporting: Any
) -> None:
    url = year_url(reporting) + f"/indicators/units/{reporting.orgs['lai_chau'].pk}"
    client = api(reporting.lai_chau_leader)
    assert client.get(url).json()["can_report"] is True
    body = {
        "values": {
            "GRDP": {"value": "16500", "note": "  Số  ước tính "},
            "TONG_SO_XA": {"value": 108},
        }
    }
    saved = client.put(url, body, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["changed"] == 1
    grdp = saved.json()["values"][0]
    assert (grdp["value"], grdp["note"]) == ("16500", "Số ước tính")
    withdrawn = client.put(
        url,
        {"values": {"GRDP": {"value": "16500", "note": "Số ước tính"}}},
        content_type="application/json",
    )
    assert withdrawn.json()["changed"] == 1
    assert withdrawn.json()["values"][1]["value"] is None


def test_a_value_out_of_range_refuses_the_whole_report_in_vietnamese(
    api: Any, reporting: Any
) -> None:
    url = year_url(reporting) + f"/indicators/units/{reporting.orgs['lai_chau'].pk}"
    body = {
        "values": {"GRDP": {"value": 17000}, "TONG_SO_XA": {"value": -3}, "KHONG_CO": {"value": 1}}
    }
    refused = api(reporting.lai_chau_officer).put(url, body, content_type="application/json")
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert "Tổng số xã" in detail and "KHONG_CO" in detail
    assert (
        IndicatorValue.objects.get(
            indicator__code="GRDP", organization=reporting.orgs["lai_chau"]
        ).value
        == 16021
    )


def test_a_malformed_value_is_refused_before_the_action(api: Any, reporting: Any) -> None:
    url = year_url(reporting) + f"/indicators/units/{reporting.orgs['lai_chau'].pk}"
    body = {"values": {"GRDP": {"value": "16.021,5"}}}
    assert (
        api(reporting.lai_chau_officer).put(url, body, content_type="application/json").status_code
        == 422
    )


def test_values_can_no_longer_be_reported_after_self_assessment(api: Any, reporting: Any) -> None:
    jump(reporting, Phase.CROSS_CHECK)
    url = year_url(reporting) + f"/indicators/units/{reporting.orgs['lai_chau'].pk}"
    client = api(reporting.lai_chau_officer)
    assert client.get(url).json()["can_report"] is False
    refused = client.put(url, {"values": {"GRDP": {"value": 1}}}, content_type="application/json")
    assert refused.status_code == 409
