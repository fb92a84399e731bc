"""Refusing Office files (.xlsx, .docx) that would explode when unpacked, before a parser sees them.

An Office file is a zip of XML, and a zip can declare small members that unpack to gigabytes.
`check_archive` reads the zip's directory only (milliseconds); `check_office_file` also unpacks
every member with a byte budget, because the declared sizes can lie. Spreadsheets have one more
danger — a reader builds a sheet as a dense grid, which two far-apart cells make enormous — that
`thidua.lib.sheet_reader` contains by reading sheets in a child process with limits.
"""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_CELLS = 2_000_000
CHUNK = 1024 * 1024
# What the zip module raises for a damaged archive, or one using a compression it lacks.
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError)


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
    except _DAMAGED:
        raise _not_office() from None
    if declared > MAX_UNZIPPED_BYTES:
        raise _too_big()


def check_office_file(content: bytes) -> None:
    """`check_archive`, then unpack every member counting what really comes out."""
    check_archive(content)
    budget = MAX_UNZIPPED_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.infolist():
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise _too_big()
    except _DAMAGED:
        raise _not_office() from None
