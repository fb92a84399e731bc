"""A disk that fills up in the middle of a write, for the tests of every upload."""

from __future__ import annotations

import errno
import io
import os
from typing import Any

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler


def no_space() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def while_storing(monkeypatch: pytest.MonkeyPatch, *, written: bytes = b"half of it") -> None:
    """Each file storage opens takes `written` and then finds the disk full."""
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        file = real_fdopen(fd, *args, **kwargs)
        file.write(written)
        file.flush()

        def full(_data: Any) -> int:
            raise no_space()

        file.write = full
        return file

    monkeypatch.setattr(os, "fdopen", fdopen)


class _FullDisk(io.RawIOBase):
    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if len(data) > self.room:
            raise no_space()
        self.room -= len(data)
        return len(data)


def while_spooling(monkeypatch: pytest.MonkeyPatch, *, room: int = 10 * 1024) -> None:
    """The temporary folder an upload is spooled to fills up after `room` bytes."""
    real_new_file = TemporaryFileUploadHandler.new_file

    def new_file(handler: Any, *args: Any, **kwargs: Any) -> None:
        real_new_file(handler, *args, **kwargs)
        handler.file.file.file = _FullDisk(room)  # under NamedTemporaryFile's wrapper

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", new_file)
