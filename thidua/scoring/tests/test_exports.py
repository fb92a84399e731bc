"""The scores and the ranking downloaded as a workbook and read back."""

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from thidua.cycle.models import Phase
from thidua.orgs.models import User
from thidua.scoring import actions, reads
from thidua.scoring.problems import label
from thidua.testing.personas import World

from .conftest import assignment_of, leaves, move

D = Decimal
HEADER_ROW = 5


def export_url(world: Any) -> Any:
    return f"{world.url}scoring/ranking.xlsx"


def read(content: Any) -> Any:
    book = load_workbook(io.BytesIO(content))
    sheet = book["Xếp hạng"]
    header = [c.value for c in sheet[HEADER_ROW]]
    rows = [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]
    return book, sheet, rows


def test_member_downloads_settled_points_totals_rank_and_classification(
    as_user: Callable[[User], Client],
    cross_checking: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    actions.do_save_review(
        assignment_of(cross_checking, "son_la"),
        entries={leaves(cross_checking)["I.2"].pk: actions.ReviewInput(D(8), "Thiếu minh chứng.")},
        acting_user=cross_checking.cao_bang_officer,
    )
    client = as_user(cross_checking.lai_chau_leader)
    # The first read after a change: with the audit stamp and the user's unit, read once and
    # kept for the next requests.
    with django_assert_max_num_queries(18):
        response = client.get(export_url(cross_checking))
    assert response.status_code == 200
    _book, sheet, rows = read(response.content)
    assert sheet["A3"].value == "Tạm tính: lấy trực tiếp từ điểm đã chốt."
    first = rows[0]
    assert first["Thành viên"] == "Sở Kế hoạch và Đầu tư tỉnh Sơn La"
    assert first["Hạng"] == 1
    # The review's 8 counts for I.2, not the self-score of 9.
    assert [first[n] for n in ("I.1", "I.2", "B", "P")] == [10, 8, 2, 0]
    assert (first["Tiêu chí"], first["Điểm thưởng"], first["Tổng điểm"]) == (18, 2, 20)
    expected = reads.ranking(cross_checking.year)
    assert expected is not None
    assert [r["Tổng điểm"] for r in rows] == [int(s.total) for s in expected.standings]
    assert [r["Xếp loại"] for r in rows] == [label(s.classification) for s in expected.standings]
    assert rows[2]["Điểm trừ"] == -1


def test_the_snapshot_is_exported_once_the_cross_check_closed(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    move(cross_checking, Phase.CONFERENCE)
    response = as_user(cross_checking.supervisor).get(export_url(cross_checking))
    book, sheet, rows = read(response.content)
    assert sheet["A3"].value.startswith("Bản chốt lúc ")
    assert len(rows) == 3
    criteria = list(book["Tiêu chí"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in criteria] == ["I", "I.1", "I.2", "B", "P"]
    assert all(c.data_type != "f" for s in book for row in s.iter_rows() for c in row)


def test_there_is_no_ranking_workbook_before_the_cross_check(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    response = as_user(self_assessing.son_la_officer).get(export_url(self_assessing))
    assert response.status_code == 404


def test_outsider_gets_404_for_the_ranking_workbook(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    assert as_user(cross_checking.outsider).get(export_url(cross_checking)).status_code == 404


def test_ranking_page_offers_the_download(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    body = (
        as_user(cross_checking.son_la_officer)
        .get(f"{cross_checking.url}scoring/ranking/")
        .content.decode()
    )
    assert 'data-testid="ranking-export"' in body


def test_the_command_writes_the_ranking_workbook(cross_checking: World, tmp_path: Path) -> None:
    target = tmp_path / "xep-hang.xlsx"
    call_command(
        "export_document",
        "scores-xlsx",
        cluster=cross_checking.cluster.slug,
        year=2016,
        output=str(target),
        stdout=io.StringIO(),
    )
    _book, _sheet, rows = read(target.read_bytes())
    assert [r["Hạng"] for r in rows] == [1, 2, 3]


def test_the_command_refuses_a_ranking_before_the_cross_check(
    self_assessing: World, tmp_path: Path
) -> None:
    target = tmp_path / "xep-hang.xlsx"
    with pytest.raises(CommandError):
        call_command(
            "export_document",
            "scores-xlsx",
            cluster=self_assessing.cluster.slug,
            year=2016,
            output=str(target),
        )
    assert not target.exists()
