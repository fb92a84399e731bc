"""The national summary of a year: every cluster's members and proposals, in one report.

What the supervising department sends up at the end of the year: for each cluster its head,
its members and the collectives and individuals it proposes, with the verdicts of the
eligibility check; then the same by award. Read with a fixed number of queries however
many clusters there are (the verdicts come from one national eligibility batch), and
written as a Decree 30 document with `thidua.lib.docformat`, or as an Excel list of every
proposal of the year.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from thidua.awards import rules as award_rules
from thidua.awards.eligibility import judge_scope
from thidua.awards.models import AwardType, Nomination
from thidua.awards.reasons import VERDICT_LABELS
from thidua.cycle.models import EmulationYear, Membership
from thidua.lib import docformat, xlsx
from thidua.lib.numbers import format_number
from thidua.lib.text import sort_key

Progress = Callable[[int, int], None]
Verdict = award_rules.Verdict


@dataclass
class ClusterLine:
    """One cluster's line of the summary."""

    name: str
    head: str
    members: int
    collectives: int = 0
    individuals: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)


@dataclass
class Summary:
    """The year's figures over every cluster."""

    year: int
    authority: str
    clusters: list[ClusterLine]
    awards: list[tuple[str, int, int]]  # award name, collectives, individuals
    verdicts: Counter[str]

    @property
    def members(self) -> int:
        return sum(c.members for c in self.clusters)

    @property
    def collectives(self) -> int:
        return sum(c.collectives for c in self.clusters)

    @property
    def individuals(self) -> int:
        return sum(c.individuals for c in self.clusters)


def summary(year: int, progress: Progress | None = None) -> Summary:
    """Every cluster's figures for `year`: six queries and one eligibility batch."""
    years = list(EmulationYear.objects.filter(year=year).select_related("cluster__supervisor"))
    members = dict(
        Membership.objects.filter(year__year=year)
        .values_list("year_id")
        .annotate(n=Count("pk"))
        .values_list("year_id", "n")
    )
    heads = dict(
        Membership.objects.filter(year__year=year, role=Membership.Role.HEAD).values_list(
            "year_id", "organization__name"
        )
    )
    lines = {
        y.pk: ClusterLine(y.cluster.name, heads.get(y.pk, ""), members.get(y.pk, 0)) for y in years
    }
    scope = Nomination.objects.filter(year__year=year)
    judged = judge_scope(scope, progress=progress)
    by_award: dict[int, Counter[str]] = defaultdict(Counter)
    rows = scope.order_by().values_list("pk", "year_id", "award_type_id", "collective_id")
    for pk, year_id, award_id, collective_id in rows.iterator(chunk_size=10_000):
        line = lines[year_id]
        kind = "collective" if collective_id is not None else "individual"
        if kind == "collective":
            line.collectives += 1
        else:
            line.individuals += 1
        line.verdicts[judged[pk].verdict.value] += 1
        by_award[award_id][kind] += 1
    awards = [
        (name, by_award[pk]["collective"], by_award[pk]["individual"])
        for pk, name in AwardType.objects.order_by("rank").values_list("pk", "name")
        if pk in by_award
    ]
    verdicts: Counter[str] = Counter()
    for line in lines.values():
        verdicts.update(line.verdicts)
    authority = years[0].cluster.supervisor.name if years else ""
    return Summary(
        year=year,
        authority=authority,
        clusters=sorted(lines.values(), key=lambda c: sort_key(c.name)),
        awards=awards,
        verdicts=verdicts,
    )


def _count(value: int) -> str:
    return format_number(value)


def report_docx(found: Summary, *, today: dt.date | None = None) -> bytes:
    """The summary as a report in the state format (Decree 30)."""
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(authority=found.authority, number="", place="Hà Nội", date=today),
    )
    docformat.add_title(
        document,
        _("Report"),
        _("Summary of the emulation clusters' proposals for %(year)s") % {"year": found.year},
    )
    docformat.add_heading(document, _("I. OVERVIEW"))
    docformat.add_paragraph(
        document,
        _(
            "In %(year)s, %(clusters)s emulation clusters with %(members)s member units "
            "proposed %(collectives)s collectives and %(individuals)s individuals for awards."
        )
        % {
            "year": found.year,
            "clusters": _count(len(found.clusters)),
            "members": _count(found.members),
            "collectives": _count(found.collectives),
            "individuals": _count(found.individuals),
        },
    )
    docformat.add_paragraph(
        document,
        _(
            "Checked against the award history: %(eligible)s eligible, %(review)s to be "
            "reviewed by hand, %(not_eligible)s not eligible."
        )
        % {
            "eligible": _count(found.verdicts[Verdict.ELIGIBLE.value]),
            "review": _count(found.verdicts[Verdict.NEEDS_REVIEW.value]),
            "not_eligible": _count(found.verdicts[Verdict.NOT_ELIGIBLE.value]),
        },
    )
    docformat.add_heading(document, _("II. BY CLUSTER"))
    docformat.add_table(
        document,
        [
            pgettext("national", "No."),
            _("Cluster"),
            _("Head"),
            _("Members"),
            _("Collectives"),
            _("Individuals"),
            _("Eligible"),
        ],
        [
            [
                str(number),
                line.name,
                line.head,
                _count(line.members),
                _count(line.collectives),
                _count(line.individuals),
                _count(line.verdicts[Verdict.ELIGIBLE.value]),
            ]
            for number, line in enumerate(found.clusters, 1)
        ],
        widths_mm=(10, 38, 42, 16, 18, 18, 18),
        size=10,
    )
    docformat.add_heading(document, _("III. BY AWARD"))
    docformat.add_table(
        document,
        [pgettext("national", "No."), _("Award"), _("Collectives"), _("Individuals")],
        [
            [str(number), name, _count(collectives), _count(individuals)]
            for number, (name, collectives, individuals) in enumerate(found.awards, 1)
        ],
        widths_mm=(10, 90, 30, 30),
    )
    docformat.add_closing(
        document,
        docformat.SignatureBlock(position=_("Director"), name=""),
        docformat.Recipients(items=(_("The Central Emulation and Commendation Council"),)),
    )
    out = io.BytesIO()
    docformat.save(document, out)
    return out.getvalue()


def proposal_list(year: int, progress: Progress | None = None) -> bytes:
    """Every proposal of the year, all clusters, as one workbook with its verdict."""
    scope = Nomination.objects.filter(year__year=year)
    judged = judge_scope(scope, progress=progress)
    rows = (
        scope.order_by()
        .values_list(
            "pk",
            "year__cluster__name",
            "unit__name",
            "person__full_name",
            "person__birth_year",
            "collective__name",
            "award_type__name",
            "award_type__rank",
            "status",
        )
        .iterator(chunk_size=10_000)
    )
    statuses = dict(Nomination.Status.choices)
    keys: dict[str, Any] = {}  # a hundred clusters and a thousand units: each key once

    def key_of(name: str) -> Any:
        if name not in keys:
            keys[name] = sort_key(name)
        return keys[name]

    lines: list[list[Any]] = [
        [
            cluster,
            unit,
            person or collective,
            born,
            award,
            str(statuses[status]),
            str(VERDICT_LABELS[judged[pk].verdict]),
        ]
        for pk, cluster, unit, person, born, collective, award, _rank, status in sorted(
            rows, key=lambda r: (key_of(r[1]), key_of(r[2]), r[7], r[0])
        )
    ]
    columns = [
        xlsx.Column(_("Cluster"), 24),
        xlsx.Column(_("Unit"), 40),
        xlsx.Column(pgettext("national", "Name"), 32),
        xlsx.Column(_("Year of birth"), 10),
        xlsx.Column(_("Award"), 36),
        xlsx.Column(_("Status"), 18),
        xlsx.Column(_("Eligibility"), 22),
    ]
    return _streamed_workbook(_("Proposals %(year)s") % {"year": year}, columns, lines)


def _streamed_workbook(title: str, columns: list[xlsx.Column], lines: list[list[Any]]) -> bytes:
    """A one-sheet workbook written row by row (openpyxl's write-only mode).

    Tens of thousands of rows: no cell objects are kept. The rules of `thidua.lib.xlsx` hold:
    text is never a formula (quote prefix), a bold frozen header, readable widths.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(xlsx.sheet_name(title))
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for line in lines:
        sheet.append([_value(sheet, value) for value in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not xlsx.is_risky(text):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # a string is never evaluated; the prefix keeps it text when edited
    cell.quotePrefix = True
    return cell
