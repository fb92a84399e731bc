"""Uploaded files: each kind's size limit, refused before anything is stored, and a full disk.

The limits are one setting, ``THIDUA_UPLOAD_LIMITS`` (bytes by kind, from the environment in
MB). Three layers use them:

- ``LimitedTemporaryFileUploadHandler`` (in ``FILE_UPLOAD_HANDLERS``) spools at most the
  largest limit of a request to the temporary folder; past it, and when that folder's disk is
  full, it reads the rest of the file without keeping it and hands the form a
  ``RefusedUpload`` instead of the file;
- ``UploadField`` refuses a file over its kind's limit (and a refused one) with a message
  that names the limit, so the view never calls its action;
- ``storing()`` turns a full disk while an action stores the file into a refusal, after the
  action's transaction rolled back, and ``FileSystemStorage`` leaves no half-written file.
"""

from __future__ import annotations

import errno
import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.storage import FileSystemStorage as DjangoFileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _

from thidua.errors import ActionRefused, Refusal
from thidua.lib.numbers import format_number

MB = 1024 * 1024
KB = 1024
# A disk with no room left, or a quota used up: the same for the user.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})

TOO_LARGE = "too_large"
NO_ROOM = "disk_full"


def limit(kind: str) -> int:
    """The largest file, in bytes, an upload of this kind accepts."""
    return int(settings.THIDUA_UPLOAD_LIMITS[kind])


def largest_limit() -> int:
    """The largest of the limits: no request needs to spool more than this."""
    return max(int(size) for size in settings.THIDUA_UPLOAD_LIMITS.values())


def format_size(size: int) -> str:
    """A size as people read it, rounded down so a file over it is always larger than shown."""
    if size >= MB:
        unit, name = MB, "MB"
    elif size >= KB:
        unit, name = KB, "KB"
    else:
        return f"{format_number(size)} byte"
    shown = (Decimal(size) / unit).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    decimals = 0 if shown == shown.to_integral_value() else 1
    return f"{format_number(shown, decimals)} {name}"


def too_large_message(name: str, size_limit: int) -> str:
    return _("The file “%(name)s” is larger than %(limit)s, the most allowed here.") % {
        "name": name,
        "limit": format_size(size_limit),
    }


def size_problem(name: str, size: int | None, kind: str) -> str | None:
    """Why an action cannot take a file of this size for `kind` (empty, too large), or None.

    The forms refuse first (`UploadField`); the actions check again for their other callers
    (the API, commands, the demo) against the same configured limit.
    """
    if not size:
        return _("The file “%(name)s” is empty.") % {"name": name}
    if size > limit(kind):
        return too_large_message(name, limit(kind))
    return None


def no_room_message() -> str:
    return _(
        "The server has no room left to store the file, so nothing was saved or changed. "
        "Try again later, or tell the administrator."
    )


def is_disk_full(error: OSError) -> bool:
    return error.errno in DISK_FULL


class RefusedUpload(UploadedFile):
    """What the form receives instead of a file the handler would not keep; it has no content."""

    def __init__(self, name: str, content_type: str, size: int, refusal: str) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)
        self.refusal = refusal

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        # Storing it would store an empty file under the name of a real one: fail loudly.
        raise ValueError("A refused upload has no content to store.")

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise ValueError("A refused upload has no content to read.")


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's spooling handler, keeping at most the largest limit per request on disk."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        # One handler serves every file of a request: many files share one allowance.
        self.room = largest_limit()
        self.refusal: str | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.refusal = None
        self.__dict__.pop("file", None)  # the previous file is the form's now, not ours
        try:
            super().new_file(*args, **kwargs)
        except OSError as error:
            if not is_disk_full(error):
                raise
            self.refusal = NO_ROOM

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.refusal is not None:
            return None  # read on to the next field, keeping nothing
        if len(raw_data) > self.room:
            self._drop(TOO_LARGE)
            return None
        self.room -= len(raw_data)
        try:
            self.file.write(raw_data)
        except OSError as error:
            if not is_disk_full(error):
                raise
            self._drop(NO_ROOM)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.refusal is None:
            try:
                return super().file_complete(file_size)
            except OSError as error:  # the last buffered bytes are written here
                if not is_disk_full(error):
                    raise
                self._drop(NO_ROOM)
        refusal = self.refusal or NO_ROOM
        return RefusedUpload(self.file_name or "", self.content_type or "", file_size, refusal)

    def upload_interrupted(self) -> None:
        if self.refusal is None:
            super().upload_interrupted()

    def _drop(self, refusal: str) -> None:
        """Give up the temporary file now, rather than when the request ends."""
        self.refusal = refusal
        file = self.__dict__.pop("file", None)
        if file is None:
            return
        path = file.temporary_file_path()
        with suppress(OSError):  # closing flushes, and the disk may still be full
            file.close()
        with suppress(FileNotFoundError):
            os.remove(path)


class UploadField(forms.FileField):
    """A file field that refuses a file over its kind's limit, naming the limit."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, RefusedUpload) and data.refusal == NO_ROOM:
            raise forms.ValidationError(no_room_message(), code=NO_ROOM)
        size_limit = limit(self.kind)
        if isinstance(data, RefusedUpload) or (data and (data.size or 0) > size_limit):
            raise forms.ValidationError(
                too_large_message(data.name or "", size_limit), code=TOO_LARGE
            )
        return super().clean(data, initial)


def refused(form: forms.Form) -> str | None:
    """The message of a file the form refused for its size or a full disk, if it did."""
    for errors in form.errors.as_data().values():
        for error in errors:
            if error.code in (TOO_LARGE, NO_ROOM):
                return " ".join(error.messages)
    return None


@contextmanager
def storing() -> Iterator[None]:
    """Run an action that stores an upload; a full disk refuses it like the rules would.

    The action's transaction has rolled back by the time the error arrives here, so the
    refusal means what it says: nothing was changed.
    """
    try:
        yield
    except OSError as error:
        if not is_disk_full(error):
            raise
        raise ActionRefused(no_room_message(), kind=Refusal.NO_ROOM) from error


class FileSystemStorage(DjangoFileSystemStorage):
    """Django's file storage, except that a file a full disk cut short is removed."""

    # The path `_save` is writing, per thread: Django picks it inside `_save` (another name
    # when two uploads clash), and it is the only path `_save` created with O_EXCL.
    _writing = threading.local()

    def path(self, name: str) -> str:
        full = super().path(name)
        if getattr(self._writing, "active", False):
            self._writing.path = full
        return full

    def _save(self, name: str, content: Any) -> str:
        self._writing.active, self._writing.path = True, None
        try:
            return super()._save(name, content)  # type: ignore[misc]
        except OSError as error:
            if is_disk_full(error) and self._writing.path:
                with suppress(FileNotFoundError):
                    os.remove(self._writing.path)
            raise
        finally:
            self._writing.active, self._writing.path = False, None
