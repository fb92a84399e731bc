"""The scores and the ranking as an Excel workbook: members × criteria, totals, rank, class.

The totals, ranks and classifications are the ranking's (the snapshot once the cross-check
closed); the criteria columns are each member's settled points, which no longer change then.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.cycle.models import EmulationYear, Membership
from thidua.lib import xlsx

from . import reads
from .problems import label

# Points have up to two decimals; Excel's general format shows 10 and 9,5 alike.
POINTS = "General"


def ranking_workbook(year: EmulationYear, ranking: reads.Ranking) -> bytes:
    table = reads.table_of(year)
    tree = reads.load_tree(table) if table is not None else None
    leaves = tree.leaves if tree is not None else []
    settled = reads.leaf_scores(year)
    membership_of = dict(Membership.objects.filter(year=year).values_list("organization_id", "pk"))
    columns = [
        xlsx.Column(_("Rank"), 8),
        xlsx.Column(_("Member"), 40),
        *(xlsx.Column(leaf.number, 10, POINTS) for leaf in leaves),
        xlsx.Column(_("Criteria"), 12, POINTS),
        xlsx.Column(_("Bonus"), 10, POINTS),
        xlsx.Column(_("Penalty"), 10, POINTS),
        xlsx.Column(_("Total"), 12, POINTS),
        xlsx.Column(_("Equal rank"), 10),
        xlsx.Column(_("Classification"), 30),
    ]
    rows: list[list[Any]] = []
    for standing in ranking.standings:
        scores = settled.get(membership_of.get(standing.organization_id, 0), {})
        points = [scores[leaf.number].settled if leaf.number in scores else None for leaf in leaves]
        rows.append(
            [
                standing.rank,
                standing.name,
                *points,
                standing.items,
                standing.bonus,
                standing.penalty,
                xlsx.Styled(standing.total, bold=True),
                _("equal") if standing.tied else None,
                label(standing.classification),
            ]
        )
    if ranking.snapshot is None:
        status = _("Provisional: live from the settled scores.")
    else:
        taken = timezone.localtime(ranking.snapshot.taken_at).strftime("%d/%m/%Y %H:%M")
        status = _("Frozen copy taken on %(at)s, when the cross-check closed.") % {"at": taken}
    book = xlsx.new_book()
    xlsx.add_sheet(
        book,
        _("Ranking"),
        columns,
        rows,
        caption=[
            year.cluster.name,
            _("Ranking and classification %(year)s") % {"year": year.year},
            status,
        ],
    )
    xlsx.add_sheet(
        book,
        _("Criteria"),
        [
            xlsx.Column(_("Number"), 10),
            xlsx.Column(_("Criterion"), 70),
            xlsx.Column(_("Kind"), 14),
            xlsx.Column(_("Maximum points"), 12, POINTS),
        ],
        [
            [row.number, row.title, row.get_kind_display(), row.max_points]
            for row in (tree.rows if tree is not None else [])
        ],
    )
    return xlsx.to_bytes(book)
