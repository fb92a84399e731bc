"""Defining indicators, reporting values, reminding and the results wording, as actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from thidua.audit.models import AuditEntry
from thidua.cycle.actions import do_open_year
from thidua.cycle.models import EmulationYear, Phase
from thidua.errors import ActionRefused
from thidua.indicators import actions, reads
from thidua.indicators.models import Indicator, IndicatorValue, Reminder
from thidua.indicators.tests.conftest import Reporting
from thidua.testing.personas import World

from .conftest import SPECS, define, report

D = Decimal


def _spec(**overrides: object) -> actions.IndicatorSpec:
    base: dict[str, object] = {
        "code": "THU_NGAN_SACH",
        "name": "Tổng thu ngân sách",
        "unit": "tỷ đồng",
        "decimals": 0,
        "method": "sum",
    }
    return actions.IndicatorSpec(**{**base, **overrides})  # type: ignore[arg-type]


# --- defining -----------------------------------------------------------------------


def test_secretariat_defines_indicators_in_setup_and_it_is_recorded(world: World) -> None:
    indicator = actions.do_save_indicator(
        world.year,
        _spec(code=" thu_ngan_sach ", name="  Tổng  thu "),
        acting_user=world.son_la_officer,
    )
    assert (indicator.code, indicator.name) == ("THU_NGAN_SACH", "Tổng thu")
    assert AuditEntry.objects.filter(action="indicator.add", object_id=str(indicator.pk)).exists()


def test_member_officer_cannot_define_indicators(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_save_indicator(world.year, _spec(), acting_user=world.lai_chau_officer)
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"code": "1ABC"}, "chữ in hoa"),
        ({"code": "NAM"}, "dành riêng"),
        ({"name": "   "}, "tên"),
        ({"method": "ratio", "denominator_code": "KHONG_CO"}, "KHONG_CO"),
        ({"min_value": D(5), "max_value": D(1)}, "nhỏ nhất"),
    ],
)
def test_indicator_with_bad_definition_is_refused(
    world: World, overrides: Any, fragment: str
) -> None:
    with pytest.raises(ActionRefused, match=fragment):
        actions.do_save_indicator(world.year, _spec(**overrides), acting_user=world.son_la_officer)
    assert not Indicator.objects.exists()


def test_two_indicators_cannot_share_a_code(world: World) -> None:
    actions.do_save_indicator(world.year, _spec(), acting_user=world.son_la_officer)
    with pytest.raises(ActionRefused, match="THU_NGAN_SACH"):
        actions.do_save_indicator(world.year, _spec(), acting_user=world.son_la_officer)


def test_ratio_needs_another_indicator_as_its_total(world: World) -> None:
    made = define(world.year, world.son_la_officer)
    ratio = made["XA_CO_DUONG"]
    assert ratio.denominator_indicator == made["TONG_SO_XA"]
    with pytest.raises(ActionRefused):
        actions.do_save_indicator(
            world.year,
            _spec(code="XA_CO_DUONG", method="ratio", denominator_code="XA_CO_DUONG"),
            indicator=ratio,
            acting_user=world.son_la_officer,
        )


def test_indicators_are_fixed_once_self_assessment_starts(reporting: Reporting) -> None:
    world = reporting.world
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.SELF_ASSESSMENT)
    with pytest.raises(ActionRefused, match="tự chấm điểm"):
        actions.do_save_indicator(world.year, _spec(), acting_user=world.son_la_officer)


def test_code_cannot_change_once_reported(reporting: Reporting) -> None:
    world = reporting.world
    report(world, "lai_chau", world.lai_chau_officer, GRDP="100")
    grdp = reporting.indicators["GRDP"]
    with pytest.raises(ActionRefused):
        actions.do_save_indicator(
            world.year, _spec(code="GRDP_MOI"), indicator=grdp, acting_user=world.son_la_officer
        )
    grdp.refresh_from_db()
    assert grdp.code == "GRDP"


def test_copy_last_years_indicators_keeps_the_ratio_and_its_total(reporting: Reporting) -> None:
    world = reporting.world
    next_year = do_open_year(
        world.cluster,
        year=2017,
        members=[world.orgs["son_la"], world.orgs["lai_chau"]],
        head=world.orgs["son_la"],
        deputy=world.orgs["lai_chau"],
        acting_user=world.supervisor,
    )
    copied = actions.do_copy_indicators(next_year, acting_user=world.son_la_officer)
    assert sorted(i.code for i in copied) == sorted(code for code, *_ in SPECS)
    ratio = Indicator.objects.get(year=next_year, code="XA_CO_DUONG")
    assert ratio.denominator_indicator is not None
    assert ratio.denominator_indicator.year == next_year
    assert ratio.denominator_indicator.code == "TONG_SO_XA"
    with pytest.raises(ActionRefused):
        actions.do_copy_indicators(next_year, acting_user=world.son_la_officer)


def test_copy_needs_an_earlier_year(world: World) -> None:
    with pytest.raises(ActionRefused):
        actions.do_copy_indicators(world.year, acting_user=world.son_la_officer)


# --- reporting ----------------------------------------------------------------------


def test_unit_officer_reports_its_values_and_they_are_recorded(reporting: Reporting) -> None:
    world = reporting.world
    changed = report(world, "lai_chau", world.lai_chau_officer, GRDP="10125", GRDP_TANG="10.6")
    assert changed == 2
    stored = IndicatorValue.objects.get(indicator__code="GRDP")
    assert (stored.value, stored.source, stored.entered_by) == (
        D(10125),
        IndicatorValue.Source.FORM,
        world.lai_chau_officer,
    )
    entry = AuditEntry.objects.get(action="indicator.report")
    assert entry.after is not None
    assert entry.after["GRDP"]["value"] == "10125"


def test_unit_leader_may_report_too(reporting: Reporting) -> None:
    world = reporting.world
    assert report(world, "cao_bang", world.cao_bang_leader, GRDP="1") == 1


def test_unit_cannot_report_for_another_unit(reporting: Reporting) -> None:
    world = reporting.world
    with pytest.raises(PermissionDenied):
        report(world, "son_la", world.lai_chau_officer, GRDP="1")
    with pytest.raises(PermissionDenied):
        report(world, "son_la", world.supervisor, GRDP="1")
    assert not IndicatorValue.objects.exists()


def test_values_are_refused_before_the_year_is_in_progress(world: World) -> None:
    define(world.year, world.son_la_officer)
    with pytest.raises(ActionRefused, match="đang triển khai"):
        report(world, "lai_chau", world.lai_chau_officer, GRDP="1")


def test_closed_year_is_read_only(reporting: Reporting) -> None:
    world = reporting.world
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.CLOSED)
    with pytest.raises(ActionRefused, match="đã kết thúc"):
        report(world, "lai_chau", world.lai_chau_officer, GRDP="1")
    with pytest.raises(ActionRefused, match="đã kết thúc"):
        actions.do_set_results_template(world.year, text="{GRDP}", acting_user=world.son_la_officer)


def test_one_bad_value_refuses_the_whole_submission(reporting: Reporting) -> None:
    world = reporting.world
    with pytest.raises(ActionRefused) as refused:
        report(
            world, "lai_chau", world.lai_chau_officer, GRDP="100", GRDP_TANG="75", TONG_SO_XA="1.5"
        )
    message = refused.value.message
    assert "Tốc độ tăng GRDP: giá trị lớn hơn mức lớn nhất cho phép là 50,0." in message
    assert "Tổng số xã: giá trị phải là số nguyên." in message
    assert not IndicatorValue.objects.exists()


def test_unchanged_values_are_not_written_again(reporting: Reporting) -> None:
    world = reporting.world
    report(world, "lai_chau", world.lai_chau_officer, GRDP="100")
    assert report(world, "lai_chau", world.lai_chau_officer, GRDP="100") == 0
    assert AuditEntry.objects.filter(action="indicator.report").count() == 1


def test_withdrawn_value_is_kept_empty_and_counts_as_missing(reporting: Reporting) -> None:
    world = reporting.world
    report(world, "lai_chau", world.lai_chau_officer, GRDP="100")
    report(world, "lai_chau", world.lai_chau_officer, GRDP=None)
    assert IndicatorValue.objects.get().value is None
    gaps = reads.load(world.year).gaps()
    assert reporting.indicators["GRDP"] in gaps[world.orgs["lai_chau"].pk]


# --- reminding ----------------------------------------------------------------------


def test_secretariat_reminds_the_late_members_only(reporting: Reporting) -> None:
    world = reporting.world
    for key, user in (("son_la", world.son_la_officer), ("cao_bang", world.cao_bang_officer)):
        report(world, key, user, GRDP_TANG="8", GRDP="1", TONG_SO_XA="2", XA_CO_DUONG="1")
    sent = actions.do_remind_late(world.year, acting_user=world.son_la_officer)
    assert [r.organization_id for r in sent] == [world.orgs["lai_chau"].pk]
    assert sent[0].missing == [code for code, *_ in SPECS]
    with pytest.raises(ActionRefused):
        actions.do_remind_late(
            world.year,
            organization_ids=[world.orgs["son_la"].pk],
            acting_user=world.son_la_officer,
        )


def test_member_cannot_remind(reporting: Reporting) -> None:
    world = reporting.world
    with pytest.raises(PermissionDenied):
        actions.do_remind_late(world.year, acting_user=world.lai_chau_officer)
    assert not Reminder.objects.exists()


# --- results paragraph -----------------------------------------------------------------


def test_results_paragraph_states_the_aggregates(reporting: Reporting) -> None:
    world = reporting.world
    report(
        world,
        "son_la",
        world.son_la_officer,
        GRDP_TANG="8.6",
        GRDP="78000",
        TONG_SO_XA="500",
        XA_CO_DUONG="450",
    )
    report(
        world,
        "lai_chau",
        world.lai_chau_officer,
        GRDP_TANG="8.5",
        GRDP="79800",
        TONG_SO_XA="421",
        XA_CO_DUONG="362",
    )
    actions.do_set_results_template(
        world.year,
        text="Năm {NAM}, {SO_THANH_VIEN} tỉnh: tăng {GRDP_TANG}; GRDP {GRDP}; "
        "{XA_CO_DUONG} có đường.",
        acting_user=world.son_la_officer,
    )
    assert reads.results_paragraph(world.year) == (
        "Năm 2016, 3 tỉnh: tăng gần 8,6%; GRDP gần 158 nghìn tỷ đồng; 812/921 xã có đường."
    )


def test_template_with_an_unknown_placeholder_is_refused(reporting: Reporting) -> None:
    world = reporting.world
    with pytest.raises(ActionRefused, match=r"\{GRDP_TANGG\}"):
        actions.do_set_results_template(
            world.year, text="Tăng {GRDP_TANGG}.", acting_user=world.son_la_officer
        )
    with pytest.raises(ActionRefused, match="GRDP"):
        actions.do_set_results_template(
            world.year, text="Tăng {GRDP.", acting_user=world.son_la_officer
        )
    assert "{GRDP_TANG}" in reads.template_text(world.year, list(Indicator.objects.all()))


def test_default_paragraph_names_every_indicator(reporting: Reporting) -> None:
    world = reporting.world
    report(world, "son_la", world.son_la_officer, GRDP="5")
    text = reads.results_paragraph(world.year)
    assert "2016" in text
    assert "Tổng sản phẩm trên địa bàn 5 tỷ đồng" in text
    assert "chưa có số liệu" in text
