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

# (year) -> facts an area states about the year, for the summary report, the minutes, the
# proposal and the news draft. Keys are namespaced by area; see docs/report-facts.md.
ReportFacts = Callable[["EmulationYear"], dict[str, Any]]

phase_checks: list[PhaseCheck] = []
phase_changed: list[PhaseChanged] = []
member_todos: list[MemberTodos] = []
year_links: list[YearLinks] = []
report_facts: list[ReportFacts] = []


def facts_of(year: EmulationYear) -> dict[str, Any]:
    """Every area's facts about `year`, merged."""
    facts: dict[str, Any] = {}
    for provider in report_facts:
        facts.update(provider(year))
    return facts
