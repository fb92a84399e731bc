"""Each page with an allowed persona and a refused one: outsiders 404, read-only users 403."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from thidua.cycle.models import Phase
from thidua.indicators import excel
from thidua.indicators.models import Indicator, IndicatorValue, Reminder, ResultsTemplate
from thidua.indicators.tests.conftest import Reporting
from thidua.orgs.models import User

from .conftest import report

D = Decimal


def _url(world: Any, rest: Any = "") -> Any:
    return f"{world.url}indicators/{rest}"


def _fill_all(reporting: Any) -> None:
    world = reporting.world
    report(
        world,
        "son_la",
        world.son_la_officer,
        GRDP_TANG="8.6",
        GRDP="32426",
        TONG_SO_XA="178",
        XA_CO_DUONG="164",
    )
    report(world, "cao_bang", world.cao_bang_officer, GRDP_TANG="7.8", GRDP="15472")


def test_member_sees_the_indicator_list_and_a_link_to_report(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    response = as_user(world.lai_chau_officer).get(_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "XA_CO_DUONG" in body
    assert _url(world, f"unit/{world.orgs['lai_chau'].pk}/") in body
    assert 'data-testid="add-indicator"' not in body


def test_outsider_gets_404_on_every_indicator_page(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    client = as_user(world.outsider)
    org = world.orgs["lai_chau"].pk
    for rest in ("", "new/", "matrix/", "results/", f"unit/{org}/", f"unit/{org}/workbook.xlsx"):
        assert client.get(_url(world, rest)).status_code == 404, rest
    assert client.post(_url(world, f"unit/{org}/upload/")).status_code == 404


def test_dashboard_links_to_the_indicators_and_lists_the_late_members(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    _fill_all(reporting)
    world = reporting.world
    body = as_user(world.son_la_officer).get(world.url).content.decode()
    assert _url(world) in body
    assert "Báo cáo chỉ tiêu: còn thiếu 2" in body  # Cao Bằng
    assert "Báo cáo chỉ tiêu: còn thiếu 4" in body  # Lai Châu


def test_secretariat_adds_an_indicator_through_the_form(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    response = as_user(world.son_la_officer).post(
        _url(world, "new/"),
        {
            "code": "thu_ngan_sach",
            "name": "Tổng thu ngân sách",
            "unit": "tỷ đồng",
            "decimals": "0",
            "method": "sum",
            "min_value": "0",
            "max_value": "1.000.000",
            "order": "5",
        },
    )
    assert response.status_code == 302
    made = Indicator.objects.get(code="THU_NGAN_SACH")
    assert made.max_value == D(1000000)


def test_form_refuses_a_ratio_without_its_total(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    response = as_user(world.son_la_officer).post(
        _url(world, "new/"),
        {
            "code": "TY_LE",
            "name": "Tỷ lệ",
            "unit": "",
            "decimals": "0",
            "method": "ratio",
            "order": "1",
        },
    )
    assert response.status_code == 400
    assert not Indicator.objects.filter(code="TY_LE").exists()


def test_member_gets_403_defining_indicators(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    client = as_user(world.lai_chau_officer)
    assert client.get(_url(world, "new/")).status_code == 403
    assert client.get(_url(world, "i/GRDP/")).status_code == 403
    assert client.post(_url(world, "copy/")).status_code == 403


def test_unit_officer_reports_values_in_the_form(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    org = world.orgs["lai_chau"].pk
    response = as_user(world.lai_chau_officer).post(
        _url(world, f"unit/{org}/"),
        {"value_GRDP_TANG": "10,6", "value_GRDP": "10.125", "note_GRDP": " sơ bộ "},
    )
    assert response.status_code == 302
    values = dict(IndicatorValue.objects.values_list("indicator__code", "value"))
    assert values == {"GRDP_TANG": D("10.6"), "GRDP": D(10125)}
    assert IndicatorValue.objects.get(indicator__code="GRDP").note == "sơ bộ"


def test_text_in_a_number_field_is_refused_and_nothing_is_stored(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    org = world.orgs["lai_chau"].pk
    response = as_user(world.lai_chau_officer).post(
        _url(world, f"unit/{org}/"), {"value_GRDP_TANG": "10,6", "value_GRDP": "mười nghìn"}
    )
    assert response.status_code == 400
    assert "“mười nghìn” không phải là một số." in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_another_unit_and_the_supervisor_only_read_a_units_values(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    org = world.orgs["lai_chau"].pk
    for user in (world.son_la_officer, world.supervisor):
        client = as_user(user)
        page = client.get(_url(world, f"unit/{org}/"))
        assert page.status_code == 200
        assert 'data-testid="save-values"' not in page.content.decode()
        assert client.post(_url(world, f"unit/{org}/"), {"value_GRDP": "1"}).status_code == 403
        assert client.get(_url(world, f"unit/{org}/workbook.xlsx")).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_unit_downloads_and_uploads_its_workbook(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    org = world.orgs["lai_chau"].pk
    client = as_user(world.lai_chau_officer)
    download = client.get(_url(world, f"unit/{org}/workbook.xlsx"))
    assert download.status_code == 200
    assert download["Content-Type"] == excel.CONTENT_TYPE
    book = load_workbook(io.BytesIO(download.content))
    book[excel.SHEET].cell(excel.FIRST_ROW + 1, excel.VALUE_COL).value = 10125
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("chi-tieu.xlsx", out.getvalue())
    response = client.post(_url(world, f"unit/{org}/upload/"), {"workbook": upload})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == D(10125)


def test_refused_upload_lists_the_errors(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    org = world.orgs["lai_chau"].pk
    upload = SimpleUploadedFile("chi-tieu.xls", b"old excel")
    response = as_user(world.lai_chau_officer).post(
        _url(world, f"unit/{org}/upload/"), {"workbook": upload}
    )
    assert response.status_code == 400
    assert "Chỉ được tải lên tệp Excel (.xlsx)." in response.content.decode()


def test_matrix_flags_missing_values_in_few_queries(
    as_user: Callable[[User], Client],
    reporting: Reporting,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    _fill_all(reporting)
    world = reporting.world
    client = as_user(world.lai_chau_officer)
    # 3 more than before the main menu, which is read again after a change.
    with django_assert_max_num_queries(15):
        response = client.get(_url(world, "matrix/"))
    body = response.content.decode()
    assert body.count('data-testid="missing"') == 2 + 4  # Cao Bằng 2, Lai Châu 4
    assert "32.426" in body
    assert 'data-testid="remind-all"' not in body


def test_secretariat_reminds_a_late_member_from_the_matrix(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    _fill_all(reporting)
    world = reporting.world
    client = as_user(world.son_la_officer)
    assert 'data-testid="remind-all"' in client.get(_url(world, "matrix/")).content.decode()
    org = world.orgs["lai_chau"].pk
    response = client.post(_url(world, "matrix/remind/"), {"organization": org})
    assert response.status_code == 302
    assert list(Reminder.objects.values_list("organization_id", flat=True)) == [org]
    dashboard = client.get(world.url).content.decode()
    assert "Đã được nhắc ngày" in dashboard


def test_member_gets_403_reminding(as_user: Callable[[User], Client], reporting: Reporting) -> None:
    world = reporting.world
    assert as_user(world.lai_chau_officer).post(_url(world, "matrix/remind/")).status_code == 403
    assert not Reminder.objects.exists()


def test_results_page_states_the_figures_in_few_queries(
    as_user: Callable[[User], Client],
    reporting: Reporting,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    _fill_all(reporting)
    world = reporting.world
    client = as_user(world.supervisor)
    with django_assert_max_num_queries(14):
        response = client.get(_url(world, "results/"))
    body = response.content.decode()
    assert "<strong>8,2%</strong>" in body  # (8,6 + 7,8) / 2, exact: no "khoảng"
    assert "164/178 xã" in body
    assert 'id="indicator-charts"' in body
    assert 'data-testid="save-template"' not in body


def test_secretariat_edits_the_results_template_in_the_page(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    _fill_all(reporting)
    world = reporting.world
    client = as_user(world.son_la_officer)
    response = client.post(_url(world, "results/"), {"text": "GRDP đạt {GRDP}."})
    assert response.status_code == 302
    page = client.get(_url(world, "results/")).content.decode()
    assert "GRDP đạt gần 48 nghìn tỷ đồng." in page


def test_unknown_placeholder_is_refused_with_a_clear_message(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    response = as_user(world.son_la_officer).post(_url(world, "results/"), {"text": "{GDP}"})
    assert response.status_code == 400
    assert "{GDP} không phải là mã chỉ tiêu nào của năm" in response.content.decode()
    assert not ResultsTemplate.objects.exists()


def test_member_gets_403_editing_the_results_template(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    response = as_user(world.lai_chau_officer).post(_url(world, "results/"), {"text": "{GRDP}"})
    assert response.status_code == 403
    assert not ResultsTemplate.objects.exists()


def test_outside_the_reporting_phases_the_units_officer_is_told_why_there_is_no_form(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    url = _url(world, f"unit/{world.orgs['lai_chau'].pk}/")
    reason = "Chỉ có thể báo cáo số liệu khi năm thi đua đang ở giai đoạn triển khai"
    officer = as_user(world.lai_chau_officer)
    open_page = officer.get(url).content.decode()
    assert 'data-testid="save-values"' in open_page and reason not in open_page

    # The phases in between belong to scoring: the year is set there directly (saved, so
    # that the pages' cached reads of the year see the change).
    world.year.phase = Phase.CROSS_CHECK
    world.year.save(update_fields=["phase"])
    page = officer.get(url).content.decode()
    assert reason in page and 'data-testid="save-values"' not in page
    refused = officer.post(url, {"value_GRDP": "1"})
    assert refused.status_code == 409 and reason in refused.content.decode()
    assert not IndicatorValue.objects.exists()
    # Another unit's officer, who could not report anyway, is not told about the phase.
    assert reason not in as_user(world.son_la_officer).get(url).content.decode()
