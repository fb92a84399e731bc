"""Word documents in the state administrative format (Decree 30/2020/NĐ-CP, Appendix I).

Every document thidua generates is built here, so the format lives in one place:

* A4 portrait; margins top and bottom 20 mm, left 30 mm, right 20 mm;
* Times New Roman, black; body text 14 pt, first-line indent 1 cm, 6 pt before;
* top left: the parent authority (capitals, 13 pt) and the issuing authority (capitals, bold,
  13 pt), a short rule, then "Số: …" (13 pt);
* top right: the national title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (capitals, bold, 13 pt),
  the motto "Độc lập - Tự do - Hạnh phúc" (bold, 14 pt) with a rule, then place and date in
  italics ("Sơn La, ngày 12 tháng 3 năm 2017", days below 10 and months 1-2 zero-padded);
* the document's kind in bold capitals and its summary in bold, centred;
* recipients ("Nơi nhận:" bold italic 12 pt, items 11 pt) at the bottom left, the signature
  block (capacity prefix such as "TM." or "KT.", the position in bold capitals, the full name
  in bold) at the bottom right;
* page numbers centred in the top margin, not on the first page.

`check_format` reads a file back and reports every way it departs from the above; tests call
it on each generated document. Points the decree leaves a range for (12-13 or 13-14 pt) take
one value here so that checks are exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from .dates import place_date

FONT = "Times New Roman"
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 20}
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BODY_PT = 14
TITLE_PT = 13
MOTTO_PT = 14


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document, its number and symbol, and where and when."""

    authority: str  # e.g. "Sở Kế hoạch và Đầu tư tỉnh Sơn La"
    number: str  # e.g. "12/BC-SKHĐT"; "" leaves "Số:      /" for the clerk to fill in
    place: str  # e.g. "Sơn La"
    date: dt.date | None  # None leaves "ngày    tháng    năm" for the signing day
    parent_authority: str = ""  # e.g. "UBND tỉnh Sơn La"


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


def new_document() -> DocumentObject:
    """An empty document with the decree's page, margins, font and page numbers."""
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
    normal = document.styles["Normal"].paragraph_format
    normal.space_before = Pt(6)
    normal.space_after = Pt(0)
    normal.line_spacing = 1.15
    _page_numbers(section)
    return document


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


def _rule(paragraph: Paragraph) -> None:
    """A short line under a heading line, drawn as the paragraph's bottom border."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _invisible_table(document: DocumentObject, columns: int) -> Table:
    table = document.add_table(rows=1, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Cells come with one empty paragraph; the letterhead writes its own.
    for cell in table.rows[0].cells:
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return table


def add_letterhead(document: DocumentObject, letterhead: Letterhead) -> None:
    """The two header columns: authority and number on the left, title, motto, date right."""
    table = _invisible_table(document, 2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(62), Mm(98)
    if letterhead.parent_authority:
        _line(left, letterhead.parent_authority.upper(), size=TITLE_PT)
    authority = _line(left, letterhead.authority.upper(), size=TITLE_PT, bold=True)
    _rule(authority)
    number = letterhead.number or "      /"
    _line(left, f"Số: {number}", size=TITLE_PT, before=6)
    _line(right, NATIONAL_TITLE, size=TITLE_PT, bold=True)
    motto = _line(right, MOTTO, size=MOTTO_PT, bold=True)
    _rule(motto)
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
    paragraph = _line(
        document, text, size=BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6
    )
    paragraph.paragraph_format.first_line_indent = Cm(1)
    return paragraph


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
) -> Table:
    """A bordered table with a bold header row; cells are plain text."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, size=size, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _cell_text(cell, text, size=size)
    if widths_mm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(width)
    return table


def _cell_text(cell: _Cell, text: str, *, size: float, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.space_before = Pt(2)
    if bold:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _style_run(paragraph.add_run(text), size=size, bold=bold)


def add_closing(
    document: DocumentObject, signature: SignatureBlock, recipients: Recipients | None = None
) -> None:
    """Recipients at the bottom left and the signature block at the bottom right."""
    table = _invisible_table(document, 2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(80)
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


def save(document: DocumentObject, target: str | Path | IO[bytes]) -> None:
    document.save(target)  # type: ignore[arg-type]


# --- reading a file back --------------------------------------------------------------------


def check_format(source: str | Path | IO[bytes]) -> list[str]:
    """Every way the document departs from the format above (empty: it conforms)."""
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
    return problems


def _all_paragraphs(document: DocumentObject) -> list[Paragraph]:
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    return paragraphs


def document_text(source: str | Path | IO[bytes]) -> str:
    """All the text of a document, paragraphs and table cells, one line each."""
    document = Document(source)  # type: ignore[arg-type]
    return "\n".join(p.text for p in _all_paragraphs(document))
