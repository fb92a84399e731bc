"""History entered by hand: plausible years, and who held which post in a year.

A title or award typed in (not imported, not decided in thidua) is checked against these
bounds, and the unit and head shown for a year come from the posts held then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from thidua.lib.text import fold

FIRST_HISTORY_YEAR = 1945  # the first emulation titles; the history holds nothing earlier
YOUNGEST_WORKING_AGE = 15


def history_year_in_range(year: int, today: dt.date) -> bool:
    """A title, rating or initiative belongs to a year between 1945 and this one."""
    return FIRST_HISTORY_YEAR <= year <= today.year


def plausible_birth_year(year: int, today: dt.date) -> bool:
    """Someone working in a unit was born after 1900 and is at least 15."""
    return 1900 <= year <= today.year - YOUNGEST_WORKING_AGE


@dataclass(frozen=True)
class Post:
    """A position held in a unit, open-ended where a date is unknown."""

    unit: str
    since: dt.date | None = None
    until: dt.date | None = None
    title: str = ""
    holder: str = ""

    def covers(self, year: int) -> bool:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return (self.since is None or self.since <= last) and (
            self.until is None or self.until >= first
        )


def post_in_year(posts: Iterable[Post], year: int) -> Post | None:
    """The post held during `year` that began last (None if none covers it)."""
    covering = [p for p in posts if p.covers(year)]
    return max(covering, key=lambda p: p.since or dt.date.min, default=None)


def unit_in_year(posts: Iterable[Post], year: int) -> str:
    """The unit someone worked in during `year`; "" if no post covers it."""
    post = post_in_year(posts, year)
    return post.unit if post is not None else ""


# How the titles of a unit's head begin or end; a deputy's ("Phó ...") never counts.
_HEAD_STARTS = ("trưởng", "giám đốc", "chánh", "chủ tịch", "thủ trưởng")
_HEAD_ENDS = ("trưởng",)


def is_head(title: str) -> bool:
    """Whether a title is a unit head's: "Trưởng phòng", "Chi cục trưởng", "Giám đốc"."""
    words = fold(title)
    if not words or words.startswith("phó"):
        return False
    return words.startswith(_HEAD_STARTS) or words.endswith(_HEAD_ENDS)


def head_in_year(posts: Iterable[Post], year: int) -> str:
    """Who held the unit's head post during `year`; "" when none is recorded."""
    return next(
        (
            p.holder
            for p in sorted(posts, key=lambda p: p.since or dt.date.min, reverse=True)
            if p.covers(year) and is_head(p.title)
        ),
        "",
    )
