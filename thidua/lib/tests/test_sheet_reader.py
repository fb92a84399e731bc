"""The sheet reader: a real child process, real workbooks, and its limits."""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from thidua.lib import sheet_reader
from thidua.lib.safe_zip import UnsafeFile


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sheet_comes_back_by_column_with_each_cell_as_written():
    rows: list[list[object]] = [
        ["Tên", "Số", "Ngày"],
        ["An", 1, dt.date(2016, 1, 5)],
        [None, None, None],
        ["An", 1.5, "05/01/2016"],
        ["Bình", True, None],
    ]
    sheet = sheet_reader.read_sheet(workbook(("Một", rows)))
    assert (sheet.height, sheet.width) == (5, 3)
    assert sheet.blank_rows == {2}
    assert sheet.row(0) == ["Tên", "Số", "Ngày"]
    assert sheet.cell(1, 2) == dt.date(2016, 1, 5)
    assert sheet.cell(4, 1) is True
    assert sheet.cell(9, 9) == ""
    assert sheet.columns[0].values == ["Tên", "An", "", "Bình"]  # "An" is kept once
    assert sheet.rows()[3] == ["An", 1.5, "05/01/2016"]


def test_cells_equal_in_python_but_not_in_a_sheet_keep_their_type():
    sheet = sheet_reader.read_sheet(workbook(("S", [[1], [1.5], [True], [1], ["1"]])))
    cells = sheet.columns[0].cells()
    assert cells == [1, 1.5, True, 1, "1"]
    assert [type(cell) for cell in cells] == [float, float, bool, float, str]
    assert sheet.columns[0].each(type, [2, 3]) == [bool, float]


def test_a_sheet_is_found_by_name_or_the_names_are_given():
    content = workbook(("Một", [["a"]]), ("Chỉ tiêu", [["b"]]))
    assert sheet_reader.read_sheet(content, sheet="Chỉ tiêu").row(0) == ["b"]
    assert sheet_reader.read_sheet(content, sheet=1).row(0) == ["b"]
    with pytest.raises(sheet_reader.MissingSheet) as missing:
        sheet_reader.read_sheet(content, sheet="chỉ tiêu")
    assert missing.value.names == ["Một", "Chỉ tiêu"]


def test_a_zip_that_is_not_a_workbook_is_unreadable():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(sheet_reader.UnreadableSheet):
        sheet_reader.read_sheet(out.getvalue())
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(b"not a zip at all")


def test_a_sheet_beyond_the_cell_limit_is_refused_with_its_size():
    content = workbook(("S", [[1] * 10 for _ in range(30)]))
    with translation.override("vi"), pytest.raises(UnsafeFile) as refused:
        sheet_reader.read_sheet(content, max_cells=299)
    assert "30 dòng và 10 cột" in refused.value.message


@pytest.fixture(scope="module")
def large() -> bytes:
    """100,000 distinct cells: a few megabytes once read."""
    return workbook(("S", [[f"ô {r} {c}" for c in range(10)] for r in range(10_000)]))


def test_a_child_past_its_memory_limit_ends_and_the_file_is_refused(monkeypatch, large):
    assert sheet_reader.read_sheet(large).height == 10_000
    monkeypatch.setattr(sheet_reader, "MEMORY_LIMIT", 24 * 1024 * 1024)
    assert sheet_reader.read_sheet(workbook(("S", [["a", 1]]))).row(0) == ["a", 1]
    with translation.override("vi"), pytest.raises(UnsafeFile) as refused:
        sheet_reader.read_sheet(large)
    assert refused.value.message.startswith("Trang tính quá lớn để đọc một lần")


def test_a_child_that_takes_too_long_is_stopped(monkeypatch, large):
    monkeypatch.setattr(sheet_reader, "WAIT_SECONDS", 0.01)
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(large)


def test_a_child_past_its_cpu_time_ends_and_the_file_is_refused(monkeypatch, large):
    monkeypatch.setattr(sheet_reader, "CPU_SECONDS", 0)
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(large)


def test_an_answer_beyond_the_limit_is_refused_unread(monkeypatch, large):
    monkeypatch.setattr(sheet_reader, "MAX_ANSWER_BYTES", 64 * 1024)
    with pytest.raises(UnsafeFile):
        sheet_reader.read_sheet(large)


def test_the_answer_may_hold_cell_values_only():
    harmful = pickle.dumps(("sheet", 1, 1, [([os.system], b"")], []))
    with pytest.raises(UnsafeFile):
        sheet_reader._answer_of(harmful)
    dated = pickle.dumps(("sheet", 1, 1, [([dt.date(2016, 1, 5)], b"\0\0\0\0")], []))
    assert sheet_reader._answer_of(dated)[3][0][0] == [dt.date(2016, 1, 5)]


def test_the_child_is_not_given_the_servers_secrets(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/thidua")
    seen = {}

    def popen(command, **options):
        seen.update(options["env"])
        raise OSError("not started")

    monkeypatch.setattr(sheet_reader.subprocess, "Popen", popen)
    with pytest.raises(OSError):
        sheet_reader.read_sheet(workbook(("S", [["a"]])))
    assert "DATABASE_URL" not in seen
    assert seen["RUST_BACKTRACE"] == "0"
