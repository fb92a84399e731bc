"""The year's vote results downloaded as a workbook: counts only where the poll discloses them."""

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from thidua.orgs.models import User
from thidua.testing.personas import World
from thidua.voting import actions

from .conftest import cast, open_poll

HEADER_ROW = 4
SON_LA = "Sở Kế hoạch và Đầu tư tỉnh Sơn La"


def export_url(world: Any) -> Any:
    return world.url + "voting/results.xlsx"


def close(world: Any, poll: Any) -> Any:
    return actions.do_close_poll(poll, acting_user=world.son_la_officer)


def sheet_rows(sheet: Any) -> Any:
    header = [c.value for c in sheet[HEADER_ROW]]
    return [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]


def download(client: Any, world: Any) -> Any:
    response = client.get(export_url(world))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_member_downloads_full_counts_of_a_poll_that_discloses_them(
    as_user: Callable[[User], Client],
    voting_world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "cao_bang", "son_la")
    cast(voting_world, poll, "lai_chau", "son_la")
    cast(voting_world, poll, "son_la")
    close(voting_world, poll)
    client = as_user(voting_world.lai_chau_officer)
    with django_assert_max_num_queries(14):
        book = download(client, voting_world)
    candidates = sheet_rows(book["Danh sách ứng viên"])
    son_la = next(r for r in candidates if r["Ứng viên"] == SON_LA)
    assert son_la["Số phiếu"] == 2
    assert round(Decimal(str(son_la["Tỷ lệ"])), 4) == round(Decimal(2) / Decimal(3), 4)
    assert son_la["Kết quả"] == "Trúng cử"
    polls = sheet_rows(book["Các cuộc bỏ phiếu"])
    assert (polls[0]["Số phiếu bầu"], polls[0]["Số phiếu trắng"]) == (3, 1)
    assert polls[0]["Trúng cử"] == SON_LA


def test_outcome_only_poll_gives_the_workbook_no_count(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world, disclosure="outcome_only")
    cast(voting_world, poll, "cao_bang", "son_la")
    cast(voting_world, poll, "lai_chau", "son_la")
    close(voting_world, poll)
    book = download(as_user(voting_world.supervisor), voting_world)
    candidates = sheet_rows(book["Danh sách ứng viên"])
    assert {r["Số phiếu"] for r in candidates} == {"không công bố"}
    assert {r["Tỷ lệ"] for r in candidates} == {"không công bố"}
    assert [r["Kết quả"] for r in candidates] == ["Trúng cử", "Không đạt", "Không đạt"]
    polls = sheet_rows(book["Các cuộc bỏ phiếu"])
    assert (polls[0]["Số phiếu bầu"], polls[0]["Số phiếu trắng"]) == ("không công bố",) * 2
    numbers = [
        c.value
        for sheet in book
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1)
        for c in row
        if isinstance(c.value, int | float) and c.column_letter not in ("B", "F")
    ]
    # Only the round (column B) and the members entitled to vote (F) are numbers.
    assert numbers == []


def test_polls_still_open_are_not_in_the_workbook(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    open_poll(voting_world)
    book = download(as_user(voting_world.son_la_officer), voting_world)
    assert sheet_rows(book["Danh sách ứng viên"]) == []


def test_outsider_gets_404_for_the_results_workbook(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    assert as_user(voting_world.outsider).get(export_url(voting_world)).status_code == 404


def test_poll_list_offers_the_download_once_a_poll_is_closed(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    client = as_user(voting_world.lai_chau_officer)
    list_url = voting_world.url + "voting/"
    assert 'data-testid="results-export"' not in client.get(list_url).content.decode()
    close(voting_world, poll)
    assert 'data-testid="results-export"' in client.get(list_url).content.decode()


def test_the_command_writes_the_results_workbook(voting_world: World, tmp_path: Path) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "cao_bang", "son_la")
    close(voting_world, poll)
    target = tmp_path / "ket-qua.xlsx"
    call_command(
        "export_document",
        "votes-xlsx",
        cluster=voting_world.cluster.slug,
        year=2016,
        output=str(target),
        stdout=io.StringIO(),
    )
    book = load_workbook(target)
    votes = {r["Ứng viên"]: r["Số phiếu"] for r in sheet_rows(book["Danh sách ứng viên"])}
    assert votes[SON_LA] == 1
