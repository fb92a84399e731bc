"""When a worker counts as gone, and what a job keeps of its input: pure rules, no database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .heartbeat import Beat


def is_alive(beat: Beat | None, now: float) -> bool:
    """Whether the worker that wrote `beat` still holds its lease at `now` (epoch seconds).

    No heartbeat at all (a worker that never wrote one, or whose file was pruned) is no lease.
    """
    return beat is not None and not beat.stopped and now - beat.at <= beat.lease


def dead_workers(holders: Iterable[str], beats: Mapping[str, Beat], now: float) -> set[str]:
    """The workers among `holders` whose jobs nobody is doing any more."""
    return {worker for worker in holders if not is_alive(beats.get(worker), now)}


def undecided_workers(
    holders: Iterable[str], beats: Mapping[str, Beat], now: float, since: float
) -> set[str]:
    """The workers among `holders` that hold a lease but have not renewed it since `since`.

    A worker starting up waits for these to renew their lease or lose it: one killed a moment
    before the restart still looks alive until its lease runs out.
    """
    return {
        worker
        for worker in holders
        if is_alive(beats.get(worker), now) and beats[worker].at <= since
    }


def keeps_input(*, done: bool, refused: bool) -> bool:
    """Whether a job that ended keeps the file it was given, for a retry.

    A job done needs it no more, and one refused (the file is wrong) would be refused again:
    its corrected file is uploaded anew. A job that failed otherwise (the worker stopped, an
    error of the server) may well pass on a retry, which reuses the file.
    """
    return not done and not refused
