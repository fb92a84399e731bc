"""Refusing Office files (.xlsx, .docx) that would explode when unpacked, before a parser sees them.

An Office file is a zip of XML, and a 1 MB zip can declare members that unpack to gigabytes.
`check_archive` reads the zip's directory only (milliseconds) and refuses more than the budget.
A member that unpacks to more than its directory says is refused by Python's zip reader itself
(it stops at the declared size, and the checksum then fails), so python-docx never goes past
the budget. Spreadsheets have one more danger — a reader builds a sheet as a dense grid, which
two far-apart cells make enormous, and python-calamine reads members by its own rules — which
`thidua.lib.sheet_reader` contains by reading sheets in a child process with limits.
"""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_CELLS = 2_000_000
# What the zip module raises for a damaged archive, or one using a compression it lacks.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError)


class UnsafeFile(Exception):
    """The file is refused before it is opened; `message` is translated for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _not_office() -> UnsafeFile:
    return UnsafeFile(_("The file is not a readable Office document (.xlsx or .docx)."))


def _too_big() -> UnsafeFile:
    return UnsafeFile(_("The file is too large once unpacked; split it into smaller files."))


def check_archive(content: bytes) -> None:
    """Refuse a file that is not a zip, or whose directory declares more than the budget."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _not_office()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except DAMAGED:
        raise _not_office() from None
    if declared > MAX_UNZIPPED_BYTES:
        raise _too_big()
