"""Where the other areas plug into the year: phase checks, phase changes, to-dos and links.

Each app registers its functions in its AppConfig.ready(); the cycle calls them without
knowing the apps. Every function receives loaded objects and answers in the user's words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import EmulationYear, Membership


@dataclass(frozen=True)
class Link:
    """A page of the year that an area offers on the dashboard."""

    label: str
    url: str


# (year, target phase) -> translated problems that stop the move; empty when it may go.
PhaseCheck = Callable[["EmulationYear", str], list[str]]
# (year, phase before, phase after, acting user): runs inside the move's transaction,
# e.g. to lock a table or freeze a snapshot.
PhaseChanged = Callable[["EmulationYear", str, str, Any], None]
# (year, memberships) -> {organization id: translated to-dos}; one call for all members.
MemberTodos = Callable[["EmulationYear", Sequence["Membership"]], dict[int, list[str]]]
# (year, user) -> the area's pages that this user may open.
YearLinks = Callable[["EmulationYear", Any], list[Link]]

phase_checks: list[PhaseCheck] = []
phase_changed: list[PhaseChanged] = []
member_todos: list[MemberTodos] = []
year_links: list[YearLinks] = []
