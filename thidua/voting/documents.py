"""Word documents of a poll: the numbered paper ballots and the minutes of the count.

The minutes are an administrative document and are laid out by `thidua.lib.docformat`
(Decree 30/2020/NĐ-CP). A ballot paper is not one: it has no number, national title or
signature, and a page number would mark each ballot; it keeps the decree's page, margins and
font only. The minutes take the count through `reads.shown`, so the disclosure setting
holds here too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from thidua.cycle.models import Membership
from thidua.lib import clock, docformat
from thidua.lib.numbers import format_number

from .models import Candidate, Poll
from .reads import Row, Shown


def _ballot_document() -> DocumentObject:
    """An empty A4 document with the decree's margins and font, and no page numbers."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(docformat.PAGE_WIDTH_MM)
    section.page_height = Mm(docformat.PAGE_HEIGHT_MM)
    section.top_margin = Mm(docformat.MARGINS_MM["top"])
    section.bottom_margin = Mm(docformat.MARGINS_MM["bottom"])
    section.left_margin = Mm(docformat.MARGINS_MM["left"])
    section.right_margin = Mm(docformat.MARGINS_MM["right"])
    style = document.styles["Normal"]
    style.font.name = docformat.FONT
    style.font.size = Pt(13)
    # Word picks the font per script; naming it for each keeps Vietnamese in Times New Roman.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), docformat.FONT)
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


def _save(document: DocumentObject) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def ballot_papers(poll: Poll, candidates: Sequence[Candidate]) -> bytes:
    """One numbered ballot paper per member entitled to vote, one per page."""
    count = poll.entitled or Membership.objects.filter(year=poll.year).count()
    document = _ballot_document()
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


def outcome_label(row: Row) -> str:
    if row.elected:
        return _("Elected")
    if row.tied:
        return _("Tied")
    if row.passed:
        return _("Passed")
    return _("Not passed")


def minutes(poll: Poll, shown: Shown) -> bytes:
    """The minutes of the count (biên bản kiểm phiếu), within the poll's disclosure setting.

    Laid out by `thidua.lib.docformat`, so they pass `docformat.check_format`.
    """
    head = (
        Membership.objects.filter(year=poll.year, role=Membership.Role.HEAD)
        .select_related("organization")
        .first()
    )
    closed = timezone.localtime(poll.closed_at or clock.now()).date()
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority=poll.year.cluster.name,
            number="",
            place=head.organization.province if head else "",
            date=closed,
        ),
    )
    summary = poll.title
    if poll.round > 1:
        summary = _("%(poll)s — round %(round)s") % {"poll": poll.title, "round": poll.round}
    docformat.add_title(document, _("MINUTES OF THE COUNT"), summary)
    docformat.add_paragraph(
        document, _("Members entitled to vote: %(n)s.") % {"n": format_number(shown.entitled)}
    )
    if shown.full:
        assert shown.ballots_cast is not None and shown.blank_ballots is not None
        docformat.add_paragraph(
            document, _("Ballots cast: %(n)s.") % {"n": format_number(shown.ballots_cast)}
        )
        docformat.add_paragraph(
            document, _("Blank ballots: %(n)s.") % {"n": format_number(shown.blank_ballots)}
        )
    else:
        docformat.add_paragraph(
            document,
            _("By the poll's disclosure setting, only whether each candidate passed is shown."),
            italic=True,
        )
    docformat.add_heading(document, _("Result for each candidate:"))
    header = [_("No."), _("Candidate")]
    if shown.full:
        header += [_("Votes"), _("Share")]
    header.append(_("Outcome"))
    rows = []
    for number, row in enumerate(shown.rows, 1):
        values = [str(number), row.label]
        if shown.full:
            values += [format_number(row.votes or 0), row.percent or ""]
        values.append(outcome_label(row))
        rows.append(values)
    # The text is 160 mm wide (A4 less the 30 and 20 mm margins).
    widths = (12, 78, 20, 20, 30) if shown.full else (12, 108, 40)
    docformat.add_table(document, header, rows, widths_mm=widths)
    if shown.winners:
        winners = _("Elected by the members: %(names)s.") % {"names": ", ".join(shown.winners)}
        docformat.add_paragraph(document, winners)
    else:
        docformat.add_paragraph(document, _("Nobody was elected in this round."))
    if shown.needs_runoff:
        docformat.add_paragraph(
            document,
            _("Tie among %(names)s: a runoff round among them follows.")
            % {"names": ", ".join(shown.tie)},
        )
    # `shown` already words the problems as the disclosure setting allows.
    for problem in shown.problems:
        docformat.add_paragraph(document, problem, italic=True)
    # The head of the count committee signs by hand; the name is written in at the count.
    docformat.add_closing(
        document, docformat.SignatureBlock(position=_("HEAD OF THE COUNT COMMITTEE"), name="")
    )
    return _save(document)
