"""Word documents of a poll: the paper ballots and the minutes of the count.

The minutes are an administrative document and are laid out by `thidua.lib.docformat`
(Decree 30/2020/NĐ-CP). A ballot paper is not one: it has no number, national title or
signature, and a page number would mark each ballot; it keeps the decree's page, margins and
font only. The minutes take the count through `reads.shown`, so the disclosure setting
holds here too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from thidua.cycle.models import Membership
from thidua.lib import docformat
from thidua.lib.numbers import format_number, format_percent

from .models import Candidate, Poll
from .reads import Row, Shown

# The ký hiệu's issuer part of a cluster's documents ("Cụm thi đua"), as the conference's.
CLUSTER_SYMBOL = "CTĐ"
BALLOT_WIDTHS_MM = (15, 120, 25)


def _ballot_document() -> DocumentObject:
    """An empty Vietnamese A4 document in the decree's format, without page numbers."""
    document = docformat.new_document(page_numbers=False)
    document.styles["Normal"].font.size = Pt(13)
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


def ballot_rule(max_choices: int) -> str:
    """What the voter may tick, worded the same way for one choice or several."""
    return ngettext(
        "Tick at most %(n)s candidate. A ballot with no tick is a blank ballot.",
        "Tick at most %(n)s candidates. A ballot with no tick is a blank ballot.",
        max_choices,
    ) % {"n": max_choices}


def ballot_papers(poll: Poll, candidates: Sequence[Candidate]) -> bytes:
    """One ballot paper per member entitled to vote, one per page, all alike: a paper carries
    no number, which could tell whose it was."""
    count = poll.entitled or Membership.objects.filter(year=poll.year).count()
    document = _ballot_document()
    with translation.override(settings.LANGUAGE_CODE):
        for number in range(1, count + 1):
            _ballot_paper(document, poll, candidates)
            if number < count:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return _save(document)


def _ballot_paper(document: DocumentObject, poll: Poll, candidates: Sequence[Candidate]) -> None:
    _paragraph(document, poll.year.cluster.name.upper(), bold=True, center=True, size=12)
    _paragraph(document, _("BALLOT PAPER"), bold=True, center=True, size=16)
    _paragraph(document, poll.title, bold=True, center=True)
    _paragraph(document, ballot_rule(poll.max_choices), italic=True)
    docformat.add_table(
        document,
        [_("No."), _("Candidate"), _("Choice")],
        [[str(c.position), c.label, "☐"] for c in candidates],
        widths_mm=BALLOT_WIDTHS_MM,
        size=13,
        centred=(0, 2),
    )


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

    Laid out by `thidua.lib.docformat`, so they pass `docformat.check_format`; always in
    Vietnamese, and dated the day the poll closed.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _minutes(poll, shown)


def _minutes(poll: Poll, shown: Shown) -> bytes:
    head = (
        Membership.objects.filter(year=poll.year, role=Membership.Role.HEAD)
        .select_related("organization")
        .first()
    )
    closed = timezone.localtime(poll.closed_at).date() if poll.closed_at else None
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority=poll.year.cluster.name,
            number="",
            symbol="-".join((pgettext("document symbol", "BB"), CLUSTER_SYMBOL)),
            place=head.organization.province if head else "",
            date=closed,
        ),
    )
    summary = poll.title
    if poll.round > 1:
        summary = _("%(poll)s — round %(round)s") % {"poll": poll.title, "round": poll.round}
    docformat.add_title(document, _("MINUTES OF THE COUNT"), summary)
    if shown.full:
        assert shown.ballots_cast is not None and shown.blank_ballots is not None
        docformat.add_paragraph(
            document,
            _(
                "Ballots issued: %(issued)s; ballots returned: %(returned)s; valid ballots:"
                " %(valid)s, of which %(blank)s blank."
            )
            % {
                "issued": format_number(shown.entitled),
                "returned": format_number(shown.ballots_cast),
                "valid": format_number(shown.ballots_cast),
                "blank": format_number(shown.blank_ballots),
            },
        )
    else:
        docformat.add_paragraph(
            document,
            _("Ballots issued: %(issued)s.") % {"issued": format_number(shown.entitled)},
        )
        docformat.add_paragraph(
            document,
            _("By the poll's disclosure setting, only whether each candidate passed is shown."),
            italic=True,
        )
    docformat.add_heading(document, _("Result for each candidate:"))
    header = [_("No."), _("Candidate")]
    if shown.full:
        header += [_("Votes"), _("Share of valid ballots")]
    header.append(_("Outcome"))
    rows = []
    for number, row in enumerate(shown.rows, 1):
        values = [str(number), row.label]
        if shown.full:
            votes = row.votes or 0
            share = Decimal(votes * 100) / shown.ballots_cast if shown.ballots_cast else None
            values += [format_number(votes), format_percent(share, 1) if share is not None else ""]
        values.append(outcome_label(row))
        rows.append(values)
    # The text is 160 mm wide (A4 less the 30 and 20 mm margins).
    widths = (12, 74, 22, 22, 30) if shown.full else (12, 108, 40)
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
        document,
        docformat.SignatureBlock(position=_("HEAD OF THE COUNT COMMITTEE"), name=""),
        docformat.Recipients(items=(_("Members of the cluster"),)),
    )
    return _save(document)
