"""The child process of `thidua.lib.sheet_reader`: reads one sheet of a workbook, within limits.

Run as ``python -m thidua.lib.sheet_child MEMORY SECONDS MAX_CELLS SHEET`` with the workbook
on standard input; writes one pickle to standard output (see `read`). It imports nothing of
Django or of the rest of thidua: it starts in a few milliseconds and holds nothing a crafted
file could reach but the file itself.

The limits are set before the file is read: `MEMORY` bytes of address space (a reader asked for
billions of cells fails to allocate and the process ends), `SECONDS` of CPU time, and no core
file. `SHEET` is ``index:N`` (the Nth sheet, from 0) or ``name:NAME`` (the sheet so named).

The reader gives a formula's last computed value as if it had been typed (a name from
``=HYPERLINK(...)``, a year from ``=2015+1``), so the child also finds the sheet's formula
cells in its XML (`formula_cells`); thidua refuses them rather than guess.
"""

from __future__ import annotations

import gc
import io
import math
import pickle
import posixpath
import re
import resource
import sys
import zipfile
from array import array
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

NUMBERS = {bool, int, float}
# The largest answer sent back (a national file's is 4 MB): the cells' distinct texts can be
# long, and the server process should not hold more than this of them.
MAX_ANSWER_BYTES = 128 * 1024 * 1024
# How many refused cells (formulas, NaN, NUL) are named by their place; the rest are counted.
MAX_FORMULAS_NAMED = 20
# A formula in the sheet's XML: an <f> element (any prefix) in an .xlsx, an attribute
# table:formula="..." in an OpenDocument sheet. A search starting with a plain letter is fast
# (Vietnamese has no "f"); a text that happens to hold "<f " only costs an exact parse.
_XLSX_FORMULA = re.compile(rb"f[\s/>]")  # then the byte before: "<" or a prefix's ":"
_ODS_FORMULA = re.compile(rb":formula=")
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


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


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    """The attribute `name` of any namespace (r:id, table:name ...)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _pick(elements: list[ElementTree.Element], sheet: int | str) -> ElementTree.Element | None:
    if isinstance(sheet, str):
        return next((e for e in elements if _attribute(e, "name") == sheet), None)
    return elements[sheet] if 0 <= sheet < len(elements) else None


def _xlsx_sheet_part(archive: zipfile.ZipFile, sheet: int | str) -> str | None:
    """The zip member holding the sheet's cells: the workbook's <sheet> to its relationship."""
    book = "xl/workbook.xml"
    if "_rels/.rels" in archive.namelist():
        for rel in ElementTree.fromstring(archive.read("_rels/.rels")):
            if (rel.get("Type") or "").endswith("/officeDocument"):
                book = (rel.get("Target") or book).lstrip("/")
    if book not in archive.namelist():
        return None
    sheets = [
        e for e in ElementTree.fromstring(archive.read(book)).iter() if _local(e.tag) == "sheet"
    ]
    found = _pick(sheets, sheet)
    rels = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    if found is None or rels not in archive.namelist():
        return None
    wanted = _attribute(found, "id")
    for rel in ElementTree.fromstring(archive.read(rels)):
        if rel.get("Id") == wanted:
            target = rel.get("Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(posixpath.dirname(book), target))
    return None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _xlsx_formulas(data: bytes) -> list[tuple[int, int]]:
    """The 0-based (row, column) of each cell of a worksheet's XML holding an <f> element.

    A row or cell without its reference follows the one before, as the reader places it.
    """
    found: list[tuple[int, int]] = []
    row = column = -1
    in_cell = False
    parent: ElementTree.Element | None = None
    for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = _local(element.tag)
        if event == "end":
            if tag == "c":
                in_cell = False
            elif tag == "row" and parent is not None:
                parent.remove(element)  # keep the memory of a sheet of a million rows flat
            continue
        if tag == "sheetData":
            parent = element
        elif tag == "row":
            number = element.get("r")
            row = int(number) - 1 if number and number.isdigit() else row + 1
            column = -1
        elif tag == "c":
            in_cell = True
            reference = _CELL_REFERENCE.fullmatch(element.get("r") or "")
            if reference:
                row, column = int(reference[2]) - 1, _column_number(reference[1])
            else:
                column += 1
        elif tag == "f" and in_cell:
            found.append((row, column))
    return found


def _repeat(element: ElementTree.Element, name: str) -> int:
    value = _attribute(element, name)
    return int(value) if value and value.isdigit() else 1


def _ods_formulas(data: bytes, sheet: int | str) -> list[tuple[int, int]]:
    """The 0-based (row, column) of each cell of an OpenDocument sheet with a formula."""
    root = ElementTree.fromstring(data)
    tables = [e for e in root.iter() if _local(e.tag) == "table"]
    table = _pick(tables, sheet)
    if table is None:
        return []
    found: list[tuple[int, int]] = []
    row = 0
    for element in table.iter():
        if _local(element.tag) != "table-row":
            continue
        column = 0
        for cell in element:
            if _local(cell.tag) not in ("table-cell", "covered-table-cell"):
                continue
            if _attribute(cell, "formula") is not None:
                found.append((row, column))
            column += _repeat(cell, "number-columns-repeated")
        row += _repeat(element, "number-rows-repeated")
    return found


def _is_unreadable(value: Any) -> bool:
    return (type(value) is float and not math.isfinite(value)) or (
        type(value) is str and "\x00" in value
    )


def _unreadable_values(columns: list[tuple[list[Any], bytes]]) -> list[tuple[int, int, str]]:
    """The cells holding a number that is not finite (NaN, infinity: ``<v>NaN</v>``,
    ``<v>1e999</v>``) or text with a NUL character (``_x0000_``), as (row, column, kind).

    Each column's distinct values are checked once; the cells are looked for only when one
    of them is refused."""
    found = []
    for c, (values, packed) in enumerate(columns):
        bad = {code for code, value in enumerate(values) if _is_unreadable(value)}
        if not bad:
            continue
        codes = array("I")
        codes.frombytes(packed)
        found += [
            (r, c, "nul" if type(values[code]) is str else "not_finite")
            for r, code in enumerate(codes)
            if code in bad
        ]
    return found


def formula_cells(content: bytes, sheet: int | str) -> list[tuple[int, int]] | None:
    """The 0-based (row, column) of the sheet's cells holding a formula, in order.

    None when the workbook is neither an .xlsx nor an OpenDocument sheet, whose formulas
    cannot be told from typed values. A sheet with no formula costs one search of its bytes.
    """
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        if "content.xml" in names and "xl/workbook.xml" not in names:
            data = archive.read("content.xml")
            return _ods_formulas(data, sheet) if _ODS_FORMULA.search(data) else []
        part = _xlsx_sheet_part(archive, sheet)
        if part is None or part not in names:
            return None
        data = archive.read(part)
    tagged = any(
        data[m.start() - 1 : m.start()] in (b"<", b":") for m in _XLSX_FORMULA.finditer(data)
    )
    return _xlsx_formulas(data) if tagged else []


def read(content: bytes, sheet: int | str, max_cells: int) -> tuple[Any, ...]:
    """One of:

    * ``("sheet", height, width, columns, blank_rows)`` — the sheet from A1 to its last cell;
      `columns` are `coded` columns, `blank_rows` the 0-based rows whose cells are all empty;
    * ``("refused_cells", count, cells)`` — the sheet has `count` cells thidua refuses to
      take as typed, the first `MAX_FORMULAS_NAMED` of them in `cells` as (0-based row,
      column, kind): kind "formula" (a formula: the reader would give its cached value),
      "not_finite" (NaN or infinity) or "nul" (text with a NUL character);
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
        formulas = formula_cells(content, sheet)
    except Exception:
        return ("unreadable",)
    if formulas is None:
        return ("unreadable",)
    width = max(map(len, rows), default=0)
    if any(len(row) != width for row in rows):
        rows = [list(row) + [""] * (width - len(row)) for row in rows]
    blank = [
        number for number, row in enumerate(rows) if row.count("") + row.count(None) == len(row)
    ]
    columns = [coded(column) for column in zip(*rows, strict=True)]
    refused = sorted([(r, c, "formula") for r, c in formulas] + _unreadable_values(columns))
    if refused:
        return ("refused_cells", len(refused), refused[:MAX_FORMULAS_NAMED])
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
