"""The names a sheet may give a unit or an award, and how a typed name finds the one meant.

A unit is found by every name the application shows for it: its full name and its short
name, and a former name too, since the unit as it was then is a record of its own (a rename
or merger starts a new one). Two records may answer to the same name (the Department of
Finance of Tuyên Quang before and after the 2025 merger): the record's date then chooses the
one that existed that day. An award is found by its catalogue name, its code or a spelling
of the maintained list `data/award_aliases.json`; a spelling shared by an individual's and a
collective's award is read by the row. No Django here: `import_store` loads what these read.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from thidua.lib.text import fold
from thidua.orgs.rules import exists_on

# Spellings that differ by a letter people use either way ("sỹ"/"sĩ") meet in one key.
_VARIANTS = (("sỹ", "sĩ"), ("kỹ", "kĩ"), ("lý", "lí"), ("&", " và "))
CLOSE_ENOUGH = 0.6  # difflib's ratio from which a known name is offered as "did you mean"


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """The key a unit's or an award's name is looked up by: folded, spelling variants met.

    A file names a few thousand units a hundred thousand times, and each check asks for the
    same keys: they are kept (folding is the costly part of reading a name).
    """
    key = fold(text)
    for variant, usual in _VARIANTS:
        key = key.replace(variant, usual)
    return " ".join(key.split())


def closest(key: str, known: Mapping[str, str]) -> str | None:
    """The known name (by key) nearest to `key`, if one is near enough."""
    found = difflib.get_close_matches(key, list(known), n=1, cutoff=CLOSE_ENOUGH)
    return known[found[0]] if found else None


@dataclass(frozen=True)
class Unit:
    """A unit as the import tells it apart: its id, full name and period."""

    pk: int
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return exists_on((self.valid_from, self.valid_to), day)

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from.year <= year) and (
            self.valid_to is None or year <= self.valid_to.year
        )


@dataclass
class UnitNames:
    """Every unit by each of its names (full and short, folded)."""

    by_key: dict[str, list[Unit]] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # key -> the name as written

    @classmethod
    def of(cls, units: Iterable[tuple[Unit, Sequence[str]]]) -> UnitNames:
        names = cls()
        for unit, written in units:
            for name in written:
                if not name:
                    continue
                key = name_key(name)
                listed = names.by_key.setdefault(key, [])
                if all(u.pk != unit.pk for u in listed):
                    listed.append(unit)
                names.shown.setdefault(key, unit.name)
        return names

    def candidates(self, text: str) -> list[Unit]:
        return self.by_key.get(name_key(text), [])

    def resolve(self, text: str, day: dt.date | None, year: int | None) -> list[Unit]:
        """The units the name may mean on the record's date: one, none or several.

        Namesakes are told apart by the day (the decision's date), then by the year the
        record rewards; whichever leaves exactly one decides.
        """
        found = self.candidates(text)
        if len(found) < 2:
            return found
        for test in (
            (lambda u: u.valid_on(day)) if day is not None else None,
            (lambda u: u.valid_in(year)) if year is not None else None,
        ):
            if test is None:
                continue
            kept = [u for u in found if test(u)]
            if len(kept) == 1:
                return kept
            if len(kept) > 1:
                return kept
        return found

    def closest(self, text: str) -> str | None:
        return closest(name_key(text), self.shown)


@dataclass(frozen=True)
class Award:
    pk: int
    name: str
    collective: bool  # granted to collectives (only or as well)
    individual: bool


@dataclass
class AwardNames:
    """Every award by its name, code and the maintained spellings."""

    by_key: dict[str, list[Award]] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, awards: Iterable[tuple[Award, str]], aliases: Mapping[str, Sequence[str]]
    ) -> AwardNames:
        """`awards` with their codes; `aliases` the spellings by code."""
        names = cls()
        for award, code in awards:
            for name in (award.name, code, *aliases.get(code, ())):
                key = name_key(name)
                listed = names.by_key.setdefault(key, [])
                if award not in listed:
                    listed.append(award)
                names.shown.setdefault(key, award.name)
        return names

    def resolve(self, text: str, *, individual: bool) -> list[Award]:
        """The awards the spelling may mean for this kind of row: one, none or several."""
        found = self.by_key.get(name_key(text), [])
        if len(found) < 2:
            return found
        kept = [a for a in found if (a.individual if individual else a.collective)]
        return kept or found

    def closest(self, text: str) -> str | None:
        return closest(name_key(text), self.shown)


def award_aliases() -> dict[str, list[str]]:
    """The maintained list of other spellings, by award code."""
    path = resources.files("thidua.award_history").joinpath("data/award_aliases.json")
    data = json.loads(path.read_text("utf-8"))
    return {code: list(spellings) for code, spellings in data.items() if not code.startswith("_")}
