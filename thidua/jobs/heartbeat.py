"""A worker's heartbeat: a small file it renews every few seconds while it lives.

A worker holds a lease on the jobs it runs: it promises to renew its heartbeat within
`lease` seconds. One whose heartbeat is older than its lease, or that wrote its last one on
stopping, has died or stopped, and the jobs it held are failed (`actions.do_fail_abandoned_jobs`).

The heartbeat is a file beside the media files, not a row, for the reason a job's progress is
(`progress.py`): an import holds SQLite's only write lock until it commits, so a row could not
be renewed while the worker does the very work the lease is about. Each worker writes only its
own file, replaced whole; every reader (other workers, `prune_jobs`, the health endpoint) sees
the newest one. The web servers and the workers therefore share `MEDIA_ROOT`, as the uploads
they hand over already require.

The file is renewed by a small child process (`python -m thidua.jobs.heartbeat`), not a
thread of the worker: a worker with another thread running never forks the processes that
judge a national batch (`thidua.lib.batch.can_fork`), and a thread would stop beating during
a long statement the database driver runs with the interpreter held. The child ends when the
worker closes its stdin (a clean stop) or as soon as the worker is gone (killed); it ignores
SIGTERM and SIGINT, which systemd and a terminal send to the whole group, so that a worker
finishing its job after SIGTERM keeps its lease until it has.

This module uses the standard library only: the child starts without Django.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Beat:
    """What a worker last told of itself."""

    worker: str
    at: float  # seconds since the epoch, on the worker's clock
    lease: float  # the worker renews `at` within this many seconds while it lives
    pid: int = 0
    host: str = ""
    stopped: bool = False  # written on a clean stop: the worker holds nothing any more


def beat_path(folder: Path, worker: str) -> Path:
    return folder / f"{worker}.json"


def write_beat(folder: Path, beat: Beat) -> None:
    """Replace the worker's heartbeat file whole: readers never see half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = beat_path(folder, beat.worker)
    partial = path.with_name(f"{path.name}.tmp")
    partial.write_text(json.dumps(asdict(beat)), "utf-8")
    os.replace(partial, path)


def read_beat(path: Path) -> Beat | None:
    """The heartbeat in `path`, or None if it is missing or unreadable."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return Beat(
            worker=str(data["worker"]),
            at=float(data["at"]),
            lease=float(data["lease"]),
            pid=int(data.get("pid", 0)),
            host=str(data.get("host", "")),
            stopped=bool(data.get("stopped", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_beats(folder: Path) -> dict[str, Beat]:
    """Every worker's last heartbeat in `folder`, by worker id."""
    try:
        paths = list(folder.glob("*.json"))
    except OSError:
        return {}
    beats = (read_beat(path) for path in paths)
    return {beat.worker: beat for beat in beats if beat is not None}


def first_beat(worker: str, *, lease: float) -> Beat:
    return Beat(worker, time.time(), lease, os.getpid(), socket.gethostname())


def last_beat(beat: Beat) -> Beat:
    """The beat a worker writes on a clean stop."""
    return replace(beat, at=time.time(), stopped=True)


def keep_beating(folder: Path, beat: Beat, every: float, parent: int) -> None:
    """Renew `beat` every `every` seconds while `parent` lives and keeps stdin open."""
    while True:
        if os.getppid() != parent:
            return  # the worker is gone (killed): let its lease run out
        try:
            write_beat(folder, replace(beat, at=time.time()))
        except OSError as error:  # a full disk, for a moment: try again at the next beat
            print(f"heartbeat: {error}", file=sys.stderr)
        readable, _, _ = select.select([sys.stdin], [], [], every)
        if readable and not os.read(sys.stdin.fileno(), 64):
            return  # stdin closed: the worker stops cleanly and writes its last beat itself


def main(argv: list[str]) -> int:
    """python -m thidua.jobs.heartbeat FOLDER WORKER EVERY LEASE PARENT_PID"""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_IGN)
    folder, worker, every, lease, parent = argv
    beat = Beat(worker, time.time(), float(lease), int(parent), socket.gethostname())
    keep_beating(Path(folder), beat, float(every), int(parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
