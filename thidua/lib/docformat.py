"""Word documents in the state administrative format (Decree 30/2020/NĐ-CP, Appendix I).

Every document thidua generates is built here, so the format lives in one place:

* A4 portrait; margins top and bottom 20 mm, left 30 mm, right 20 mm (a 160 mm text width);
* Times New Roman, black, in Vietnamese (vi-VN); body text 14 pt, first-line indent 1 cm;
* the letterhead, a borderless table of two fixed columns (62 + 98 mm): on the left the
  managing agency (capitals, 13 pt), the issuing agency (capitals, bold, 13 pt), a centred
  rule 2/5 as long as the agency's name, then "Số: 12/BC-CTĐ" (13 pt); on the right the
  national title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" on one line (capitals, bold, 13 pt), the
  motto "Độc lập - Tự do - Hạnh phúc" (bold, 14 pt) with a rule as long as the motto, then
  place and date in italics ("Sơn La, ngày 12 tháng 3 năm 2017", days below 10 and months 1-2
  zero-padded);
* the document's kind in bold capitals and its summary in bold, centred;
* tables in fixed columns, bordered, 12 pt at least, the header row repeated on every page,
  no row split across pages, number columns centred;
* recipients ("Nơi nhận:" bold italic 12 pt, items 11 pt) at the bottom left, the signature
  block (capacity prefix such as "TM." or "KT.", the position in bold capitals, the full name
  in bold) at the bottom right;
* page numbers centred in the top margin, not on the first page.

`check_format` reads a file back and reports every way it departs from the above; tests call
it on each generated document, and `thidua.lib.tests.test_pages` checks the rendered pages.
Points the decree leaves a range for (12-13 or 13-14 pt) take one value here so that checks
are exact.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import jinja2
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .dates import place_date

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 20}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
# The national title is 95 mm long at 13 pt bold: the right column holds it on one line.
LETTERHEAD_MM = (62.0, 98.0)
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BODY_PT = 14
TITLE_PT = 13
MOTTO_PT = 14
TABLE_MIN_PT = 12
# The rule under the issuing agency is this share of the name's longest line (the decree:
# between a third and a half).
AGENCY_RULE_SHARE = 0.4
BLANK_NUMBER = "      "  # left for the clerk, who writes the number in by hand
NARROW_COLUMN_MM = 11.0
CELL_PADDING_MM = 3.8  # Word's default cell margins, 1.9 mm each side
_STT_HEADERS = {"stt", "tt", "số tt", "số thứ tự", "no.", "#"}
_NUMBER = re.compile(r"^[\d\s.,%/+\-–—]*\d[\d\s.,%/+\-–—]*$")

# Advance widths of Times New Roman Bold (and of Liberation Serif Bold, metric-compatible with
# it), in thousandths of the font size: enough to lay out the letterhead's lines and rules.
_BOLD_WIDTHS = dict(
    zip(
        " ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-&.,()/:;'ĐđƠơƯư",
        (
            250, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778,
            611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 500, 556, 444, 556, 444,
            333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556,
            500, 722, 500, 500, 444, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333,
            833, 250, 250, 333, 333, 278, 333, 333, 278, 722, 556, 778, 554, 796, 600,
        ),
        strict=True,
    )
)  # fmt: skip
_HORNED = {"O": "Ơ", "o": "ơ", "U": "Ư", "u": "ư"}


def bold_width_mm(text: str, size: float) -> float:
    """How long `text` prints in bold Times New Roman at `size` points, in millimetres."""
    thousandths = 0
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        if "\u031b" in decomposed:  # the horn of ơ and ư widens the letter
            base = _HORNED.get(base, base)
        thousandths += _BOLD_WIDTHS.get(base, 556)
    return thousandths / 1000 * size * 25.4 / 72


def _wrap(text: str, width_mm: float, size: float) -> list[str]:
    """`text` broken into lines that fit `width_mm` in bold, keeping the breaks it has."""
    lines: list[str] = []
    for given in text.splitlines() or [""]:
        line = ""
        for word in given.split():
            longer = f"{line} {word}" if line else word
            if line and bold_width_mm(longer, size) > width_mm:
                lines.append(line)
                line = word
            else:
                line = longer
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document, its number and symbol, and where and when."""

    authority: str  # e.g. "Sở Kế hoạch và Đầu tư tỉnh Sơn La"; a newline breaks the line there
    number: str  # e.g. "12", or with its symbol "12/BC-SKHĐT"; "" leaves it for the clerk
    place: str  # e.g. "Sơn La"
    date: dt.date | None  # None leaves "ngày    tháng    năm" for the signing day
    parent_authority: str = ""  # the managing agency, e.g. "UBND tỉnh Sơn La"
    symbol: str = ""  # the ký hiệu, e.g. "BC-CTĐ": printed even while the number is blank

    @property
    def number_line(self) -> str:
        """The line under the agency: "Số: 12/BC-CTĐ", or "Số:      /BC-CTĐ" in a draft."""
        if "/" in self.number or (self.number and not self.symbol):
            return f"Số: {self.number}"
        return f"Số: {self.number or BLANK_NUMBER}/{self.symbol}"


@dataclass(frozen=True)
class SignatureBlock:
    """The signature block: "TM. CỤM THI ĐUA" / "CỤM TRƯỞNG" / name."""

    position: str
    name: str
    capacity: str = ""  # e.g. "TM. CỤM THI ĐUA" or "KT. GIÁM ĐỐC"


@dataclass(frozen=True)
class Recipients:
    items: Sequence[str] = field(default_factory=tuple)
    archive: str = "Lưu: VT."


_PLACE_WORDS = (" tỉnh ", " thành phố ", " huyện ", " quận ", ",")


def issuer_abbreviation(agency: str) -> str:
    """The agency's part of a ký hiệu: the initials of its name, without "và" or the place.

    "Sở Kế hoạch và Đầu tư tỉnh Sơn La" gives "SKHĐT"; "Ủy ban nhân dân tỉnh Lạng Sơn" gives
    "UBND": a ký hiệu's letters carry no tone or vowel mark, only Đ keeps its stroke.
    """
    name = f" {agency.strip()} "
    cut = min((name.find(w) for w in _PLACE_WORDS if name.find(w) > 0), default=len(name))
    words = [w for w in name[:cut].replace("-", " ").split() if w.lower() != "và"]
    initials = (unicodedata.normalize("NFD", w[0].upper())[0] for w in words if w[0].isalpha())
    return "".join(initials)


def new_document(*, page_numbers: bool = True) -> DocumentObject:
    """An empty Vietnamese document with the decree's page, margins, font and page numbers
    (none on a document that must not carry any, such as ballot papers)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    for style_name in ("Normal", "Table Grid"):
        if style_name not in [s.name for s in document.styles]:
            continue
        style = document.styles[style_name]
        style.font.name = FONT
        style.font.size = Pt(BODY_PT)
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian_font(style.element)
        _language(style.element.get_or_add_rPr())
    path = "/".join(qn(tag) for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"))
    defaults = document.styles.element.find(path)
    if defaults is not None:
        _language(defaults)
    theme_language = document.settings.element.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:val"), LANGUAGE)
    normal = document.styles["Normal"].paragraph_format
    normal.space_before = Pt(6)
    normal.space_after = Pt(0)
    normal.line_spacing = 1.15
    if page_numbers:
        _page_numbers(section)
    return document


def _language(rpr: Any) -> None:
    """Mark text as Vietnamese, so that Word checks its spelling as Vietnamese."""
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    for attribute in ("w:val", "w:eastAsia"):
        language.set(qn(attribute), LANGUAGE)
    language.set(qn("w:bidi"), "ar-SA")


def _east_asian_font(element: Any) -> None:
    # Word picks the font per script; naming it for every script keeps Vietnamese in TNR.
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def _page_numbers(section: Any) -> None:
    """A PAGE field centred in the header, with an empty header on the first page."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _style_run(run, size=BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)


def _style_run(
    run: Any, *, size: float, bold: bool = False, italic: bool = False, caps: bool = False
) -> Any:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.color.rgb = RGBColor(0, 0, 0)
    _east_asian_font(run._r)
    if caps:
        run.text = run.text.upper()
    return run


def _line(
    container: DocumentObject | _Cell,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    _style_run(paragraph.add_run(text), size=size, bold=bold, italic=italic)
    return paragraph


def _rule(cell: _Cell, column_mm: float, length_mm: float) -> Paragraph:
    """A centred horizontal line `length_mm` long: the bottom border of an empty paragraph
    indented to that width."""
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    layout = paragraph.paragraph_format
    inset = Mm(max(0.0, (column_mm - length_mm) / 2))
    layout.left_indent = layout.right_indent = inset
    layout.first_line_indent = Cm(0)
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(3)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties = paragraph._p.get_or_add_pPr()
    # The schema orders pBdr before the spacing, indentation and alignment.
    properties.insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"
    )
    return paragraph


def _fixed_columns(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed layout, the grid and every cell the same widths, so Word and LibreOffice agree."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
    total = sum(int(column.get(qn("w:w"))) for column in grid)
    properties = table._tbl.tblPr
    table_width = properties.find(qn("w:tblW"))
    if table_width is None:
        table_width = OxmlElement("w:tblW")
        properties.insert_element_before(table_width, "w:jc", "w:tblInd", "w:tblBorders")
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(total))


def _no_cell_margins(table: Table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption")


# An agency's name takes at most this many lines of the letterhead's left column.
AGENCY_MAX_LINES = 3
AGENCY_SMALLEST_PT = 12  # Decree 30: the agency's name is printed at 12 to 13 points
# Phrases that Decree 30 practice writes short in a header when a name is too long to fit.
_COMMON_SHORT = (
    ("KẾ HOẠCH VÀ ĐẦU TƯ", "KH&ĐT"),
    ("ỦY BAN NHÂN DÂN", "UBND"),
    ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
    ("THI ĐUA - KHEN THƯỞNG", "TĐKT"),
    ("THI ĐUA, KHEN THƯỞNG", "TĐKT"),
)


def agency_lines(name: str, width_mm: float) -> tuple[list[str], float]:
    """The agency's name in capitals, broken to fit the letterhead's column, and its size.

    At 13 points if it fits `AGENCY_MAX_LINES` lines, else at 12; a name still longer has
    its common phrases shortened ("KẾ HOẠCH VÀ ĐẦU TƯ" to "KH&ĐT"), as offices do.
    """
    capitals = name.upper()
    for size in (TITLE_PT, AGENCY_SMALLEST_PT):
        lines = _wrap(capitals, width_mm, size)
        if len(lines) <= AGENCY_MAX_LINES:
            # A last line of one word ("VỤ THI ĐUA - KHEN / THƯỞNG") breaks a phrase: at 12
            # points the name may take a line less.
            if size == TITLE_PT and len(lines) > 1 and " " not in lines[-1].strip():
                smaller = _wrap(capitals, width_mm, AGENCY_SMALLEST_PT)
                if len(smaller) < len(lines):
                    return smaller, AGENCY_SMALLEST_PT
            return lines, size
    for long, short in _COMMON_SHORT:
        capitals = capitals.replace(long, short)
    return _wrap(capitals, width_mm, AGENCY_SMALLEST_PT), AGENCY_SMALLEST_PT


def _invisible_table(document: DocumentObject, widths_mm: Sequence[float]) -> Table:
    table = document.add_table(rows=1, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_columns(table, widths_mm)
    # Cells come with one empty paragraph; the letterhead writes its own.
    for cell in table.rows[0].cells:
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return table


def add_letterhead(document: DocumentObject, letterhead: Letterhead) -> None:
    """The two header columns: agencies and number on the left, title, motto, date right."""
    left_mm, right_mm = LETTERHEAD_MM
    table = _invisible_table(document, LETTERHEAD_MM)
    _no_cell_margins(table)
    left, right = table.rows[0].cells
    authority, size = agency_lines(letterhead.authority, left_mm)
    if letterhead.parent_authority:
        parent = _wrap(letterhead.parent_authority.upper(), left_mm, size)
        _line(left, "\n".join(parent), size=size)
    _line(left, "\n".join(authority), size=size, bold=True)
    longest = max(bold_width_mm(line, size) for line in authority)
    _rule(left, left_mm, AGENCY_RULE_SHARE * longest)
    _line(left, letterhead.number_line, size=TITLE_PT, before=6)
    _line(right, NATIONAL_TITLE, size=TITLE_PT, bold=True)
    _line(right, MOTTO, size=MOTTO_PT, bold=True)
    _rule(right, right_mm, bold_width_mm(MOTTO, MOTTO_PT))
    when = (
        place_date(letterhead.place, letterhead.date, official=True)
        if letterhead.date
        else f"{letterhead.place}, ngày      tháng      năm"
    )
    _line(right, when, size=MOTTO_PT, italic=True, before=6)


def add_title(document: DocumentObject, kind: str, summary: str = "") -> None:
    """The document's kind ("BÁO CÁO") and its summary, centred and bold."""
    _line(document, kind.upper(), size=BODY_PT, bold=True, before=18)
    if summary:
        _line(document, summary, size=BODY_PT, bold=True)


def add_heading(document: DocumentObject, text: str) -> Paragraph:
    """A section heading inside the body ("I. KẾT QUẢ ..."), bold, left-aligned."""
    _after_table(document)
    paragraph = _line(
        document, text, size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6
    )
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.keep_with_next = True  # never alone at the foot of a page
    return paragraph


def _after_table(document: DocumentObject) -> None:
    """A hairline empty paragraph between a table and what follows it: LibreOffice does not
    keep a paragraph that directly follows a table with the next one, so a heading there
    could end a page alone."""
    blocks = [child for child in document.element.body if child.tag != qn("w:sectPr")]
    if not blocks or blocks[-1].tag != qn("w:tbl"):
        return
    spacer = document.add_paragraph().paragraph_format
    spacer.space_before = spacer.space_after = Pt(0)
    spacer.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacer.line_spacing = Pt(1)


def add_paragraph(document: DocumentObject, text: str, *, italic: bool = False) -> Paragraph:
    """A justified body paragraph with the first-line indent."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_before = Pt(6)
    _style_run(paragraph.add_run(text), size=BODY_PT, italic=italic)
    return paragraph


def add_table(
    document: DocumentObject,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths_mm: Sequence[float] | None = None,
    size: float = 12,
    centred: Sequence[int] | None = None,
) -> Table:
    """A bordered table in fixed columns with a bold header row repeated on every page.

    `widths_mm` gives each column's width (scaled down to the text width if wider); without
    it the number columns get what their numbers need (an STT column about 11 mm) and the
    others share the rest by the length of their text. Number columns (and `centred`) are
    centred. No row is split across pages; the text is never set below 12 pt.
    """
    size = max(size, TABLE_MIN_PT)
    columns = [[str(row[i]) for row in rows] for i in range(len(header))]
    numbers = {i for i, values in enumerate(columns) if _is_number_column(header[i], values)}
    widths = _column_widths(header, columns, numbers, widths_mm, size)
    centre = numbers if centred is None else set(centred)
    table = document.add_table(rows=2, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, size=size, bold=True, centre=True)
    # One body row is styled through python-docx; the others are copies of it with their own
    # text (styling each cell anew takes seconds for a few hundred rows).
    for index, cell in enumerate(table.rows[1].cells):
        _cell_text(cell, "-", size=size, centre=index in centre)
    _fixed_columns(table, widths)
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))
    model = table.rows[1]._tr
    model.getparent().remove(model)
    for values in rows:
        row = copy.deepcopy(model)
        table._tbl.append(row)
        for text_element, text in zip(row.iter(qn("w:t")), values, strict=True):
            text_element.text = ""
            # The run's text setter turns line breaks and tabs into Word's own elements.
            Run(text_element.getparent(), table).text = str(text)
    return table


def _is_number_column(title: str, values: Sequence[str]) -> bool:
    filled = [value for value in values if value.strip()]
    if title.strip().casefold() in _STT_HEADERS:
        return True
    return bool(filled) and all(_NUMBER.match(value) for value in filled)


def _column_widths(
    header: Sequence[str],
    columns: Sequence[Sequence[str]],
    numbers: set[int],
    given: Sequence[float] | None,
    size: float,
) -> list[float]:
    needs = {
        index: max(
            NARROW_COLUMN_MM,
            max(bold_width_mm(word, size) for word in [*header[index].split(), *columns[index]])
            + CELL_PADDING_MM
            + 1,
        )
        for index in numbers
    }
    if given:
        scale = min(1.0, TEXT_WIDTH_MM / sum(given))
        scaled = [width * scale for width in given]
        # A number column too narrow for its numbers (an "STT" broken over two lines) takes
        # what it lacks from the widest other column.
        for index, need in needs.items():
            lack = need - scaled[index]
            widest = max(range(len(scaled)), key=lambda i: -1 if i in needs else scaled[i])
            if lack > 0 and widest not in needs and scaled[widest] - lack >= 20:
                scaled[index] += lack
                scaled[widest] -= lack
        return scaled
    widths = dict(needs)
    texts = [index for index in range(len(header)) if index not in widths]
    if not texts:
        scale = TEXT_WIDTH_MM / sum(widths.values())
        return [widths[index] * scale for index in range(len(header))]
    weights = {
        index: max(
            bold_width_mm(header[index], size),
            statistics.fmean([bold_width_mm(value, size) for value in columns[index]] or [0]),
            20.0,
        )
        for index in texts
    }
    rest = TEXT_WIDTH_MM - sum(widths.values())
    for index in texts:
        widths[index] = rest * weights[index] / sum(weights.values())
    return [widths[index] for index in range(len(header))]


def _cell_text(
    cell: _Cell, text: str, *, size: float, bold: bool = False, centre: bool = False
) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.paragraph_format.line_spacing = 1.0
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _style_run(paragraph.add_run(text), size=size, bold=bold)


def add_closing(
    document: DocumentObject, signature: SignatureBlock, recipients: Recipients | None = None
) -> None:
    """Recipients at the bottom left and the signature block at the bottom right."""
    table = _invisible_table(document, (80, 80))
    left, right = table.rows[0].cells
    if recipients is not None:
        _line(
            left,
            "Nơi nhận:",
            size=12,
            bold=True,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            before=12,
        )
        items = [*recipients.items, recipients.archive]
        for index, item in enumerate(items):
            end = "." if index == len(items) - 1 else ";"
            text = f"- {item.rstrip(';.')}{end}"
            _line(left, text, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    else:
        left.add_paragraph()
    if signature.capacity:
        _line(right, signature.capacity.upper(), size=BODY_PT, bold=True, before=12)
    _line(
        right,
        signature.position.upper(),
        size=BODY_PT,
        bold=True,
        before=0 if signature.capacity else 12,
    )
    # Room for the signature and the seal.
    for _ in range(4):
        _line(right, "", size=BODY_PT)
    _line(right, signature.name, size=BODY_PT, bold=True)
    _keep_whole(table)


def _keep_whole(table: Table) -> None:
    """The signature block stays on one page: the signer's name never alone on the next."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for paragraph in cell.paragraphs[:-1]:
                paragraph.paragraph_format.keep_with_next = True


def template_sandbox() -> jinja2.Environment:
    """Where a user's Word template (docxtpl) runs: it fills placeholders in, with conditions
    and loops, and never reaches Python's internals. Autoescape: "Sở KH&ĐT" reaches the XML
    as text, not as a broken entity."""
    return ImmutableSandboxedEnvironment(autoescape=True)


def save(document: DocumentObject, target: str | Path | IO[bytes]) -> None:
    document.save(target)  # type: ignore[arg-type]


# --- reading a file back --------------------------------------------------------------------


def check_format(source: str | Path | IO[bytes]) -> list[str]:
    """Every way the document departs from the format above (empty: it conforms).

    A document without the national title (a ballot paper) is checked for its page, margins
    and font only."""
    document = Document(source)  # type: ignore[arg-type]
    problems: list[str] = []
    section = document.sections[0]
    width, height = section.page_width, section.page_height
    if (
        width is None
        or height is None
        or (round(width.mm), round(height.mm))
        != (
            PAGE_WIDTH_MM,
            PAGE_HEIGHT_MM,
        )
    ):
        problems.append("the page is not A4 portrait")
    for side, expected in MARGINS_MM.items():
        actual = round(getattr(section, f"{side}_margin").mm)
        if actual != expected:
            problems.append(f"the {side} margin is {actual} mm, not {expected} mm")
    if not section.different_first_page_header_footer:
        problems.append("the first page is not kept free of a page number")
    header_xml = section.header._element.xml
    if "PAGE" not in header_xml:
        problems.append("there is no page number in the header")
    runs = [run for paragraph in _all_paragraphs(document) for run in paragraph.runs if run.text]
    fonts = {run.font.name or document.styles["Normal"].font.name for run in runs}
    if fonts - {FONT}:
        problems.append(f"fonts other than {FONT}: {sorted(str(f) for f in fonts - {FONT})}")
    texts = [paragraph.text for paragraph in _all_paragraphs(document)]
    if NATIONAL_TITLE not in texts:
        problems.append("the national title is missing")
    else:
        run = next(r for p in _all_paragraphs(document) for r in p.runs if r.text == NATIONAL_TITLE)
        if not run.bold or run.font.size != Pt(TITLE_PT):
            problems.append("the national title is not bold 13 pt")
    if MOTTO not in texts:
        problems.append("the motto is missing")
    else:
        run = next(r for p in _all_paragraphs(document) for r in p.runs if r.text == MOTTO)
        if not run.bold or run.font.size != Pt(MOTTO_PT):
            problems.append("the motto is not bold 14 pt")
    in_order = NATIONAL_TITLE in texts and MOTTO in texts
    if in_order and texts.index(MOTTO) != texts.index(NATIONAL_TITLE) + 1:
        problems.append("the motto does not follow the national title")
    if NATIONAL_TITLE not in texts:
        return problems  # no administrative document (a ballot paper): no letterhead, no tables
    language = document.styles.element.find(f"{qn('w:docDefaults')}//{qn('w:lang')}")
    if language is None or language.get(qn("w:val")) != LANGUAGE:
        problems.append(f"the document's language is not {LANGUAGE}")
    if not any(text.startswith("Số:") for text in texts):
        problems.append('there is no "Số:" line')
    for number, table in enumerate(document.tables, 1):
        problems.extend(f"table {number}: {problem}" for problem in _table_problems(table))
    return problems


def _table_problems(table: Table) -> list[str]:
    problems = []
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    if layout is None or layout.get(qn("w:type")) != "fixed":
        problems.append("its layout is not fixed")
    grid = [int(column.get(qn("w:w"))) for column in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    cells = [round(cell.width.twips) if cell.width else 0 for cell in table.rows[0].cells]
    if grid != cells:
        problems.append(f"its grid {grid} does not match its cell widths {cells}")
    if table.style is None or table.style.name != "Table Grid":
        return problems  # a borderless layout table: the letterhead or the closing
    rows = [row._tr for row in table.rows]
    if rows and rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None:
        problems.append("its header row is not repeated on every page")
    if any(row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is None for row in rows):
        problems.append("a row may split across pages")
    sizes = {
        run.font.size.pt
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.font.size is not None and run.text
    }
    if sizes and min(sizes) < TABLE_MIN_PT:
        problems.append(f"its text is {min(sizes):g} pt, below {TABLE_MIN_PT} pt")
    return problems


def _all_paragraphs(document: DocumentObject) -> list[Paragraph]:
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    return paragraphs


def document_text(source: str | Path | IO[bytes]) -> str:
    """All the text of a document, paragraphs and table cells, one line each (a paragraph's
    line breaks, such as the letterhead's, read as spaces)."""
    document = Document(source)  # type: ignore[arg-type]
    return "\n".join(p.text.replace("\n", " ") for p in _all_paragraphs(document))


# --- certificates ---------------------------------------------------------------------------


def add_line(
    container: DocumentObject | _Cell,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    before: float = 0,
    page_break: bool = False,
) -> Paragraph:
    """One centred line (a title, a name on a certificate); `page_break` starts a new page."""
    paragraph = _line(container, text, size=size, bold=bold, italic=italic, before=before)
    paragraph.paragraph_format.page_break_before = page_break
    paragraph.paragraph_format.line_spacing = 1.0
    return paragraph


def page_document(width_mm: float, height_mm: float, margin_mm: float) -> DocumentObject:
    """An empty Vietnamese document on a page of its own size (a certificate's, landscape when
    wider than high), with equal margins and no page numbers."""
    document = new_document(page_numbers=False)
    section = document.sections[0]
    if width_mm > height_mm:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = Mm(width_mm)
    section.page_height = Mm(height_mm)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(margin_mm))
    return document


def fitting_size(
    text: str, width_mm: float, *, largest: float, smallest: float, lines: int
) -> float:
    """The largest size (in half points, from `largest` down) at which `text` in bold takes at
    most `lines` lines of `width_mm`; `smallest` when even that is too long."""
    size = largest
    while size > smallest:
        wrapped = _wrap(text, width_mm, size)
        if len(wrapped) <= lines and all(bold_width_mm(w, size) <= width_mm for w in wrapped):
            break
        size -= 0.5
    return size
