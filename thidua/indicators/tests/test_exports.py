"""The members' values downloaded as a workbook and read back."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from thidua.indicators.tests.conftest import Reporting
from thidua.orgs.models import User

from .conftest import report

D = Decimal


def _url(world: Any) -> Any:
    return f"{world.url}indicators/matrix.xlsx"


def _fill(reporting: Any) -> None:
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


def _rows(content: Any) -> Any:
    sheet = load_workbook(io.BytesIO(content)).active
    return {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True)}, sheet


def test_member_downloads_the_matrix_with_the_cluster_figures(
    as_user: Callable[[User], Client],
    reporting: Reporting,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    _fill(reporting)
    world = reporting.world
    client = as_user(world.lai_chau_officer)
    with django_assert_max_num_queries(10):
        response = client.get(_url(world))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows, sheet = _rows(response.content)
    assert sheet["A2"].value == "Số liệu các thành viên năm 2016"
    assert rows["Đơn vị"][0] == "Tốc độ tăng GRDP (%)"
    son_la = rows["Sở Kế hoạch và Đầu tư tỉnh Sơn La"]
    assert [D(str(v)) for v in son_la] == [D("8.6"), D("32426"), D("178"), D("164")]
    assert rows["Sở Kế hoạch và Đầu tư tỉnh Lai Châu"] == (None, None, None, None)
    cluster = rows["Số liệu toàn cụm"]
    assert D(str(cluster[0])) == D("8.2")
    assert D(str(cluster[1])) == D("47898")
    assert round(D(str(cluster[3])), 4) == round(D(164) / D(178), 4)
    assert rows["Cách tổng hợp"][1] == "Cộng tổng"


def test_figures_keep_their_decimals_and_the_ratio_reads_as_a_percent(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    _fill(reporting)
    world = reporting.world
    _, sheet = _rows(as_user(world.son_la_officer).get(_url(world)).content)
    assert sheet["B5"].number_format == "#,##0.0"
    assert sheet["C5"].number_format == "#,##0"
    assert sheet["E9"].number_format == "0.0%" and sheet["E9"].font.bold
    assert sheet.freeze_panes == "B5"


def test_a_unit_name_that_looks_like_a_formula_stays_text(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    lai_chau = world.orgs["lai_chau"]
    lai_chau.name = '=HYPERLINK("http://x","Lai Châu")'
    lai_chau.save()
    rows, sheet = _rows(as_user(world.supervisor).get(_url(world)).content)
    assert '=HYPERLINK("http://x","Lai Châu")' in rows
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_outsider_gets_404_for_the_matrix_workbook(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    assert as_user(world.outsider).get(_url(world)).status_code == 404


def test_matrix_page_offers_the_download(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    body = as_user(world.lai_chau_officer).get(f"{world.url}indicators/matrix/").content.decode()
    assert 'data-testid="matrix-export"' in body


def test_the_command_writes_the_same_workbook(reporting: Reporting, tmp_path: Path) -> None:
    _fill(reporting)
    world = reporting.world
    target = tmp_path / "chi-tieu.xlsx"
    call_command(
        "export_document",
        "indicators-xlsx",
        cluster=world.cluster.slug,
        year=2016,
        output=str(target),
        stdout=io.StringIO(),
    )
    rows, _sheet = _rows(target.read_bytes())
    assert rows["Sở Kế hoạch và Đầu tư tỉnh Cao Bằng"][1] == 15472
