"""Laying out the conference's documents: the state format by default, a user's template if any.

Every document is first `DocContent` (content.py). Without an uploaded template it is laid out
with `thidua.lib.docformat`; a cluster may upload a Word template (docxtpl: Jinja placeholders
in a .docx) per kind of document, which then receives `DocContent.context()`. The starter
template offered for download is the default layout itself, with the placeholders in place.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import jinja2
from django.utils.translation import gettext as _
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

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
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority=content.authority,
            number=content.number,
            place=content.place,
            date=content.date,
        ),
    )
    docformat.add_title(document, content.kind, content.summary)
    if content.addressee:
        docformat.add_paragraph(document, content.addressee)
    for section in content.sections:
        _section(document, section)
    docformat.add_closing(
        document,
        docformat.SignatureBlock(
            position=content.signer_position,
            name=content.signer_name,
            capacity=content.signer_capacity,
        ),
        docformat.Recipients(items=content.recipients) if content.recipients else None,
    )
    return _bytes(document)


def _section(document: Any, section: DocSection) -> None:
    if section.heading:
        docformat.add_heading(document, section.heading)
    for paragraph in section.paragraphs:
        docformat.add_paragraph(document, paragraph)
    if section.table_header:
        docformat.add_table(document, section.table_header, section.table_rows)


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
    """Where a user's template runs: it can fill placeholders, never reach Python's internals.

    Autoescape: "Sở KH&ĐT" must reach the XML as text, not as a broken entity.
    """
    return ImmutableSandboxedEnvironment(autoescape=True)


def render(content: DocContent, story: Story, template: bytes | None = None) -> bytes:
    """The document: the user's template if one is in use, else the default layout."""
    if template is None:
        return lay_out(content)
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(context_of(content, story), jinja_env=sandbox())
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def template_problems(data: bytes, sample: dict[str, Any]) -> list[str]:
    """Why an uploaded template cannot be used, in the user's words (empty: it can)."""
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
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError):
        return [broken]
    except jinja2.TemplateSyntaxError as error:
        return [
            _("The template has a placeholder error on line %(line)s: %(error)s")
            % {"line": error.lineno, "error": error.message}
        ]
    unknown = rules.unknown_placeholders(found, ALLOWED)
    if unknown:
        return [
            _("The template uses placeholders thidua does not know: %(unknown)s. Known: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(ALLOWED))}
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
