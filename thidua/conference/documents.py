"""Laying out the conference's documents: the state format by default, a user's template if any.

Every document is first `DocContent` (content.py). Without an uploaded template it is laid out
with `thidua.lib.docformat`; a cluster may upload a Word template (docxtpl: Jinja placeholders
in a .docx) per kind of document, which then receives `DocContent.context()`. The starter
template offered for download is the default layout itself, with the placeholders in place.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from typing import Any

import jinja2
import jinja2.nodes
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.shared import Cm, Mm, Pt
from docxtpl import DocxTemplate

from thidua.lib import docformat
from thidua.lib.dates import place_date
from thidua.lib.safe_zip import UnsafeFile, check_archive

from . import rules
from .content import PLACEHOLDERS, DocContent, DocSection, Story

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    return buffer.getvalue()


def lay_out(content: DocContent) -> bytes:
    """The document in the state format, built with docformat."""
    document = docformat.new_document()
    if not content.official:
        _news(document, content)
        return _bytes(document)
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority=content.authority,
            number=content.number,
            place=content.place,
            date=content.date,
            symbol=content.symbol,
        ),
    )
    docformat.add_title(document, content.kind, content.summary)
    if content.addressee:
        # "Kính gửi:" stands centred under the summary (Decree 30, Appendix I, II.7).
        addressee = docformat.add_paragraph(document, content.addressee)
        addressee.alignment = WD_ALIGN_PARAGRAPH.CENTER
        addressee.paragraph_format.first_line_indent = Cm(0)
    for section in content.sections:
        _section(document, section)
    signature = docformat.SignatureBlock(
        position=content.signer_position,
        name=content.signer_name,
        capacity=content.signer_capacity,
    )
    recipients = docformat.Recipients(items=content.recipients) if content.recipients else None
    if content.cosigners:
        blocks = [
            *(docformat.SignatureBlock(s.position, s.name, s.capacity) for s in content.cosigners),
            *([signature] if content.signer_position else []),
        ]
        _signatures(document, blocks)
        if recipients is not None:
            _recipients(document, recipients)
    else:
        docformat.add_closing(document, signature, recipients)
    if content.appendix:
        document.add_page_break()
        docformat.add_title(document, pgettext("document kind", "List"), content.appendix_title)
        note = docformat.add_paragraph(document, content.appendix_note, italic=True)
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.paragraph_format.first_line_indent = Cm(0)
        for section in content.appendix:
            _section(document, section)
    return _bytes(document)


def _news(document: Any, content: DocContent) -> None:
    """A news item: its title, the place and day, the text and the byline; no state header."""
    docformat.add_title(document, content.summary)
    if content.date:
        dateline = docformat.add_paragraph(
            document, place_date(content.place, content.date), italic=True
        )
        dateline.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for section in content.sections:
        _section(document, section)
    byline = docformat.add_paragraph(document, content.signer_name, italic=True)
    byline.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _section(document: Any, section: DocSection) -> None:
    if section.heading:
        docformat.add_heading(document, section.heading)
    for paragraph in section.paragraphs:
        docformat.add_paragraph(document, paragraph)
    if section.table_header:
        docformat.add_table(
            document,
            section.table_header,
            section.table_rows,
            widths_mm=section.widths_mm or None,
        )


def _signatures(document: Any, blocks: list[docformat.SignatureBlock]) -> None:
    """Signature blocks side by side, two to a row (the minutes' secretary and chair, each
    member of a pledge); a block alone on its row stands at the right."""
    rows = [blocks[i : i + 2] for i in range(0, len(blocks), 2)]
    table = document.add_table(rows=len(rows), cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row, pair in zip(table.rows, rows, strict=True):
        # A signature block is never cut by a page break.
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cells = list(row.cells)
        for cell in cells:
            cell.width = Mm(80)
        placed: list[docformat.SignatureBlock | None] = [*pair] if len(pair) == 2 else [None, *pair]
        for cell, block in zip(cells, placed, strict=True):
            first = cell.paragraphs[0]
            if block is None:
                continue
            lines = [
                *([(block.capacity.upper(), True)] if block.capacity else []),
                (block.position.upper(), True),
                *([("", False)] * 4),  # room for the signature and the seal
                (block.name, True),
            ]
            for index, (text, bold) in enumerate(lines):
                paragraph = first if index == 0 else cell.add_paragraph()
                _signature_line(paragraph, text, bold=bold, before=12 if index == 0 else 0)


def _signature_line(paragraph: Any, text: str, *, bold: bool, before: float) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.font.name = docformat.FONT
    run.font.size = Pt(docformat.BODY_PT)
    run.font.bold = bold


def _recipients(document: Any, recipients: docformat.Recipients) -> None:
    """ "Nơi nhận:" and its list, at the left under the signatures."""
    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(12)
    run = heading.add_run("Nơi nhận:")
    run.font.size, run.font.bold, run.font.italic = Pt(12), True, True
    items = [*recipients.items, recipients.archive]
    for index, item in enumerate(items):
        end = "." if index == len(items) - 1 else ";"
        line = document.add_paragraph()
        line.paragraph_format.space_before = Pt(0)
        line.add_run(f"- {item.rstrip(';.')}{end}").font.size = Pt(11)


def context_of(content: DocContent, story: Story) -> dict[str, Any]:
    context = content.context(story)
    context["place_date"] = (
        place_date(content.place, content.date, official=True)
        if content.date
        else f"{content.place}, ngày      tháng      năm"
    )
    return context


ALLOWED = PLACEHOLDERS | {"place_date"}


def sandbox() -> jinja2.Environment:
    """Where a user's template runs: it can fill placeholders, never reach Python's internals."""
    return docformat.template_sandbox()


def render(content: DocContent, story: Story, template: bytes | None = None) -> bytes:
    """The document: the user's template if one is in use, else the default layout."""
    if template is None:
        return lay_out(content)
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(context_of(content, story), jinja_env=sandbox())
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def template_problems(
    data: bytes,
    sample: dict[str, Any],
    *,
    required: Collection[str] = (),
    allowed: Collection[str] = ALLOWED,
) -> list[str]:
    """Why an uploaded template cannot be used, in the user's words (empty: it can): it is
    no .docx, a placeholder is broken, unknown or a macro, one of `required` is missing, or
    it cannot be filled in with `sample`."""
    broken = _(
        "The file is not a Word document (.docx) or it is damaged. Save it in Word as"
        " “Word Document (*.docx)” and upload it again."
    )
    try:
        check_archive(data)  # a zip that unpacks to gigabytes never reaches the parser
    except UnsafeFile as unsafe:
        return [unsafe.message]
    try:
        doc = DocxTemplate(io.BytesIO(data))
        found = doc.get_undeclared_template_variables(jinja_env=sandbox())
        doc.init_docx()
        tree = sandbox().parse(doc.patch_xml(doc.get_xml()))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError):
        return [broken]
    except jinja2.TemplateSyntaxError as error:
        return [
            _("The template has a placeholder error on line %(line)s: %(error)s")
            % {"line": error.lineno, "error": error.message}
        ]
    if any(tree.find_all(jinja2.nodes.Macro)):
        return [
            _(
                "The template defines a macro: a template may only fill in placeholders, with"
                " conditions and loops."
            )
        ]
    unknown = rules.unknown_placeholders(found, allowed)
    if unknown:
        return [
            _("The template uses placeholders thidua does not know: %(unknown)s. Known: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(allowed))}
        ]
    missing = sorted(set(required) - set(found))
    if missing:
        return [
            _("The template lacks placeholders this document needs: %(missing)s.")
            % {"missing": ", ".join(missing)}
        ]
    try:
        DocxTemplate(io.BytesIO(data)).render(sample, jinja_env=sandbox())
    except jinja2.TemplateError as error:
        return [_("The template cannot be filled in: %(error)s") % {"error": error}]
    return []


# The starter template: the default layout with placeholders. Sentinels are capitals, so the
# layout's own upper-casing leaves them intact; each becomes its Jinja placeholder.
_SENTINELS = {
    "@@AUTHORITY@@": "{{ authority|upper }}",
    "Số: @@NUMBER@@": "Số: {{ number }}",
    "@@PLACE@@, ngày      tháng      năm": "{{ place_date }}",
    "@@KIND@@": "{{ kind|upper }}",
    "@@SUMMARY@@": "{{ summary }}",
    "@@CAPACITY@@": "{{ signer_capacity|upper }}",
    "@@POSITION@@": "{{ signer_position|upper }}",
    "@@SIGNER@@": "{{ signer_name }}",
    "- @@RECIPIENTS@@;": "{% for r in recipients %}- {{ r }};\n{% endfor %}",
}


def starter_template() -> bytes:
    """A docxtpl template in the state format that a user can open in Word and adapt."""
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority="@@AUTHORITY@@", number="@@NUMBER@@", place="@@PLACE@@", date=None
        ),
    )
    docformat.add_title(document, "@@KIND@@", "@@SUMMARY@@")
    for line in (
        "{%p if addressee %}",
        "{{ addressee }}",
        "{%p endif %}",
        "{%p for section in sections %}",
        "{%p if section.heading %}",
    ):
        docformat.add_paragraph(document, line)
    docformat.add_heading(document, "{{ section.heading }}")
    for line in (
        "{%p endif %}",
        "{%p for line in section.lines %}",
        "{{ line }}",
        "{%p endfor %}",
        "{%p endfor %}",
    ):
        docformat.add_paragraph(document, line)
    docformat.add_closing(
        document,
        docformat.SignatureBlock(
            position="@@POSITION@@", name="@@SIGNER@@", capacity="@@CAPACITY@@"
        ),
        docformat.Recipients(items=("@@RECIPIENTS@@",)),
    )
    for paragraph in _paragraphs(document):
        for run in paragraph.runs:
            if run.text in _SENTINELS:
                run.text = _SENTINELS[run.text]
    return _bytes(document)


def _paragraphs(document: Any) -> list[Any]:
    found = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    return found
