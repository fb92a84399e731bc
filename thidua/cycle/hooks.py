"""Where the other areas plug into the year: phase checks, phase changes, to-dos and links.

Each area's `hooks.py` has a `register()`, called from its AppConfig.ready(), that hands
this module its callbacks by their one set of names (`phase_problems`, `phase_changed`,
`member_todos`, `member_progress`, `year_links`, `report_facts`, `carry_overs`, `year_opened`);
the cycle calls
them without knowing the areas. Every callback receives loaded objects and answers in the
user's words.
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


@dataclass(frozen=True)
class ProgressStep:
    """One step of the members' work, charted on the dashboard: how far each member has gone.

    `done` maps each member's organization id to (done, out of): (1, 1) for a pledge signed,
    (3, 4) for three of four indicators reported. A member missing from it has nothing to do
    in this step. `order` places the step among the others (the year's order of work).
    """

    key: str  # namespaced by area, e.g. "scoring.self_assessed"
    label: str  # "Tự chấm điểm"
    order: int
    done: dict[int, tuple[int, int]]
    # A step done at once ((0, 1) or (1, 1)) told in words: ("Đã ký", "Chưa ký").
    words: tuple[str, str] | None = None


# (year, memberships) -> the area's steps of the members' progress; one call for all members.
MemberProgress = Callable[["EmulationYear", Sequence["Membership"]], list[ProgressStep]]
# (year, user) -> the area's pages that this user may open.
YearLinks = Callable[["EmulationYear", Any], list[Link]]


@dataclass(frozen=True)
class CarryOver:
    """Something of the last year that an area offers to copy into the next, as a tick box."""

    key: str  # namespaced by area, e.g. "indicators"; what `year_opened` receives when ticked
    label: str  # "Copy the 12 indicators of 2016"


# (year) -> facts an area states about the year, for the summary report, the minutes, the
# proposal and the news draft. Keys are namespaced by area; see docs/report-facts.md.
ReportFacts = Callable[["EmulationYear"], dict[str, Any]]

# (last year) -> what the area can copy from it into the next year; empty when nothing.
CarryOvers = Callable[["EmulationYear"], list[CarryOver]]
# (last year, new year, the keys the secretariat ticked, acting user) -> what was copied, in
# the user's words. Runs inside the opening's transaction: a refusal leaves no year behind.
# The opening's permission (cycle.open_year) covers the copies.
YearOpened = Callable[["EmulationYear", "EmulationYear", frozenset[str], Any], list[str]]

phase_problems: list[PhaseCheck] = []
phase_changed: list[PhaseChanged] = []
member_todos: list[MemberTodos] = []
member_progress: list[MemberProgress] = []
year_links: list[YearLinks] = []
report_facts: list[ReportFacts] = []
carry_overs: list[CarryOvers] = []
year_opened: list[YearOpened] = []

_REGISTERED: dict[str, list[Any]] = {
    "phase_problems": phase_problems,
    "phase_changed": phase_changed,
    "member_todos": member_todos,
    "member_progress": member_progress,
    "year_links": year_links,
    "report_facts": report_facts,
    "carry_overs": carry_overs,
    "year_opened": year_opened,
}


def register(
    *,
    phase_problems: PhaseCheck | None = None,
    phase_changed: PhaseChanged | None = None,
    member_todos: MemberTodos | None = None,
    member_progress: MemberProgress | None = None,
    year_links: YearLinks | None = None,
    report_facts: ReportFacts | None = None,
    carry_overs: CarryOvers | None = None,
    year_opened: YearOpened | None = None,
) -> None:
    """Plug an area's callbacks into the year; an area passes the ones it has."""
    given = {
        "phase_problems": phase_problems,
        "phase_changed": phase_changed,
        "member_todos": member_todos,
        "member_progress": member_progress,
        "year_links": year_links,
        "report_facts": report_facts,
        "carry_overs": carry_overs,
        "year_opened": year_opened,
    }
    for name, callback in given.items():
        if callback is not None and callback not in _REGISTERED[name]:
            _REGISTERED[name].append(callback)


# What each action of the audit trail is called in a sentence ("đã ký giao ước thi đua"),
# and the area it belongs to, for the year's history and its filter. Filled by the areas'
# `describe_actions`; an action nobody describes reads "đã thay đổi".
action_phrases: dict[str, Any] = {}
action_areas: dict[str, Any] = {}


def describe_actions(area: Any, phrases: dict[str, Any]) -> None:
    """Name an area's actions for the history: `area` and each phrase are lazy translations."""
    for action, phrase in phrases.items():
        action_phrases[action] = phrase
        action_areas[action] = area


class RepeatedFact(Exception):
    """Two areas state the same fact: one would silently hide the other."""


def facts_of(year: EmulationYear) -> dict[str, Any]:
    """Every area's facts about `year`, merged; a key stated twice is a programming error."""
    facts: dict[str, Any] = {}
    for provider in report_facts:
        stated = provider(year)
        repeated = facts.keys() & stated.keys()
        if repeated:
            raise RepeatedFact(f"facts stated by two areas: {', '.join(sorted(repeated))}")
        facts.update(stated)
    return facts
