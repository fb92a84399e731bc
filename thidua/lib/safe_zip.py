"""Refusing Office files (.xlsx, .docx) that would explode when opened, before a parser sees them.

An .xlsx is a zip of XML. Spreadsheet readers (python-calamine, openpyxl) build a sheet as a
dense grid from its first to its last cell, so a 2 KB file with one cell in A1 and one in
XFD1048576 asks for seventeen billion cells and takes the server down. The checks here read
the zip's XML with a byte budget and the largest cell reference, and refuse in milliseconds.
"""

from __future__ import annotations

import io
import re
import zipfile
from operator import itemgetter

from django.utils.translation import gettext as _

from thidua.lib.numbers import format_number

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_CELLS = 2_000_000
CHUNK = 1024 * 1024
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


class UnsafeFile(Exception):
    """The file is refused before it is opened; `message` is translated for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - ord("A") + 1)
    return number


def check_office_file(content: bytes, *, max_cells: int = MAX_CELLS) -> None:
    """Refuse a file that is not a zip, unzips beyond the budget, or spans too many cells."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise UnsafeFile(_("The file is not a readable Office document (.xlsx or .docx)."))
    too_big = _("The file is too large once unpacked; split it into smaller files.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
                raise UnsafeFile(too_big)
            budget = MAX_UNZIPPED_BYTES
            for member in members:
                # The sizes in the zip's directory can lie: count what is really unpacked.
                rows = columns = 0
                tail = b""
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise UnsafeFile(too_big)
                        if not _SHEET.match(member.filename):
                            continue
                        text = tail + chunk
                        if refs := _CELL_REF.findall(text):
                            # A sheet names a million cells but few distinct columns: each
                            # distinct reference part is converted once.
                            letters = set(map(itemgetter(0), refs))
                            columns = max(columns, *map(column_number, letters))
                            rows = max(rows, *map(int, set(map(itemgetter(1), refs))))
                        tail = text[-200:]
                if rows * columns > max_cells:
                    raise UnsafeFile(
                        _(
                            "The sheet spans %(rows)s rows and %(columns)s columns, more than "
                            "thidua reads at once; keep only the table to import."
                        )
                        % {"rows": format_number(rows), "columns": format_number(columns)}
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        raise UnsafeFile(
            _("The file is not a readable Office document (.xlsx or .docx).")
        ) from None
