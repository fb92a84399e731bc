"""The child process of `thidua.lib.sheet_reader`: reads one sheet of a workbook, within limits.

Run as ``python -m thidua.lib.sheet_child MEMORY SECONDS MAX_CELLS SHEET`` with the workbook
on standard input; writes one pickle to standard output (see `read`). It imports nothing of
Django or of the rest of thidua: it starts in a few milliseconds and holds nothing a crafted
file could reach but the file itself.

The limits are set before the file is read: `MEMORY` bytes of address space (a reader asked for
billions of cells fails to allocate and the process ends), `SECONDS` of CPU time, and no core
file. `SHEET` is ``index:N`` (the Nth sheet, from 0) or ``name:NAME`` (the sheet so named).
"""

from __future__ import annotations

import gc
import io
import pickle
import resource
import sys
from array import array
from collections.abc import Sequence
from typing import Any

NUMBERS = {bool, int, float}
# The largest answer sent back (a national file's is 4 MB): the cells' distinct texts can be
# long, and the server process should not hold more than this of them.
MAX_ANSWER_BYTES = 128 * 1024 * 1024


def limit(memory: int, seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def coded(column: Sequence[Any]) -> tuple[list[Any], bytes]:
    """A column as its distinct values (in order of first use) and one code per cell.

    1, 1.0 and True are equal in Python but not in a sheet: when a column mixes number
    types, cells are told apart by type as well as value.
    """
    keys: Sequence[Any] = column
    typed = len(set(map(type, column)) & NUMBERS) > 1
    if typed:
        keys = list(zip(map(type, column), column, strict=True))
    positions = dict(zip(dict.fromkeys(keys), range(len(keys)), strict=False))
    codes = array("I", map(positions.__getitem__, keys))
    values = [key[1] for key in positions] if typed else list(positions)
    return values, codes.tobytes()


def read(content: bytes, sheet: int | str, max_cells: int) -> tuple[Any, ...]:
    """One of:

    * ``("sheet", height, width, columns, blank_rows)`` — the sheet from A1 to its last cell;
      `columns` are `coded` columns, `blank_rows` the 0-based rows whose cells are all empty;
    * ``("too_many_cells", height, width)`` — the sheet is larger than `max_cells`;
    * ``("no_sheet", names)`` — no sheet by that name; `names` are the workbook's sheets;
    * ``("unreadable",)`` — not a workbook the reader understands;
    * ``("too_large",)`` (from `main`) — the answer would exceed `MAX_ANSWER_BYTES`.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        if isinstance(sheet, str) and sheet not in book.sheet_names:
            return ("no_sheet", list(book.sheet_names))
        if isinstance(sheet, str):
            found = book.get_sheet_by_name(sheet)
        else:
            found = book.get_sheet_by_index(sheet)
    except Exception:  # the reader raises several unrelated types for a damaged file
        return ("unreadable",)
    end = found.end
    height, width = (end[0] + 1, end[1] + 1) if end is not None else (0, 0)
    if height * width > max_cells:
        return ("too_many_cells", height, width)
    try:
        rows: list[list[Any]] = found.to_python(skip_empty_area=False)
    except Exception:
        return ("unreadable",)
    width = max(map(len, rows), default=0)
    if any(len(row) != width for row in rows):
        rows = [list(row) + [""] * (width - len(row)) for row in rows]
    blank = [
        number for number, row in enumerate(rows) if row.count("") + row.count(None) == len(row)
    ]
    columns = [coded(column) for column in zip(*rows, strict=True)]
    return ("sheet", len(rows), len(columns), columns, blank)


def main(argv: Sequence[str]) -> None:
    memory, seconds, max_cells, sheet = argv
    limit(int(memory), int(seconds))
    # A sheet's cells are a million objects and no cycles: collecting would only slow the
    # read, and the process ends as soon as it has answered.
    gc.disable()
    content = sys.stdin.buffer.read()
    kind, _colon, which = sheet.partition(":")
    answer = read(content, int(which) if kind == "index" else which, int(max_cells))
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > MAX_ANSWER_BYTES:
        data = pickle.dumps(("too_large",), protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main(sys.argv[1:])
