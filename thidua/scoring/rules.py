"""Pure rules for scoring: criteria tables, settled points, totals, ranking, classes.

Each year a cluster member scores itself against the cluster's criteria table, a
peer reviews that self-score (cross-check), disputes get settled, then totals are
ranked and classified. Nothing here touches the database or Django: plain frozen
dataclasses in and out, ``Decimal`` for points. Data problems come back as
``Problem`` records with a stable ``code`` that the views translate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

__all__ = [
    "Band",
    "Breakdown",
    "Classification",
    "Code",
    "CriterionNode",
    "Kind",
    "LeafScore",
    "Problem",
    "Ranked",
    "ScoreError",
    "breakdown",
    "check_score",
    "classify",
    "default_bands",
    "default_tie_break",
    "items_max",
    "iter_leaves",
    "propose_rotation",
    "rank",
    "settled_points",
    "share_at_least",
    "table_max",
    "table_min",
    "total",
    "unscored",
    "validate_bands",
    "validate_table",
]

MAX_PLACES = 2  # points are recorded to the hundredth, as on the paper forms


class _Sortable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


M = TypeVar("M", bound=_Sortable)  # member key: sortable, for a stable output order
H = TypeVar("H", bound=Hashable)


class Kind(StrEnum):
    """Role of a node in the criteria table."""

    SECTION = "section"  # groups children, scores nothing itself
    ITEM = "item"  # ordinary criterion, 0..max
    BONUS = "bonus"  # bonus points (điểm thưởng), 0..max
    PENALTY = "penalty"  # deduction (điểm trừ), -max..0


LEAF_KINDS = frozenset({Kind.ITEM, Kind.BONUS, Kind.PENALTY})


class Code(StrEnum):
    """Stable problem codes; views map them to translated messages."""

    DUPLICATE_KEY = "duplicate_key"  # criterion=key
    SECTION_WITHOUT_CHILDREN = "section_without_children"  # criterion
    LEAF_WITH_CHILDREN = "leaf_with_children"  # criterion
    MISSING_MAX = "missing_max"  # criterion: a leaf needs max_points
    MAX_NOT_POSITIVE = "max_not_positive"  # criterion, value=max_points
    SECTION_MAX_MISMATCH = "section_max_mismatch"  # criterion, value=stated, expected=sum
    TOO_MANY_DECIMALS = "too_many_decimals"  # criterion, value, expected=allowed places
    NOT_FINITE = "not_finite"  # criterion, value
    NOT_A_LEAF = "not_a_leaf"  # criterion: sections are not scored directly
    UNKNOWN_CRITERION = "unknown_criterion"  # criterion: score for a key not in the table
    ABOVE_MAX = "above_max"  # criterion, value, maximum
    BELOW_MIN = "below_min"  # criterion, value, minimum
    REVIEW_WITHOUT_REASON = "review_without_reason"  # criterion, value=review points
    BANDS_NOT_DESCENDING = "bands_not_descending"  # value=threshold out of order
    DUPLICATE_CLASSIFICATION = "duplicate_classification"  # classification


@dataclass(frozen=True)
class Problem:
    """A problem found in a table, a score or a band list; unused fields stay None."""

    code: Code
    criterion: str | None = None
    value: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    expected: Decimal | None = None
    classification: Classification | None = None


class ScoreError(ValueError):
    """Raised by ``total`` when scores do not fit the table; carries the problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(", ".join(f"{p.code}:{p.criterion}" for p in self.problems))


# --- criteria table -----------------------------------------------------------


@dataclass(frozen=True)
class CriterionNode:
    """One node of the criteria table.

    Leaves (ITEM, BONUS, PENALTY) must state ``max_points`` > 0; a PENALTY leaf takes
    values in [-max_points, 0]. A SECTION may state ``max_points``; if it does, it
    must equal the sum of the ITEM and BONUS maxima beneath it, or, for a section
    that holds only penalties, the sum of the penalty maxima (the deduction ceiling).
    """

    key: str
    title: str
    kind: Kind
    max_points: Decimal | None = None
    children: tuple[CriterionNode, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return self.kind in LEAF_KINDS


def _walk(nodes: Sequence[CriterionNode]) -> Iterator[CriterionNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def iter_leaves(nodes: Sequence[CriterionNode]) -> Iterator[CriterionNode]:
    """Scorable nodes in table order (depth first)."""
    return (node for node in _walk(nodes) if node.is_leaf)


def _leaf_max(node: CriterionNode) -> Decimal:
    return node.max_points if node.max_points is not None else Decimal(0)


def _sum_max(nodes: Sequence[CriterionNode], kinds: frozenset[Kind]) -> Decimal:
    return sum((_leaf_max(n) for n in iter_leaves(nodes) if n.kind in kinds), Decimal(0))


def table_max(nodes: Sequence[CriterionNode]) -> Decimal:
    """Highest possible total: ITEM and BONUS maxima; penalties add nothing."""
    return _sum_max(nodes, frozenset({Kind.ITEM, Kind.BONUS}))


def items_max(nodes: Sequence[CriterionNode]) -> Decimal:
    """The table's base points: ordinary items only, the figure bands are usually a share of."""
    return _sum_max(nodes, frozenset({Kind.ITEM}))


def table_min(nodes: Sequence[CriterionNode]) -> Decimal:
    """Lowest possible total: every penalty at its floor, nothing earned."""
    return -_sum_max(nodes, frozenset({Kind.PENALTY}))


def _places(value: Decimal) -> int:
    """Decimal places that carry a significant digit (1.500 has one, 0.000 none)."""
    if value == 0:
        return 0
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite values only
    end = len(digits)
    while exponent < 0 and digits[end - 1] == 0:
        end -= 1
        exponent += 1
    return max(0, -exponent)


def validate_table(nodes: Sequence[CriterionNode]) -> list[Problem]:
    """Structural problems of a criteria table, in table order."""
    problems: list[Problem] = []
    counts = Counter(node.key for node in _walk(nodes))
    reported: set[str] = set()
    for node in _walk(nodes):
        if counts[node.key] > 1 and node.key not in reported:
            reported.add(node.key)
            problems.append(Problem(Code.DUPLICATE_KEY, node.key))
        stated = node.max_points
        if stated is not None and not stated.is_finite():
            problems.append(Problem(Code.NOT_FINITE, node.key, value=stated))
            continue
        if stated is not None and _places(stated) > MAX_PLACES:
            problems.append(
                Problem(
                    Code.TOO_MANY_DECIMALS, node.key, value=stated, expected=Decimal(MAX_PLACES)
                )
            )
        if node.kind is Kind.SECTION:
            if not node.children:
                problems.append(Problem(Code.SECTION_WITHOUT_CHILDREN, node.key))
            elif stated is not None:
                expected = table_max(node.children)
                if expected == 0:  # a section of penalties states its deduction ceiling
                    expected = -table_min(node.children)
                if stated != expected:
                    problems.append(
                        Problem(
                            Code.SECTION_MAX_MISMATCH, node.key, value=stated, expected=expected
                        )
                    )
        else:
            if node.children:
                problems.append(Problem(Code.LEAF_WITH_CHILDREN, node.key))
            if stated is None:
                problems.append(Problem(Code.MISSING_MAX, node.key))
            elif stated <= 0:
                problems.append(Problem(Code.MAX_NOT_POSITIVE, node.key, value=stated))
    return problems


def check_score(node: CriterionNode, points: Decimal) -> Problem | None:
    """First problem with ``points`` for ``node``, or None when they are acceptable."""
    if not node.is_leaf:
        return Problem(Code.NOT_A_LEAF, node.key)
    if not points.is_finite():
        return Problem(Code.NOT_FINITE, node.key, value=points)
    if _places(points) > MAX_PLACES:
        return Problem(Code.TOO_MANY_DECIMALS, node.key, value=points, expected=Decimal(MAX_PLACES))
    limit = _leaf_max(node)
    low, high = (-limit, Decimal(0)) if node.kind is Kind.PENALTY else (Decimal(0), limit)
    if points > high:
        return Problem(Code.ABOVE_MAX, node.key, value=points, maximum=high)
    if points < low:
        return Problem(Code.BELOW_MIN, node.key, value=points, minimum=low)
    return None


# --- settled points -----------------------------------------------------------


def settled_points(
    self_points: Decimal,
    review_points: Decimal | None = None,
    settlement: Decimal | None = None,
) -> Decimal:
    """Points that count for a leaf: settlement, else review, else self-score.

    The latest authoritative decision wins, in either direction. It is never
    max(self, review): the cross-check exists to correct self-scoring, so a
    reviewer's lower figure must stand unless a settlement of the dispute
    overrides it; a higher review figure stands too (the reviewer found credit
    the member missed). A member who disagrees raises a dispute; only the
    settlement, not the dispute itself, changes the points.
    """
    if settlement is not None:
        return settlement
    if review_points is not None:
        return review_points
    return self_points


@dataclass(frozen=True)
class LeafScore:
    """All figures recorded for one leaf of one member in one year."""

    self_points: Decimal
    review_points: Decimal | None = None
    review_reason: str = ""
    disputed: bool = False
    settlement_points: Decimal | None = None

    @property
    def settled(self) -> Decimal:
        return settled_points(self.self_points, self.review_points, self.settlement_points)

    @property
    def is_final(self) -> bool:
        """False while a dispute awaits its settlement."""
        return not self.disputed or self.settlement_points is not None

    def problems(self, node: CriterionNode) -> list[Problem]:
        """Problems with each recorded figure, plus a changed review lacking a reason."""
        found = [
            problem
            for points in (self.self_points, self.review_points, self.settlement_points)
            if points is not None and (problem := check_score(node, points)) is not None
        ]
        if (
            self.review_points is not None
            and self.review_points != self.self_points
            and not self.review_reason.strip()
        ):
            found.append(Problem(Code.REVIEW_WITHOUT_REASON, node.key, value=self.review_points))
        return found


# --- totals -------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """A member's total split by kind; ``penalty`` is <= 0."""

    items: Decimal
    bonus: Decimal
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.items + self.bonus + self.penalty


def breakdown(scores: Mapping[str, Decimal], table: Sequence[CriterionNode]) -> Breakdown:
    """Settled leaf points summed per kind; unscored leaves count 0.

    Raises ``ScoreError`` when a score is for an unknown key, a section, or is out
    of its leaf's range, so the total can never leave [table_min, table_max].
    """
    nodes = {node.key: node for node in _walk(table)}
    problems: list[Problem] = []
    sums = dict.fromkeys(LEAF_KINDS, Decimal(0))
    for key in sorted(scores):
        points = scores[key]
        node = nodes.get(key)
        if node is None:
            problems.append(Problem(Code.UNKNOWN_CRITERION, key, value=points))
            continue
        problem = check_score(node, points)
        if problem is not None:
            problems.append(problem)
            continue
        sums[node.kind] += points
    if problems:
        raise ScoreError(problems)
    return Breakdown(sums[Kind.ITEM], sums[Kind.BONUS], sums[Kind.PENALTY])


def total(scores: Mapping[str, Decimal], table: Sequence[CriterionNode]) -> Decimal:
    """Sum of settled leaf points (see ``breakdown`` for what is rejected)."""
    return breakdown(scores, table).total


def unscored(scores: Mapping[str, Decimal], table: Sequence[CriterionNode]) -> list[str]:
    """Leaf keys, in table order, that have no score yet."""
    return [node.key for node in iter_leaves(table) if node.key not in scores]


# --- ranking ------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked(Generic[M]):
    """One member's place; ``tied`` when another member shares the rank."""

    member: M
    total: Decimal
    rank: int
    tied: bool = False


def default_tie_break(parts: Breakdown) -> tuple[Decimal, Decimal]:
    """Suggested tie-break: more points from ordinary items, then fewer deductions."""
    # penalty is <= 0, so "higher is better" means fewer penalty points.
    return (parts.items, parts.penalty)


def rank(
    totals: Mapping[M, Decimal],
    *,
    tie_break: Mapping[M, tuple[Any, ...]] | None = None,
) -> list[Ranked[M]]:
    """Standard competition ranking ("1, 2, 2, 4") by total, higher is better.

    Members are compared by total first; on equal totals, by their ``tie_break``
    tuple (compared element by element, higher is better, e.g. from
    ``default_tie_break``). Members equal on both share a rank, and the next rank
    skips accordingly: each rank is 1 + the number of members strictly better.
    Output is ordered by rank, then member key.
    """
    if tie_break is not None:
        absent = [member for member in totals if member not in tie_break]
        if absent:
            raise ValueError(f"tie_break lacks members: {sorted(absent)!r}")

    def standing(member: M) -> tuple[Decimal, tuple[Any, ...]]:
        return (totals[member], tie_break[member] if tie_break is not None else ())

    # Sorting is stable, also with reverse=True: equal standings stay in key order.
    ordered = sorted(sorted(totals), key=standing, reverse=True)
    result: list[Ranked[M]] = []
    for position, member in enumerate(ordered):
        if position and standing(member) == standing(ordered[position - 1]):
            place = result[-1].rank
        else:
            place = position + 1
        result.append(Ranked(member, totals[member], place))
    shared = Counter(entry.rank for entry in result)
    return [
        Ranked(entry.member, entry.total, entry.rank, shared[entry.rank] > 1) for entry in result
    ]


# --- classification -----------------------------------------------------------


class Classification(StrEnum):
    """Year-end classification of a cluster member, best first."""

    XUAT_SAC = "xuat_sac"  # hoàn thành xuất sắc nhiệm vụ
    TOT = "tot"  # hoàn thành tốt nhiệm vụ
    HOAN_THANH = "hoan_thanh"  # hoàn thành nhiệm vụ
    KHONG_HOAN_THANH = "khong_hoan_thanh"  # không hoàn thành nhiệm vụ


_CLASS_ORDER = {c: i for i, c in enumerate(Classification)}


@dataclass(frozen=True)
class Band:
    """A total of at least ``min_total`` (inclusive) earns ``classification``."""

    classification: Classification
    min_total: Decimal


def validate_bands(bands: Sequence[Band]) -> list[Problem]:
    """Bands must run best class first, each class once, thresholds strictly descending."""
    problems: list[Problem] = []
    seen: set[Classification] = set()
    previous: Band | None = None
    for band in bands:
        if band.classification in seen:
            problems.append(
                Problem(Code.DUPLICATE_CLASSIFICATION, classification=band.classification)
            )
            continue
        seen.add(band.classification)
        if not band.min_total.is_finite():
            problems.append(
                Problem(Code.NOT_FINITE, value=band.min_total, classification=band.classification)
            )
            continue
        # A better class below a worse one, or an equal threshold, makes a class unreachable.
        if previous is not None and (
            _CLASS_ORDER[band.classification] < _CLASS_ORDER[previous.classification]
            or band.min_total >= previous.min_total
        ):
            problems.append(
                Problem(
                    Code.BANDS_NOT_DESCENDING,
                    value=band.min_total,
                    classification=band.classification,
                )
            )
        previous = band
    return problems


def classify(total: Decimal, bands: Sequence[Band]) -> Classification:
    """Best band whose threshold ``total`` reaches; below every band: không hoàn thành."""
    problems = validate_bands(bands)
    if problems:
        raise ValueError(f"invalid bands: {[p.code.value for p in problems]}")
    for band in bands:
        if total >= band.min_total:
            return band.classification
    return Classification.KHONG_HOAN_THANH


DEFAULT_SHARES = (
    (Classification.XUAT_SAC, Decimal("0.90")),
    (Classification.TOT, Decimal("0.80")),
    (Classification.HOAN_THANH, Decimal("0.50")),
)


def default_bands(table_max: Decimal) -> list[Band]:
    """Starting bands: ≥90 % of the max xuất sắc, ≥80 % tốt, ≥50 % hoàn thành.

    These shares are only a default for a new cluster; each cluster sets its own
    thresholds in its regulation (quy chế) and stores them as bands. Totals below
    the last band are "không hoàn thành", so no band is needed for it.
    """
    return [Band(classification, table_max * share) for classification, share in DEFAULT_SHARES]


def share_at_least(classes: Sequence[Classification], floor: Classification) -> Decimal:
    """Share (0..1) of members classified ``floor`` or better; 0 for no members."""
    if not classes:
        return Decimal(0)
    reached = sum(1 for c in classes if _CLASS_ORDER[c] <= _CLASS_ORDER[floor])
    return Decimal(reached) / Decimal(len(classes))


# --- cross-check rotation -----------------------------------------------------


def propose_rotation(members: Sequence[H], reviewers_per_member: int = 1) -> dict[H, list[H]]:
    """Who cross-checks whom: reviewed member -> its reviewers.

    Member i is reviewed by the members at positions i+1 .. i+k (cyclically) of the
    given order, so nobody reviews itself, every member reviews exactly k others
    and is reviewed by exactly k, and the same order always gives the same plan.
    Pairs review each other both ways only when 2k >= the number of members.
    """
    count = len(members)
    if len(set(members)) != count:
        raise ValueError("members must be distinct")
    if reviewers_per_member < 1:
        raise ValueError("reviewers_per_member must be at least 1")
    if reviewers_per_member >= count:
        raise ValueError(
            f"{reviewers_per_member} reviewers per member need more than {count} members"
        )
    return {
        member: [members[(index + shift) % count] for shift in range(1, reviewers_per_member + 1)]
        for index, member in enumerate(members)
    }
