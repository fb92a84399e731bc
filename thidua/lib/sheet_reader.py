"""Reading a sheet of an uploaded workbook in a child process that the system keeps small.

A spreadsheet reader builds a sheet as a dense grid from A1 to its last cell. A 2 KB file
can name a cell at XFD1048576 — or leave a cell's reference out in a row numbered a million,
which puts it there all the same — and ask for seventeen billion cells: python-calamine then
fails to allocate and aborts the whole process, which no ``except`` can catch. Predicting
the grid by re-reading the XML would mean copying the reader's addressing rules (and paying
for a second pass over a 66 MB sheet); instead the reader runs in a child process
(`thidua.lib.sheet_child`) with a limit on its memory and CPU time. A file that asks for too
much ends the child, never the server, and is refused with a message.

The child sends the sheet back column by column, as each column's distinct values and one
code per cell: a national history file's 900,000 cells hold a few tens of thousands of
distinct values, so the transfer is small and the checks convert each distinct value once.
The limits contain a file's demands on the machine; the child is not a barrier against code
execution (it runs as the same user).
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from thidua.lib.numbers import format_number
from thidua.lib.safe_zip import MAX_CELLS, UnsafeFile, check_archive
from thidua.lib.sheet_child import MAX_ANSWER_BYTES

log = logging.getLogger(__name__)

MEMORY_LIMIT = 1536 * 1024 * 1024  # address space of the child: a 2,000,000-cell sheet fits
# A 2,000,000-cell sheet reads in about 5 s; a page that waits for a small file is answered
# before the web server gives up on it (gunicorn: 30 s).
CPU_SECONDS = 20
WAIT_SECONDS = 25
# What the child may pass on to it: never the server's secrets (DATABASE_URL, keys).
PASSED_ENVIRONMENT = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR")
T = TypeVar("T")


class UnreadableSheet(Exception):
    """The file is a zip but not a workbook the reader understands."""


class RefusedCells(UnsafeFile):
    """Cells thidua does not take as typed: a formula (the reader would give its last
    computed value), a number that is not finite (NaN, infinity), text with a NUL character.

    `messages` name each cell by row and column (the first `MAX_FORMULAS_NAMED`), `message`
    says it in one sentence; `cells` are (1-based row, column letters, kind)."""

    def __init__(self, count: int, cells: Sequence[tuple[int, int, str]]) -> None:
        self.count = count
        self.cells = [(row + 1, column_letters(column), kind) for row, column, kind in cells]
        self.messages = [cell_problem(row, column, kind) for row, column, kind in self.cells]
        if count > len(self.messages):
            self.messages.append(
                _("… and %(count)s more cells that cannot be imported.")
                % {"count": format_number(count - len(self.messages))}
            )
        if count == 1:
            message = self.messages[0]
        else:
            row, column, kind = self.cells[0]
            message = _(
                "The sheet has %(count)s cells that cannot be imported; the first: %(first)s"
            ) % {"count": format_number(count), "first": cell_problem(row, column, kind)}
        super().__init__(message)


def column_letters(column: int) -> str:
    """The letters of a 0-based column: 0 → A, 26 → AA."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_problem(row: int, column: str, kind: str) -> str:
    problems = {
        "formula": _("the cell holds a formula; enter the value itself."),
        "not_finite": _("the cell holds a number that is not finite (NaN or infinity); retype it."),
        "nul": _("the cell holds a NUL character; retype the text."),
    }
    return _("Row %(row)s, column %(column)s: %(problem)s") % {
        "row": row,
        "column": column,
        "problem": problems[kind],
    }


class MissingSheet(Exception):
    """The workbook has no sheet of the name asked for; `names` are the sheets it has."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


@dataclass(frozen=True)
class Column:
    """One column: its distinct values and, for each cell from row 1 down, a value's index."""

    values: list[Any]
    codes: array[int]

    def cells(self) -> list[Any]:
        return list(map(self.values.__getitem__, self.codes))

    def each(
        self, convert: Callable[[Any], T], rows: Sequence[int] | slice = slice(None)
    ) -> list[T]:
        """`convert(cell)` for the cells of `rows` (all by default), once per distinct value."""
        converted = list(map(convert, self.values))
        codes: Sequence[int] = (
            self.codes[rows] if isinstance(rows, slice) else list(map(self.codes.__getitem__, rows))
        )
        return list(map(converted.__getitem__, codes))


@dataclass(frozen=True)
class Sheet:
    """A sheet from A1 to its last cell, by column; rows and columns count from 0."""

    height: int
    width: int
    columns: list[Column]
    blank_rows: frozenset[int]  # rows whose every cell is empty

    def cell(self, row: int, column: int) -> Any:
        """The value at (row, column); "" outside the sheet."""
        if row >= self.height or column >= self.width:
            return ""
        found = self.columns[column]
        return found.values[found.codes[row]]

    def row(self, row: int) -> list[Any]:
        return [self.cell(row, column) for column in range(self.width)]

    def rows(self) -> list[list[Any]]:
        """Every row as a list (for small sheets: a national file is better read by column)."""
        cells = [column.cells() for column in self.columns]
        return [list(row) for row in zip(*cells, strict=True)] if cells else []


def too_many_cells(rows: int, columns: int) -> str:
    return _(
        "The sheet spans %(rows)s rows and %(columns)s columns, more than thidua reads at once; "
        "keep only the table to import."
    ) % {"rows": format_number(rows), "columns": format_number(columns)}


def read_sheet(content: bytes, *, sheet: int | str = 0, max_cells: int = MAX_CELLS) -> Sheet:
    """The sheet at index `sheet` (or named `sheet`) of the workbook in `content`.

    Raises UnsafeFile (with a message for the user) for a file that is not a zip, unpacks
    beyond the budget, spans more than `max_cells` cells or takes the child past its limits,
    and its RefusedCells for a sheet holding formulas (the reader would give their cached
    values as if typed), numbers that are not finite or text with a NUL character;
    UnreadableSheet for a zip that is not a workbook (or one whose formulas cannot be found:
    not an .xlsx or OpenDocument sheet); MissingSheet for a name not found.
    """
    check_archive(content)
    which = f"name:{sheet}" if isinstance(sheet, str) else f"index:{sheet}"
    answer = _answer_of(_run_child(content, [str(max_cells), which]))
    kind = answer[0]
    if kind == "sheet":
        _kind, height, width, columns, blank = answer
        return Sheet(
            height,
            width,
            [Column(values, _codes(packed)) for values, packed in columns],
            frozenset(blank),
        )
    if kind == "refused_cells":
        raise RefusedCells(answer[1], answer[2])
    if kind == "too_many_cells":
        raise UnsafeFile(too_many_cells(answer[1], answer[2]))
    if kind == "no_sheet":
        raise MissingSheet(list(answer[1]))
    if kind == "too_large":
        raise UnsafeFile(_too_large())
    raise UnreadableSheet()


def _run_child(content: bytes, arguments: list[str]) -> bytes:
    """Run the child on `content`; its answer, or UnsafeFile if it fails or overruns.

    The answer is read up to `MAX_ANSWER_BYTES` (the child refuses a larger one itself);
    past `WAIT_SECONDS` the child is killed.
    """
    command = [sys.executable, "-m", "thidua.lib.sheet_child", str(MEMORY_LIMIT)]
    command += [str(CPU_SECONDS), *arguments]
    environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    environment["RUST_BACKTRACE"] = "0"  # one line in the log, not a page
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=environment,
        ) as child,
    ):
        assert child.stdin is not None and child.stdout is not None
        overran = threading.Event()

        def stop() -> None:
            overran.set()
            child.kill()

        timer = threading.Timer(WAIT_SECONDS, stop)
        timer.start()
        try:
            try:
                child.stdin.write(content)
                child.stdin.close()
            except BrokenPipeError:  # it ended before reading all: its exit says why
                pass
            answer = child.stdout.read(MAX_ANSWER_BYTES + 1)
            if len(answer) > MAX_ANSWER_BYTES:
                child.kill()
            status = child.wait()
        finally:
            timer.cancel()
            timer.join()  # this process runs one thread again before it may fork
        if status != 0 or len(answer) > MAX_ANSWER_BYTES:
            errors.seek(0)
            log.warning(
                "the sheet reader ended with %s%s: %s",
                status,
                f" after {WAIT_SECONDS} s" if overran.is_set() else "",
                errors.read()[-300:].decode(errors="replace").strip(),
            )
            raise UnsafeFile(_too_large())
    return answer


def _too_large() -> str:
    return _("The sheet is too large to read at once (or damaged); keep only the table to import.")


def _codes(packed: bytes) -> array[int]:
    codes = array("I")
    codes.frombytes(packed)
    return codes


class _Loader(pickle.Unpickler):
    """Unpickles plain values only: the child's answer may hold cells of these types."""

    ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")
        return super().find_class(module, name)


def _answer_of(data: bytes) -> tuple[Any, ...]:
    try:
        answer = _Loader(io.BytesIO(data)).load()
    except Exception:
        raise UnsafeFile(_too_large()) from None
    if not isinstance(answer, tuple) or not answer:
        raise UnsafeFile(_too_large())
    return answer
