"""A rendered PDF read as its reader sees it: each page's lines of text with their place and
font, its drawn horizontal rules and its tables (pdfplumber, a development dependency).

Positions are in points from the page's top left corner, as pdfplumber gives them. A line is
a run of words on one baseline without a wide gap; `columns` splits lines at given x positions
too (the letterhead's two columns, which can come within a few points of each other).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pdfplumber

from thidua.lib import docformat

MM = 72 / 25.4  # points in a millimetre


@dataclass(frozen=True)
class Line:
    text: str
    page: int  # from 1
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    italic: bool

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Rule:
    """A horizontal line drawn on the page (a border, a rule under a heading)."""

    page: int
    x0: float
    x1: float
    top: float

    @property
    def length(self) -> float:
        return self.x1 - self.x0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Table:
    """A table, or the part of one drawn on a page: its rows of cell texts and its extent."""

    page: int
    top: float
    bottom: float
    rows: list[list[str]]


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    rules: list[Rule]
    tables: list[Table]


def read(pdf: bytes, *, columns: Sequence[float] = ()) -> list[Page]:
    """Every page of `pdf`, its lines split at wide gaps and at the x positions `columns`."""
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            words = page.extract_words(extra_attrs=["fontname", "size"], use_text_flow=False)
            pages.append(
                Page(
                    number=number,
                    width=float(page.width),
                    height=float(page.height),
                    lines=_lines(words, number, columns),
                    rules=_rules(page.lines, number),
                    tables=[
                        Table(
                            page=number,
                            top=float(table.bbox[1]),
                            bottom=float(table.bbox[3]),
                            rows=[
                                [" ".join((cell or "").split()) for cell in row]
                                for row in table.extract()
                            ],
                        )
                        for table in page.find_tables()
                    ],
                )
            )
    return pages


def _lines(words: list[dict[str, Any]], page: int, columns: Sequence[float]) -> list[Line]:
    rows: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        if rows and abs(rows[-1][0]["bottom"] - word["bottom"]) <= 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        run = [row[0]]
        for word in row[1:]:
            gap = word["x0"] - run[-1]["x1"]
            crosses = any(run[-1]["x1"] <= x <= word["x0"] for x in columns)
            if gap > 1.2 * word["size"] or crosses:
                lines.append(_line(run, page))
                run = [word]
            else:
                run.append(word)
        lines.append(_line(run, page))
    return sorted(lines, key=lambda line: (round(line.top), line.x0))


def _line(words: list[dict[str, Any]], page: int) -> Line:
    fonts = [word["fontname"] for word in words]
    return Line(
        text=" ".join(word["text"] for word in words),
        page=page,
        x0=min(word["x0"] for word in words),
        x1=max(word["x1"] for word in words),
        top=min(word["top"] for word in words),
        bottom=max(word["bottom"] for word in words),
        size=max(round(word["size"], 1) for word in words),
        bold=all("Bold" in font for font in fonts),
        italic=all("Italic" in font or "Oblique" in font for font in fonts),
    )


def _rules(drawn: list[dict[str, Any]], page: int) -> list[Rule]:
    found = {
        (round(line["x0"], 1), round(line["x1"], 1), round(line["top"], 1))
        for line in drawn
        if abs(line["top"] - line["bottom"]) < 0.5 and line["x1"] - line["x0"] > 1
    }
    return [Rule(page, x0, x1, top) for x0, x1, top in sorted(found, key=lambda r: (r[2], r[0]))]


def text(pages: Sequence[Page]) -> str:
    """All the lines of all the pages, one a line, in reading order within each page."""
    return "\n".join(line.text for page in pages for line in page.lines)


def find(pages: Sequence[Page], wanted: str) -> Line:
    """The first line whose text is `wanted`."""
    for page in pages:
        for line in page.lines:
            if line.text == wanted:
                return line
    raise LookupError(f"no line reads {wanted!r}")


# --- the checks of the decree's layout, on the rendered pages ---------------------------------

NUMBER = re.compile(r"^Số:\s*\d*\s*/\s*[A-ZĐ][A-Za-zĐđ0-9&]*(-[A-ZĐ0-9&]+)*$")  # TTr, QĐ, BC …
DATE = re.compile(r"^\S.*, ngày (\d{2} tháng \d{1,2} năm \d{4}|\s*tháng\s*năm)$")
STT = {"stt", "tt", "số tt"}


def column_edge() -> float:
    """Where the letterhead's right column starts on the page, in points."""
    return (docformat.MARGINS_MM["left"] + docformat.LETTERHEAD_MM[0]) * MM


def read_document(pdf: bytes) -> list[Page]:
    """The pages of a document laid out by `thidua.lib.docformat`."""
    return read(pdf, columns=(column_edge(),))


def _same_row(lines: Sequence[Line], line: Line) -> str:
    return " ".join(other.text for other in lines if abs(other.top - line.top) < 2)


def letterhead_problems(pages: Sequence[Page], *, symbol: bool = True) -> list[str]:
    """Every way the first page's letterhead departs from the decree, as printed.

    With `symbol`, "Số:" must be followed by a ký hiệu ("Số: 12/BC-CTĐ", or "Số:    /BC-CTĐ"
    while the number is blank).
    """
    problems: list[str] = []
    edge = column_edge()
    lines = pages[0].lines
    left = [line for line in lines if line.x1 <= edge]
    right = [line for line in lines if line.x0 >= edge]
    title = [line for line in right if line.text == docformat.NATIONAL_TITLE]
    if len(title) != 1 or not title[0].bold:
        return [f"{docformat.NATIONAL_TITLE} is not on one line in bold"]
    motto = next((line for line in right if line.text == docformat.MOTTO), None)
    if motto is None:
        return ["the motto is not on one line"]
    rules = pages[0].rules
    under_motto = [r for r in rules if r.x0 >= edge and 0 <= r.top - motto.bottom <= 12]
    if not under_motto:
        problems.append("there is no rule under the motto")
    elif abs(under_motto[0].length - motto.width) > 0.02 * motto.width + 1:
        problems.append(
            f"the motto's rule is {under_motto[0].length:.1f} pt, the motto {motto.width:.1f} pt"
        )
    elif abs(under_motto[0].centre - motto.centre) > 1.5:
        problems.append("the motto's rule is not centred under it")
    number = next((line for line in left if line.text.startswith("Số:")), None)
    if number is None:
        return [*problems, 'there is no "Số:" line under the agency']
    agency = [line for line in left if line.bold and line.bottom <= number.top]
    under_agency = [
        r for r in rules if r.x1 <= edge and agency and agency[-1].bottom <= r.top <= number.top
    ]
    if len(agency) > docformat.AGENCY_MAX_LINES:
        problems.append(f"the issuing agency's name takes {len(agency)} lines")
    if any(not 12 <= line.size <= 13 for line in agency):
        problems.append("the issuing agency's name is not at 12 to 13 points")
    if not agency:
        problems.append("the issuing agency's name is not in bold above the number")
    elif not under_agency:
        problems.append("there is no rule under the issuing agency")
    else:
        rule, width = under_agency[0], max(line.width for line in agency)
        centre = (min(line.x0 for line in agency) + max(line.x1 for line in agency)) / 2
        if not 1 / 3 <= rule.length / width <= 1 / 2:
            problems.append(
                f"the agency's rule is {rule.length / width:.0%} of the agency's name, not 1/3-1/2"
            )
        if abs(rule.centre - centre) > 1.5:
            problems.append("the agency's rule is not centred under the name")
    if symbol and not NUMBER.match(_same_row(left, number)):
        problems.append(f"no ký hiệu after the number: {_same_row(left, number)!r}")
    below = [line for line in right if line.top > motto.bottom]
    when = _same_row(right, below[0]) if below else ""
    if not below or not below[0].italic or not DATE.match(when):
        problems.append(f"no place and date in italics under the motto: {when!r}")
    return problems


def page_number_problems(pages: Sequence[Page]) -> list[str]:
    """The page number is printed centred in the top margin from page 2 on, not on page 1."""
    top_margin = docformat.MARGINS_MM["top"] * MM
    text_centre = (
        docformat.MARGINS_MM["left"] + docformat.TEXT_WIDTH_MM / 2
    ) * MM  # centred on the text, not on the paper
    problems = []
    for page in pages:
        in_margin = [line for line in page.lines if line.bottom <= top_margin]
        if page.number == 1:
            if in_margin:
                problems.append(f"page 1 has {in_margin[0].text!r} in its top margin")
        elif [line.text for line in in_margin] != [str(page.number)]:
            problems.append(f"page {page.number} has no page number in its top margin")
        elif abs(in_margin[0].centre - text_centre) > 3:
            problems.append(f"the number of page {page.number} is not centred")
    return problems


def table_problems(pages: Sequence[Page]) -> list[str]:
    """A table that runs over a page repeats its header row there, and no row is split.

    A table continues on the next page when it ends at the foot of one page and the next
    page starts with a table. A split row shows as a row without its number (STT).
    """
    problems = []
    bottom_margin = docformat.MARGINS_MM["bottom"] * MM
    header: list[str] | None = None
    for page in pages:
        body = [line for line in page.lines if line.top > docformat.MARGINS_MM["top"] * MM]
        for index, table in enumerate(page.tables):
            starts_page = index == 0 and all(line.bottom >= table.top - 1 for line in body)
            if starts_page and header is not None:
                if table.rows[0] != header:
                    problems.append(f"page {page.number}: the table's header is not repeated")
            else:
                header = table.rows[0]
            if header and header[0].casefold() in STT:
                for row in table.rows[1:]:
                    if not row[0] and any(row[1:]):
                        problems.append(f"page {page.number}: a row is split: {row}")
            runs_on = table.bottom >= page.height - bottom_margin - 60
            if not runs_on:
                header = None
    return problems
