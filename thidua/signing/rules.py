"""Pure rules of signing: where the boxes go, their colours, the time as the decree writes it,
the versions of a document, and how many wrong PINs thidua lets through.

No Django here. Sizes are PDF points (1/72 inch; 1 mm = 2.835 pt), origin at the bottom left.
Docs/signing.md says which rule of Decree 30/2020's Appendix I each choice follows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PERSON = "person"
AGENCY = "agency"
ATTACHMENT = "attachment"  # the agency's signature on an attached document: text, first page
ROLES = (PERSON, AGENCY)

VIETNAM = dt.timezone(dt.timedelta(hours=7))
MM = 72 / 25.4
FONT_SIZE = 10

# After this many wrong PINs in a row thidua refuses the token until an administrator resets
# the count: a token locks itself after its own count (often 3, sometimes 5 or 10), and thidua
# must never be what locks it.
MAX_WRONG_PINS = 2

RED = (1.0, 0.0, 0.0)  # the seal: RGB(255, 0, 0)
BLACK = (0.0, 0.0, 0.0)  # the leader's text (the colour Appendix I sets was not verified)


@dataclass(frozen=True)
class Box:
    """A rectangle on a page; `page` counts from 0, a negative one from the end."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def colour(role: str) -> tuple[float, float, float]:
    return RED if role == AGENCY else BLACK


def signing_time(moment: dt.datetime) -> str:
    """The time as ISO 8601 in Vietnam's time zone, e.g. 2017-03-12T10:15:30+07:00."""
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


# The signature block of a Decree 30 document sits in the right half of the last page, below
# the text; thidua's documents end with it. The leader's box covers the space for the signature
# there; the seal, at its real size (a round seal of about 36 mm), covers about a third of the
# signature on its left.
PAGE_WIDTH = 595.0  # A4
SEAL_SIZE = 36 * MM
PERSON_BOX = Box(page=-1, x0=330.0, y0=110.0, x1=540.0, y1=175.0)


def box_for(role: str, *, page_width: float = PAGE_WIDTH, page_height: float = 842.0) -> Box:
    """Where a role's signature goes."""
    scale = page_width / PAGE_WIDTH
    person = Box(
        PERSON_BOX.page,
        PERSON_BOX.x0 * scale,
        PERSON_BOX.y0,
        PERSON_BOX.x1 * scale,
        PERSON_BOX.y1,
    )
    if role == PERSON:
        return person
    if role == AGENCY:
        right = person.x0 + person.width / 3
        middle = (person.y0 + person.y1) / 2
        return Box(
            person.page,
            right - SEAL_SIZE,
            middle - SEAL_SIZE / 2,
            right,
            middle + SEAL_SIZE / 2,
        )
    # An attachment: the top right corner of the first page.
    margin = 20 * MM
    return Box(
        0,
        page_width - margin - 70 * MM,
        page_height - 15 * MM - 18 * MM,
        page_width - margin,
        page_height - 15 * MM,
    )


def next_version(existing: list[int]) -> int:
    """The version a document signed anew gets: one more than any before."""
    return max(existing, default=0) + 1


def pin_refused(wrong_in_a_row: int) -> bool:
    return wrong_in_a_row >= MAX_WRONG_PINS
