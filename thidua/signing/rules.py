"""Pure rules of signing: where the boxes go, their colours, the time as the decree writes it,
the versions of a document, and how many wrong PINs thidua lets through.

No Django here. Sizes are PDF points (1/72 inch; 1 mm = 2.835 pt), origin at the bottom left.
Docs/signing.md says which rule of Decree 30/2020's Appendix I each choice follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thidua.lib.text import fold, strip_accents

PERSON = "person"
AGENCY = "agency"
ATTACHMENT = "attachment"  # the agency's signature on an attached document: text, first page
ROLES = (PERSON, AGENCY)

VIETNAM = dt.timezone(dt.timedelta(hours=7))
MM = 72 / 25.4
FONT_SIZE = 10
FONT_SIZE_ON_IMAGE = 7  # the seal's name and time, over its image

# After this many wrong PINs in a row thidua refuses the token until an administrator resets
# the count: a token locks itself after its own count (often 3, sometimes 5 or 10), and thidua
# must never be what locks it.
MAX_WRONG_PINS = 2

RED = (1.0, 0.0, 0.0)  # the seal: RGB(255, 0, 0)
# The leader's text. Appendix I makes the leader's signature *image* blue (the uploaded PNG
# keeps its own colours) and asks no text of it; the name and time shown are thidua's own.
BLACK = (0.0, 0.0, 0.0)


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


# Where nothing better is found (docs/signing.md): the signature block of a Decree 30 document
# sits in the right half of the page, below the text; the leader's box covers the space for the
# signature there; the seal, at its real size (a round seal of about 36 mm), covers about a
# third of the signature on its left.
PAGE_WIDTH = 595.0  # A4
SEAL_SIZE = 36 * MM
PERSON_BOX = Box(page=-1, x0=330.0, y0=110.0, x1=540.0, y1=175.0)
SIGNATURE_WIDTH = 60 * MM  # the leader's box, centred on the block's column
# Between the title and the name a Decree 30 block leaves four or five empty lines for the
# signature: a gap of at least three lines tells it from a table's rows.
MIN_GAP_LINES = 3.0


def box_for(role: str, *, page_width: float = PAGE_WIDTH, page_height: float = 842.0) -> Box:
    """Where a role's signature goes when the document's signature block is not found."""
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
        return seal_over(person)
    # An attachment: the top right corner of the first page.
    margin = 20 * MM
    return Box(
        0,
        page_width - margin - 70 * MM,
        page_height - 15 * MM - 18 * MM,
        page_width - margin,
        page_height - 15 * MM,
    )


def seal_over(person: Box) -> Box:
    """The seal at its real size, covering about the left third of the leader's signature."""
    right = person.x0 + person.width / 3
    middle = (person.y0 + person.y1) / 2
    return Box(
        person.page, right - SEAL_SIZE, middle - SEAL_SIZE / 2, right, middle + SEAL_SIZE / 2
    )


@dataclass(frozen=True)
class Line:
    """A line of a page's text: its baseline, where it starts and (estimated) ends, its size."""

    page: int
    x0: float
    x1: float
    baseline: float
    size: float
    text: str

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Block:
    """The signer's block: the last line of the title (chức vụ) and the name (họ tên) under it,
    the space between them left for the signature."""

    title: Line
    name: Line
    named: bool  # found by the signer's name, not by its shape alone


# Widths of Times-like glyphs in ems, for placing a line whose glyph widths are not read.
_NARROW = set(".,:;'!|iljtfrI()- ")


def text_width(text: str, size: float) -> float:
    """The width a line of serif text takes, estimated to a few points."""
    ems = 0.0
    for char in text:
        if char == " ":
            ems += 0.25
        elif char in _NARROW:
            ems += 0.3
        elif char.isupper():
            ems += 0.7
        elif char.isdigit():
            ems += 0.5
        else:
            ems += 0.47
    return ems * size


def name_key(name: str) -> str:
    """A name compared without case, spacing or accents: a certificate's NGUYEN VAN AN is the
    document's Nguyễn Văn An."""
    return fold(strip_accents(name)).strip(" .,")


def _is_title(line: Line) -> bool:
    letters = [c for c in line.text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _title_above(name: Line, lines: Sequence[Line]) -> Line | None:
    """The line right above `name` in its column, when it is a title a signature's height up."""
    above = [
        line
        for line in lines
        if line.baseline > name.baseline and line.x0 < name.x1 and name.x0 < line.x1
    ]
    if not above:
        return None
    nearest = min(above, key=lambda line: line.baseline)
    if nearest.baseline - name.baseline < MIN_GAP_LINES * name.size:
        return None
    return nearest if _is_title(nearest) else None


def find_block(
    pages: Sequence[Sequence[Line]], names: Sequence[str], *, page_width: float = PAGE_WIDTH
) -> Block | None:
    """The signer's block: a line holding one of `names` under a title with room for the
    signature between them, the last one in the document; failing that, the last line in the
    right half of a page under such a title (a block whose name is not the certificate's)."""
    keys = {name_key(n) for n in names if n.strip()}
    for lines in reversed(pages):
        for line in sorted(lines, key=lambda ln: ln.baseline):
            if name_key(line.text) in keys and (title := _title_above(line, lines)):
                return Block(title=title, name=line, named=True)
    for lines in reversed(pages):
        for line in sorted(lines, key=lambda ln: ln.baseline):
            if line.x0 < page_width * 0.45 or _is_title(line):
                continue
            if title := _title_above(line, lines):
                return Block(title=title, name=line, named=False)
    return None


def person_box(block: Block, *, page_width: float = PAGE_WIDTH) -> Box:
    """The leader's box in the space between the title and the name, centred on their column."""
    middle = (block.title.middle + block.name.middle) / 2
    half = SIGNATURE_WIDTH / 2
    middle = min(max(middle, half + 10), page_width - half - 10)
    return Box(
        block.name.page,
        middle - half,
        block.name.baseline + block.name.size,
        middle + half,
        block.title.baseline - 0.3 * block.title.size,
    )


def next_version(existing: list[int]) -> int:
    """The version a document signed anew gets: one more than any before."""
    return max(existing, default=0) + 1


def pin_refused(wrong_in_a_row: int) -> bool:
    return wrong_in_a_row >= MAX_WRONG_PINS
