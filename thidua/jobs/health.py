"""The workers' heartbeats as the rest of thidua reads them (the health endpoint, the reaper)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from .heartbeat import Beat, read_beats


def heartbeat_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / "workers"


def worker_beats() -> dict[str, Beat]:
    """Every worker's last heartbeat, by worker id, stopped and dead ones included."""
    return read_beats(heartbeat_folder())


def last_worker_heartbeat() -> dt.datetime | None:
    """When any worker last renewed its heartbeat (a stopping one's last beat counts), or None."""
    beats = worker_beats()
    if not beats:
        return None
    return dt.datetime.fromtimestamp(max(beat.at for beat in beats.values()), tz=dt.UTC)
