"""The year cycle as pure functions: the order of phases and what each move requires."""

from __future__ import annotations

import datetime as dt
import re
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
    today: dt.date,
) -> list[Problem]:
    """What is wrong with `due_on` as the deadline of `phase` (empty: it may be set).

    `opened_on` is the day the year entered `current`; `others` the other phases' deadlines.
    A phase still to come opens today at the earliest, so its deadline is not before today.
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
    if phase != current and due_on < today:
        problems.append(Problem("deadline_before_next_opening", {"phase": phase, "today": today}))
    for other, day in others.items():
        if other == phase:
            continue
        earlier = PHASES.index(other) < PHASES.index(phase)
        if (earlier and day > due_on) or (not earlier and day < due_on):
            problems.append(
                Problem("deadline_out_of_order", {"phase": phase, "other": other, "day": day})
            )
    return problems


def deadline_passed(phase: str, due_on: dt.date | None, today: dt.date) -> list[Problem]:
    """The deadline of `phase`, about to open today, if it has already passed: the
    secretariat sets a new one or lifts it first, so that nobody is overdue on opening."""
    if due_on is None or due_on >= today:
        return []
    return [Problem("deadline_passed_before_opening", {"phase": phase, "day": due_on})]


def urgency(due_on: dt.date | None, today: dt.date) -> str:
    """How pressing a deadline is: "overdue", "soon" (within three days), "later" or ""."""
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    return "soon" if (due_on - today).days <= 3 else "later"


# Every number of a text, with its thousands or decimal separators ("2016", "1.250", "8,5").
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Before a year: a date's day and month ("18/03/", "03/"), or the start of a period ("2016-").
_DATE_BEFORE = re.compile(r"(?:^|[^\d/])\d{1,2}/(?:\d{1,2}/)?$")
_PERIOD_BEFORE = re.compile(r"\d{4}\s*[-–]\s*$")
_PERIOD_AFTER = re.compile(r"^\s*[-–]\s*\d{4}")


def shift_year_references(text: str, old: int, new: int) -> str:
    """`text` written for the year `old`, rewritten for the year `new`.

    The year itself and the years next to it move together ("năm 2016" → "năm 2017", "kế
    hoạch năm 2017" → "kế hoạch năm 2018", "so với năm 2015" → "so với năm 2016"), in words
    and in dates ("15/12/2016"). Every other number stays as written: amounts ("2.016 tỷ",
    "2016,5"), other years, document numbers ("12/2016/NQ-HĐND") and periods ("2016-2020").
    """
    if old == new:
        return text
    moved = {old + k: new + k for k in (-1, 0, 1)}

    def replace(match: re.Match[str]) -> str:
        number = match.group()
        before, after = text[: match.start()], text[match.end() :]
        if len(number) != 4 or int(number) not in moved:
            return number
        if before[-1:].isalpha() or after[:1].isalnum() or after[:1] == "/":
            return number  # part of a code or a document number
        if before.endswith("/") and not _DATE_BEFORE.search(before):
            return number
        if _PERIOD_BEFORE.search(before) or _PERIOD_AFTER.search(after):
            return number
        return str(moved[int(number)])

    return _NUMBER.sub(replace, text)


def shift_day(day: dt.date, years: int) -> dt.date:
    """The same day and month `years` later; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
