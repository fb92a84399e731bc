"""How far a piece of long work has come, told to a page (through a small file) or a terminal.

Long work runs inside one transaction (an import is all or nothing), so its progress cannot
be written to the database it is writing: SQLite lets one writer at a time, and the other
databases would not show it before the commit. A job's progress therefore goes to a small
JSON file next to the media files, replaced whole at each step; its page reads it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

Progress = Any  # a callable (done, total) -> None, as the work functions take it


def progress_path(job_id: object) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / "progress" / f"{job_id}.json"


def read_progress(job_id: object) -> dict[str, int] | None:
    """The last progress a running job reported, or None."""
    try:
        data = json.loads(progress_path(job_id).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return {"done": int(data.get("done", 0)), "total": int(data.get("total", 0))}


class FileProgress:
    """A progress callback that records (done, total) for the job's page, twice a second."""

    def __init__(self, job_id: object, *, every: float = 0.5) -> None:
        self.path = progress_path(job_id)
        self.every = every
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"done": done, "total": total}), "utf-8")
        os.replace(partial, self.path)  # readers never see half a file

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class TerminalBar:
    """A progress callback that draws a bar on a terminal: [#####-----]  50%  3.000/6.000."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}%  {done:,}/{total:,}{end}")
        self.stream.flush()
