"""The year cycle as pure functions: the order of phases and what each move requires."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

PHASES: tuple[str, ...] = (
    "setup",
    "pledge",
    "in_progress",
    "self_assessment",
    "cross_check",
    "conference",
    "voting",
    "proposals",
    "closed",
)


@dataclass(frozen=True)
class Problem:
    """Why a change is refused: a code for the program, params for the message."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class YearFacts:
    """What the phase rules need to know about a year, loaded by the caller."""

    phase: str
    member_count: int
    has_head: bool
    has_deputy: bool
    has_movement: bool
    pledge_articles: int
    unsigned: tuple[str, ...] = ()


def next_phase(phase: str) -> str | None:
    """The phase after `phase`, or None for a closed year."""
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def transition_problems(facts: YearFacts, target: str) -> list[Problem]:
    """Everything that stops the year moving from its phase to `target` (empty: it may)."""
    if facts.phase == "closed":
        return [Problem("year_closed")]
    if target != next_phase(facts.phase):
        return [Problem("not_next_phase", {"current": facts.phase, "target": target})]
    problems: list[Problem] = []
    if target == "pledge":
        if facts.member_count < 2:
            problems.append(Problem("too_few_members", {"count": facts.member_count}))
        if not facts.has_head:
            problems.append(Problem("no_head"))
        if not facts.has_deputy:
            problems.append(Problem("no_deputy"))
        if not facts.has_movement:
            problems.append(Problem("no_movement"))
        if facts.pledge_articles == 0:
            problems.append(Problem("no_pledge_articles"))
    # A signature is only possible in the pledge phase, so the pledge must be complete
    # before the year leaves it; closing re-checks it for years that predate this rule.
    if target in ("in_progress", "closed") and facts.unsigned:
        problems.append(Problem("unsigned_members", {"units": ", ".join(facts.unsigned)}))
    return problems


@dataclass(frozen=True)
class MemberStatus:
    """What one member has done in the year, as far as the phase rules track it."""

    name: str
    signed: bool


def member_todos(phase: str, status: MemberStatus) -> list[str]:
    """Codes of what a member still has to do in the current phase."""
    todos: list[str] = []
    if phase == "pledge" and not status.signed:
        todos.append("sign_pledge")
    return todos


def deadline_problems(
    *,
    year: int,
    current: str,
    phase: str,
    due_on: dt.date,
    opened_on: dt.date | None,
    others: dict[str, dt.date],
) -> list[Problem]:
    """What is wrong with `due_on` as the deadline of `phase` (empty: it may be set).

    `opened_on` is the day the year entered `current`; `others` the other phases' deadlines.
    A year's work runs from its calendar year into the spring after it.
    """
    if current == "closed":
        return [Problem("year_closed")]
    if phase == "closed" or PHASES.index(phase) < PHASES.index(current):
        return [Problem("phase_over", {"phase": phase})]
    problems: list[Problem] = []
    if not year <= due_on.year <= year + 1:
        problems.append(Problem("deadline_outside_year", {"year": year, "next": year + 1}))
    if phase == current and opened_on is not None and due_on < opened_on:
        problems.append(Problem("deadline_before_opening", {"phase": phase, "opened": opened_on}))
    for other, day in others.items():
        if other == phase:
            continue
        earlier = PHASES.index(other) < PHASES.index(phase)
        if (earlier and day > due_on) or (not earlier and day < due_on):
            problems.append(
                Problem("deadline_out_of_order", {"phase": phase, "other": other, "day": day})
            )
    return problems


def urgency(due_on: dt.date | None, today: dt.date) -> str:
    """How pressing a deadline is: "overdue", "soon" (within three days), "later" or ""."""
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    return "soon" if (due_on - today).days <= 3 else "later"
