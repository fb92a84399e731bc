"""A rule's requirements as data (JSON), as the rule editor and the catalogue store them.

`requirements_from_data` parses and checks what an officer typed or a catalogue file holds
(every field named, every value of its kind, every award known); a problem is a
`RuleDataError` with a code that `problems.describe_data_error` puts into words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .rules import (
    AnyOf,
    ConsecutiveTitles,
    CountInWindow,
    InitiativesRequired,
    Level,
    ManualCheck,
    MemberCount,
    MemberRatingShare,
    MemberShare,
    MinYearsSince,
    NoDisciplineOrOpenComplaint,
    Quota,
    Rating,
    RatingsOverPeriod,
    Requirement,
    SameYearPrerequisite,
)


class RuleDataError(ValueError):
    """A rule's data does not describe valid requirements; `code` and `params` say why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


_KINDS: dict[str, type] = {
    "consecutive_titles": ConsecutiveTitles,
    "count_in_window": CountInWindow,
    "same_year_prerequisite": SameYearPrerequisite,
    "ratings_over_period": RatingsOverPeriod,
    "initiatives_required": InitiativesRequired,
    "min_years_since": MinYearsSince,
    "member_share": MemberShare,
    "member_rating_share": MemberRatingShare,
    "member_count": MemberCount,
    "no_discipline_or_open_complaint": NoDisciplineOrOpenComplaint,
    "quota": Quota,
    "manual_check": ManualCheck,
    "any_of": AnyOf,
}
_NAMES = {cls: name for name, cls in _KINDS.items()}
_POSITIVE = {"years", "count", "window", "n"}


def requirement_to_data(req: Requirement) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": _NAMES[type(req)]}
    for name, value in vars(req).items():
        if isinstance(value, tuple):
            data[name] = [requirement_to_data(option) for option in value]
        elif isinstance(value, Decimal):
            data[name] = str(value)
        elif isinstance(value, StrEnum):
            data[name] = value.value
        else:
            data[name] = value
    return data


def requirements_to_data(reqs: Sequence[Requirement]) -> list[dict[str, Any]]:
    return [requirement_to_data(r) for r in reqs]


def requirements_from_data(
    data: Any, *, awards: Iterable[str] | None = None
) -> tuple[Requirement, ...]:
    """Parse a rule's requirements; `awards` (codes), when given, must include every award named."""
    if not isinstance(data, list):
        raise RuleDataError("not_a_list")
    known = set(awards) if awards is not None else None
    return tuple(_from_data(item, known) for item in data)


def _from_data(item: Any, known: set[str] | None) -> Requirement:
    if not isinstance(item, dict) or item.get("kind") not in _KINDS:
        kind = item.get("kind") if isinstance(item, dict) else item
        raise RuleDataError("unknown_kind", kind=str(kind))
    cls = _KINDS[item["kind"]]
    fields = {f.name for f in dataclasses.fields(cls)}
    values = {k: v for k, v in item.items() if k != "kind"}
    missing = sorted(set(fields) - set(values))
    extra = sorted(set(values) - set(fields))
    if missing or extra:
        raise RuleDataError("bad_fields", kind=item["kind"], fields=", ".join(missing + extra))
    parsed: dict[str, Any] = {}
    for name, value in values.items():
        parsed[name] = _field(item["kind"], name, value, known)
    requirement: Requirement = cls(**parsed)
    return requirement


def _field(kind: str, name: str, value: Any, known: set[str] | None) -> Any:
    try:
        if name == "options":
            if not isinstance(value, list) or len(value) < 2:
                raise RuleDataError("bad_value", kind=kind, field=name)
            return tuple(_from_data(v, known) for v in value)
        if name == "award":
            if not isinstance(value, str) or (known is not None and value not in known):
                raise RuleDataError("unknown_award", kind=kind, award=str(value))
            return value
        if name in _POSITIVE:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise RuleDataError("bad_value", kind=kind, field=name)
            return value
        if name == "excellent":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise RuleDataError("bad_value", kind=kind, field=name)
            return value
        if name == "share":
            share = Decimal(str(value))
            if not Decimal(0) < share <= Decimal(1):
                raise RuleDataError("bad_value", kind=kind, field=name)
            return share
        if name == "minimum":
            return Rating(value)
        if name == "level":
            return Level(value)
        if name == "note":
            if not isinstance(value, str) or not value.strip():
                raise RuleDataError("bad_value", kind=kind, field=name)
            return value.strip()
    except (ValueError, InvalidOperation) as error:
        if isinstance(error, RuleDataError):
            raise
        raise RuleDataError("bad_value", kind=kind, field=name) from None
    raise RuleDataError("bad_value", kind=kind, field=name)  # pragma: no cover - every field named


def awards_named(reqs: Iterable[Requirement]) -> set[str]:
    """Every award a rule refers to (to load only the history it needs)."""
    names: set[str] = set()
    for r in reqs:
        if isinstance(r, AnyOf):
            names |= awards_named(r.options)
        elif hasattr(r, "award"):
            names.add(r.award)
    return names
