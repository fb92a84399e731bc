"""The national summary of a year: every cluster's members and proposals, in one report.

What the supervising department sends up at the end of the year: for each cluster its head,
its members and the collectives and individuals it proposes, with the verdicts of the
eligibility check; then the same by award. Read with a fixed number of queries however
many clusters there are (the verdicts come from one national eligibility batch), and
written as a Decree 30 document with `thidua.lib.docformat`. (The Excel list of every
proposal of the year is awards': `thidua.awards.exports.national_proposal_list`.)
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from thidua.award_history.models import AwardType
from thidua.awards import rules as award_rules
from thidua.awards.documents import issued_name
from thidua.awards.eligibility import judge_scope
from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear, Membership
from thidua.lib import docformat
from thidua.lib.numbers import format_number
from thidua.lib.text import sort_key
from thidua.orgs.models import Organization, User

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


@dataclass(frozen=True)
class Issuer:
    """Who issues and signs the summary: the supervising department, under its ministry."""

    authority: str  # "Vụ Thi đua - Khen thưởng"
    parent: str = ""  # "Bộ Kế hoạch và Đầu tư"
    symbol: str = ""  # "TĐKT"
    signer: str = ""  # "Lê Thị Mai"
    title: str = ""  # "Phó Vụ trưởng"


@dataclass
class Summary:
    """The year's figures over every cluster."""

    year: int
    authority: str
    clusters: list[ClusterLine]
    awards: list[tuple[str, int, int]]  # award name, collectives, individuals
    verdicts: Counter[str]
    issuer: Issuer = field(default_factory=lambda: Issuer(""))

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
    """Every cluster's figures for `year`: seven queries and one eligibility batch."""
    years = list(
        EmulationYear.objects.filter(year=year).select_related("cluster__supervisor__parent")
    )
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
    supervisor = years[0].cluster.supervisor if years else None
    issuer = issuer_of(supervisor) if supervisor else Issuer("")
    # Each award as the ministry grants it: its Bằng khen to collectives and individuals is one.
    counted: dict[str, Counter[str]] = {}
    for pk, name in AwardType.objects.order_by("rank").values_list("pk", "name"):
        if pk in by_award:
            granted = issued_name(name, issuer.parent) if issuer.parent else name
            counted.setdefault(granted, Counter()).update(by_award[pk])
    awards = [(name, c["collective"], c["individual"]) for name, c in counted.items()]
    verdicts: Counter[str] = Counter()
    for line in lines.values():
        verdicts.update(line.verdicts)
    return Summary(
        year=year,
        authority=supervisor.name if supervisor else "",
        clusters=sorted(lines.values(), key=lambda c: sort_key(c.name)),
        awards=awards,
        verdicts=verdicts,
        issuer=issuer,
    )


def initials(name: str) -> str:
    """The issuer's part of a ký hiệu: the initials of its name less its kind ("Vụ", "Sở")."""
    words = name.split()
    if words and words[0].lower() in ("vụ", "sở", "cục", "ban", "văn"):
        words = words[1:]
    return docformat.issuer_abbreviation(" ".join(words))


def issuer_of(supervisor: Organization) -> Issuer:
    """The supervisor as a document's issuer: its own name under its parent's, and its leader."""
    parent = supervisor.parent.name if supervisor.parent else ""
    own = supervisor.name.removesuffix(f", {parent}") if parent else supervisor.name
    leader = (
        User.objects.filter(organization=supervisor, position=User.Position.LEADER)
        .order_by("pk")
        .first()
    )
    return Issuer(
        authority=own,
        parent=parent,
        symbol=initials(own),
        signer=leader.full_name if leader else "",
        title=leader.job_title if leader else "",
    )


def signature(issuer: Issuer) -> docformat.SignatureBlock:
    """The leader signs as the department's head, or for the head ("KT.") as a deputy."""
    title = issuer.title or _("Director")
    head = title.removeprefix("Phó ").strip()
    if head != title:
        return docformat.SignatureBlock(
            capacity=_("KT. %(head)s") % {"head": head}, position=title, name=issuer.signer
        )
    return docformat.SignatureBlock(position=title, name=issuer.signer)


def _count(value: int) -> str:
    return format_number(value)


def report_docx(found: Summary, *, today: dt.date | None = None) -> bytes:
    """The summary as a report in the state format (Decree 30); without `today` the date is
    left for the day it is signed."""
    issuer = found.issuer
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority=issuer.authority or found.authority,
            number="",
            place="Hà Nội",
            date=today,
            parent_authority=issuer.parent,
            symbol="-".join((pgettext("document symbol", "BC"), issuer.symbol))
            if issuer.symbol
            else "",
        ),
    )
    docformat.add_title(
        document,
        _("Report"),
        _("Summary of the emulation clusters' proposals for %(year)s") % {"year": found.year},
    )
    docformat.add_heading(document, _("I. OVERVIEW"))
    docformat.add_paragraph(
        document,
        ngettext(
            "In %(year)s, %(clusters)s emulation cluster with %(members)s member units "
            "proposed %(collectives)s collectives and %(individuals)s individuals for awards.",
            "In %(year)s, %(clusters)s emulation clusters with %(members)s member units "
            "proposed %(collectives)s collectives and %(individuals)s individuals for awards.",
            len(found.clusters),
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
        widths_mm=(12, 42, 40, 16, 16, 16, 18),
    )
    docformat.add_heading(document, _("III. BY AWARD"))
    docformat.add_table(
        document,
        [pgettext("national", "No."), _("Award"), _("Collectives"), _("Individuals")],
        [
            [str(number), name, _count(collectives), _count(individuals)]
            for number, (name, collectives, individuals) in enumerate(found.awards, 1)
        ],
        widths_mm=(12, 88, 30, 30),
    )
    docformat.add_closing(
        document,
        signature(issuer),
        docformat.Recipients(
            items=(
                _("The Central Emulation and Commendation Council"),
                *(
                    [_("The leaders of %(ministry)s") % {"ministry": issuer.parent}]
                    if issuer.parent
                    else []
                ),
            )
        ),
    )
    out = io.BytesIO()
    docformat.save(document, out)
    return out.getvalue()
