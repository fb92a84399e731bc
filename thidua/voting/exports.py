"""The year's vote results as an Excel workbook, within each poll's disclosure setting.

Everything written here comes from `reads.shown`, the one place that applies the setting:
a poll that shows only who passed gives no vote, share or ballot count to the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.cycle.models import EmulationYear
from thidua.lib import xlsx

from . import reads
from .documents import outcome_label
from .models import Poll


def results_of(year: EmulationYear) -> list[tuple[Poll, reads.Shown]]:
    """Each closed poll of the year that has a count, with what may be shown of it."""
    found = []
    polls = Poll.objects.filter(year=year, status=Poll.Status.CLOSED).order_by("id")
    for poll in polls:
        candidates = reads.candidates_of(poll)
        result = reads.count(poll, candidates)
        if result is not None:
            found.append((poll, reads.shown(poll, result, candidates)))
    return found


def _share(poll: Poll, shown: reads.Shown, votes: int | None) -> Decimal | None:
    """A candidate's share of the poll's threshold base, as the minutes state it in percent."""
    if votes is None:
        return None
    base = shown.entitled if poll.threshold_base == Poll.Base.ENTITLED else shown.ballots_cast
    return Decimal(votes) / Decimal(base) if base else Decimal(0)


def results_workbook(year: EmulationYear, results: Sequence[tuple[Poll, reads.Shown]]) -> bytes:
    hidden = _("not disclosed")
    candidates: list[list[Any]] = []
    polls: list[list[Any]] = []
    for poll, shown in results:
        for row in shown.rows:
            candidates.append(
                [
                    poll.title,
                    poll.round,
                    row.label,
                    row.votes if shown.full else hidden,
                    xlsx.Styled(_share(poll, shown, row.votes), xlsx.PERCENT)
                    if shown.full
                    else hidden,
                    outcome_label(row),
                ]
            )
        polls.append(
            [
                poll.title,
                poll.round,
                poll.get_method_display(),
                poll.get_disclosure_display(),
                timezone.localtime(poll.closed_at) if poll.closed_at else None,
                shown.entitled,
                shown.ballots_cast if shown.full else hidden,
                shown.blank_ballots if shown.full else hidden,
                ", ".join(shown.winners),
            ]
        )
    caption = [year.cluster.name, _("Vote results %(year)s") % {"year": year.year}]
    book = xlsx.new_book()
    xlsx.add_sheet(
        book,
        _("Candidates"),
        [
            xlsx.Column(_("Poll"), 40),
            xlsx.Column(_("Round"), 8),
            xlsx.Column(_("Candidate"), 40),
            xlsx.Column(_("Votes"), 10, xlsx.number_format()),
            xlsx.Column(_("Share"), 10),
            xlsx.Column(_("Outcome"), 16),
        ],
        candidates,
        caption=caption,
    )
    xlsx.add_sheet(
        book,
        _("Polls"),
        [
            xlsx.Column(_("Poll"), 40),
            xlsx.Column(_("Round"), 8),
            xlsx.Column(_("Voting method"), 14),
            xlsx.Column(_("What the results show"), 22),
            xlsx.Column(_("Closed at"), 16),
            xlsx.Column(_("Members entitled to vote"), 14, xlsx.number_format()),
            xlsx.Column(_("Ballots cast"), 12, xlsx.number_format()),
            xlsx.Column(_("Blank ballots"), 12, xlsx.number_format()),
            xlsx.Column(_("Elected"), 40),
        ],
        polls,
        caption=caption,
    )
    return xlsx.to_bytes(book)
