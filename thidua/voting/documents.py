"""Word documents of a poll: the numbered paper ballots and the minutes of the count.

A4, Times New Roman, the heading block of an administrative document (Decree 30/2020/NĐ-CP).
The minutes take the count through `counting.shown`, so the disclosure setting holds here too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from thidua.cycle.models import Membership
from thidua.lib.dates import place_date
from thidua.lib.numbers import format_number

from .counting import Shown
from .models import Candidate, Poll

FONT = "Times New Roman"


def _new_document() -> DocumentObject:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    # East Asian fallback font, so Word does not substitute another face for Vietnamese.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return document


def _paragraph(
    document: DocumentObject,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    center: bool = False,
    size: int | None = None,
) -> None:
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    if size:
        run.font.size = Pt(size)


def _heading_block(document: DocumentObject, poll: Poll) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.text = ""
    right.text = ""
    lp = left.paragraphs[0]
    lp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lp.add_run(poll.year.cluster.name.upper()).bold = True
    rp = right.paragraphs[0]
    rp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rp.add_run(_("SOCIALIST REPUBLIC OF VIETNAM")).bold = True
    motto = right.add_paragraph()
    motto.alignment = WD_ALIGN_PARAGRAPH.CENTER
    motto.add_run(_("Independence - Freedom - Happiness")).bold = True


def _save(document: DocumentObject) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def ballot_papers(poll: Poll, candidates: Sequence[Candidate]) -> bytes:
    """One numbered ballot paper per member entitled to vote, one per page."""
    count = poll.entitled or Membership.objects.filter(year=poll.year).count()
    document = _new_document()
    for number in range(1, count + 1):
        _paragraph(document, poll.year.cluster.name.upper(), bold=True, center=True, size=12)
        _paragraph(document, _("BALLOT PAPER"), bold=True, center=True, size=16)
        _paragraph(document, poll.title, bold=True, center=True)
        _paragraph(
            document,
            _("Number %(number)s of %(count)s") % {"number": number, "count": count},
            italic=True,
            center=True,
        )
        if poll.max_choices == 1:
            rule = _("Tick one candidate at most. A ballot with no tick is a blank ballot.")
        else:
            rule = _("Tick %(n)s candidates at most. A ballot with no tick is a blank ballot.") % {
                "n": poll.max_choices
            }
        _paragraph(document, rule, italic=True)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0].cells
        header[0].text = _("No.")
        header[1].text = _("Candidate")
        header[2].text = _("Choice")
        for candidate in candidates:
            cells = table.add_row().cells
            cells[0].text = str(candidate.position)
            cells[1].text = candidate.label
            cells[2].text = "☐"
        if number < count:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return _save(document)


def minutes(poll: Poll, shown: Shown) -> bytes:
    """The minutes of the count (biên bản kiểm phiếu), within the poll's disclosure setting."""
    document = _new_document()
    _heading_block(document, poll)
    head = (
        Membership.objects.filter(year=poll.year, role=Membership.Role.HEAD)
        .select_related("organization")
        .first()
    )
    closed = timezone.localtime(poll.closed_at or timezone.now()).date()
    place = head.organization.province if head and head.organization.province else ""
    date_line = place_date(place, closed, official=True) if place else ""
    _paragraph(document, date_line, italic=True, center=False)
    _paragraph(document, _("MINUTES OF THE COUNT"), bold=True, center=True, size=14)
    _paragraph(document, poll.title, bold=True, center=True)
    if poll.round > 1:
        _paragraph(document, _("Round %(round)s") % {"round": poll.round}, center=True)
    _paragraph(
        document,
        _("Members entitled to vote: %(n)s.") % {"n": format_number(shown.entitled)},
    )
    if shown.full:
        assert shown.ballots_cast is not None and shown.blank_ballots is not None
        _paragraph(document, _("Ballots cast: %(n)s.") % {"n": format_number(shown.ballots_cast)})
        _paragraph(document, _("Blank ballots: %(n)s.") % {"n": format_number(shown.blank_ballots)})
    else:
        _paragraph(
            document,
            _("By the poll's disclosure setting, only whether each candidate passed is shown."),
            italic=True,
        )
    _paragraph(document, _("Result for each candidate:"), bold=True)
    columns = [_("Candidate")]
    if shown.full:
        columns += [_("Votes"), _("Share")]
    columns += [_("Outcome")]
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        cell.text = title
    for row in shown.rows:
        values = [row.label]
        if shown.full:
            values += [format_number(row.votes or 0), row.percent or ""]
        if row.elected:
            outcome = _("Elected")
        elif row.tied:
            outcome = _("Tied")
        elif row.passed:
            outcome = _("Passed")
        else:
            outcome = _("Not passed")
        values.append(outcome)
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    if shown.winners:
        _paragraph(
            document,
            _("Elected by the members: %(names)s.") % {"names": ", ".join(shown.winners)},
            bold=True,
        )
    else:
        _paragraph(document, _("Nobody was elected in this round."), bold=True)
    if shown.needs_runoff:
        _paragraph(
            document,
            _("Tie among %(names)s: a runoff round among them follows.")
            % {"names": ", ".join(shown.tie)},
        )
    for problem in shown.problems:
        _paragraph(document, problem, italic=True)
    _paragraph(document, _("The count committee"), bold=True)
    signatures = document.add_table(rows=2, cols=2)
    labels = (_("HEAD OF THE COUNT COMMITTEE"), _("MEMBER OF THE COUNT COMMITTEE"))
    for cell, label in zip(signatures.rows[0].cells, labels, strict=True):
        cell.text = ""
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(label).bold = True
    for cell in signatures.rows[1].cells:
        cell.text = ""
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(_("(signature and full name)")).italic = True
    return _save(document)
