"""The kinds of job: each area registers its own, from its AppConfig.ready().

jobs knows no area. A kind says what it is called, who may start it (and try it again), and
what work it does: a function of the job and a progress callback returning an `Outcome`, or
raising `WorkRefused` when what it was given is wrong (nothing kept, a retry would fail again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

from .progress import Progress

if TYPE_CHECKING:
    from .models import Job


@dataclass(frozen=True)
class Outcome:
    """What work done tells its user, and the file it produced, if any."""

    message: str
    content: bytes | None = None
    file_name: str = ""


class WorkRefused(Exception):
    """The work is refused whole: `message` says so, `problems` name each problem found."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


Work = Callable[["Job", Progress], Outcome]


@dataclass(frozen=True)
class Kind:
    kind: str  # the value stored in Job.kind
    label: str | Promise
    permission: str  # to start a job of this kind, and to try it again
    work: Work
    takes_input: bool = False  # the work reads a file the user gave, and cannot do without it


KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    *,
    label: str | Promise,
    permission: str,
    work: Work,
    takes_input: bool = False,
) -> None:
    """Make `kind` a kind of job; registering one twice is a mistake of the areas."""
    if kind in KINDS:
        raise ValueError(f"job kind {kind!r} is registered twice")
    KINDS[kind] = Kind(kind, label, permission, work, takes_input)


def get(kind: str) -> Kind:
    """The registered kind, or KeyError for one no installed area registers."""
    return KINDS[kind]


def choices() -> list[tuple[str, str | Promise]]:
    """Job.kind's choices: the registered kinds with their labels."""
    return [(kind.kind, kind.label) for kind in KINDS.values()]
