"""Reading the year's scoring into the pure rules: the table tree, settled points, the ranking.

Each function loads what it needs in a fixed number of queries, whatever the number of members
or criteria, then hands plain data to `rules`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.lib.text import sort_key

from . import rules
from .models import Band, CriteriaTable, Criterion, RankingSnapshot, Score

# Phases in which the ranking exists; in cross-check it is live and provisional.
RANKING_PHASES = frozenset(
    {Phase.CROSS_CHECK, Phase.CONFERENCE, Phase.VOTING, Phase.PROPOSALS, Phase.CLOSED}
)


@dataclass
class TableTree:
    """A criteria table as loaded: its rows in table order and the rules' node tree."""

    table: CriteriaTable
    rows: list[Criterion]  # depth first, siblings by order
    depth: dict[int, int]
    nodes: tuple[rules.CriterionNode, ...]
    stored_bands: list[rules.Band] = field(default_factory=list)

    @property
    def leaves(self) -> list[Criterion]:
        return [row for row in self.rows if row.is_leaf]

    @property
    def max_total(self) -> Decimal:
        return rules.table_max(self.nodes)

    @property
    def min_total(self) -> Decimal:
        return rules.table_min(self.nodes)

    @property
    def bands(self) -> list[rules.Band]:
        """The cluster's bands, or the default shares of the base points until it sets its own."""
        return self.stored_bands or rules.default_bands(rules.items_max(self.nodes))

    def problems(self) -> list[rules.Problem]:
        return rules.validate_table(self.nodes)

    def node(self, criterion: Criterion) -> rules.CriterionNode:
        return _find(self.nodes, criterion.number)


def _find(nodes: tuple[rules.CriterionNode, ...], key: str) -> rules.CriterionNode:
    for node in nodes:
        if node.key == key:
            return node
        if node.children:
            try:
                return _find(node.children, key)
            except KeyError:
                continue
    raise KeyError(key)


def load_tree(table: CriteriaTable) -> TableTree:
    """The table's criteria (one query) and bands (one query) as a tree."""
    criteria = list(Criterion.objects.filter(table=table).order_by("order", "pk"))
    children: dict[int | None, list[Criterion]] = defaultdict(list)
    for criterion in criteria:
        children[criterion.parent_id].append(criterion)
    rows: list[Criterion] = []
    depth: dict[int, int] = {}

    def build(parent_id: int | None, level: int) -> tuple[rules.CriterionNode, ...]:
        nodes = []
        for criterion in children.get(parent_id, []):
            rows.append(criterion)
            depth[criterion.pk] = level
            below = build(criterion.pk, level + 1)
            nodes.append(
                rules.CriterionNode(
                    key=criterion.number,
                    title=criterion.title,
                    kind=rules.Kind(criterion.kind),
                    max_points=criterion.max_points,
                    children=below,
                )
            )
        return tuple(nodes)

    nodes = build(None, 0)
    stored = [
        rules.Band(rules.Classification(band.classification), band.min_total)
        for band in Band.objects.filter(table=table).order_by("-min_total")
    ]
    return TableTree(table=table, rows=rows, depth=depth, nodes=nodes, stored_bands=stored)


def table_of(year: EmulationYear) -> CriteriaTable | None:
    return CriteriaTable.objects.filter(year=year).first()


def leaf_scores(year: EmulationYear) -> dict[int, dict[str, rules.LeafScore]]:
    """Submitted scores of every member, as {membership id: {criterion number: LeafScore}}."""
    scores = (
        Score.objects.filter(
            assessment__membership__year=year,
            assessment__submitted_at__isnull=False,
            points__isnull=False,
        )
        .select_related("criterion", "review", "dispute", "assessment")
        .order_by("pk")
    )
    result: dict[int, dict[str, rules.LeafScore]] = defaultdict(dict)
    for score in scores:
        assert score.points is not None
        review = getattr(score, "review", None)
        dispute = getattr(score, "dispute", None)
        result[score.assessment.membership_id][score.criterion.number] = rules.LeafScore(
            self_points=score.points,
            review_points=review.points if review else None,
            review_reason=review.reason if review else "",
            disputed=dispute is not None,
            settlement_points=dispute.settled_points if dispute else None,
        )
    return result


@dataclass(frozen=True)
class Standing:
    """One member's line of the ranking."""

    organization_id: int
    name: str
    items: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    rank: int
    tied: bool
    classification: rules.Classification

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("items", "bonus", "penalty", "total"):
            data[key] = str(data[key])
        data["classification"] = self.classification.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Standing:
        return cls(
            organization_id=int(data["organization_id"]),
            name=str(data["name"]),
            items=Decimal(data["items"]),
            bonus=Decimal(data["bonus"]),
            penalty=Decimal(data["penalty"]),
            total=Decimal(data["total"]),
            rank=int(data["rank"]),
            tied=bool(data["tied"]),
            classification=rules.Classification(data["classification"]),
        )


@dataclass(frozen=True)
class Ranking:
    """The year's ranking, live or from the snapshot taken when cross-check closed."""

    standings: list[Standing]
    max_total: Decimal
    bands: list[rules.Band]
    snapshot: RankingSnapshot | None = None

    @property
    def provisional(self) -> bool:
        return self.snapshot is None

    def share_at_least(self, floor: rules.Classification) -> Decimal:
        return rules.share_at_least([s.classification for s in self.standings], floor)


def compute(year: EmulationYear, tree: TableTree) -> list[Standing]:
    """Totals of settled points, ranked (ties broken by `rules.default_tie_break`), classified."""
    memberships = list(Membership.objects.filter(year=year).select_related("organization"))
    scores = leaf_scores(year)
    parts: dict[int, rules.Breakdown] = {}
    for membership in memberships:
        settled = {key: leaf.settled for key, leaf in scores.get(membership.pk, {}).items()}
        parts[membership.pk] = rules.breakdown(settled, tree.nodes)
    ranked = rules.rank(
        {pk: p.total for pk, p in parts.items()},
        tie_break={pk: rules.default_tie_break(p) for pk, p in parts.items()},
    )
    by_pk = {m.pk: m for m in memberships}
    bands = tree.bands
    standings = []
    for entry in ranked:
        membership = by_pk[entry.member]
        p = parts[entry.member]
        standings.append(
            Standing(
                organization_id=membership.organization_id,
                name=membership.organization.name,
                items=p.items,
                bonus=p.bonus,
                penalty=p.penalty,
                total=p.total,
                rank=entry.rank,
                tied=entry.tied,
                classification=rules.classify(p.total, bands),
            )
        )
    # Equal ranks read in Vietnamese alphabetical order.
    return sorted(standings, key=lambda s: (s.rank, sort_key(s.name)))


def snapshot_data(year: EmulationYear, tree: TableTree) -> dict[str, Any]:
    return {
        "kind": "snapshot",
        "year": year.year,
        "max_total": str(tree.max_total),
        "bands": [
            {"classification": b.classification.value, "min_total": str(b.min_total)}
            for b in tree.bands
        ],
        "standings": [s.as_json() for s in compute(year, tree)],
    }


def ranking(year: EmulationYear) -> Ranking | None:
    """The frozen snapshot if the year has one, else the live ranking; None before cross-check."""
    snapshot = RankingSnapshot.objects.filter(year=year).first()
    if snapshot is not None:
        data = snapshot.data
        return Ranking(
            standings=[Standing.from_json(row) for row in data["standings"]],
            max_total=Decimal(data["max_total"]),
            bands=[
                rules.Band(rules.Classification(b["classification"]), Decimal(b["min_total"]))
                for b in data["bands"]
            ],
            snapshot=snapshot,
        )
    table = table_of(year)
    if year.phase not in RANKING_PHASES or table is None:
        return None
    tree = load_tree(table)
    return Ranking(standings=compute(year, tree), max_total=tree.max_total, bands=tree.bands)
