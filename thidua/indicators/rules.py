"""Pure rules for cluster indicators: aggregation, reporting gaps, year-on-year change.

Each member of an emulation cluster reports a value per indicator; these functions
turn the members' values into one cluster figure. Nothing here touches the database
or Django: plain frozen dataclasses in and out, ``Decimal`` for every value.

Data problems (a missing weight, a zero denominator) are returned as ``Problem``
records with a stable ``code`` so the views can translate them; a ``ValueError``
is raised only for programming mistakes (e.g. RATIO without denominators).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from thidua.lib import numbers
from thidua.lib.text import fold

__all__ = [
    "RESERVED_PLACEHOLDERS",
    "Aggregate",
    "Change",
    "Entry",
    "Method",
    "Problem",
    "ProblemCode",
    "TemplateProblem",
    "UnitKind",
    "ValueProblem",
    "aggregate",
    "check_value",
    "compare_years",
    "fill_template",
    "matrix_gaps",
    "state_aggregate",
    "state_value",
    "template_problems",
    "unit_kind",
]


class _Sortable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Sortable)  # member key (pk, code, ...): must sort, for stable output
Ind = TypeVar("Ind")  # indicator key

# Sums and products are computed exactly so that results never depend on member
# order and sums of disjoint groups add up to the sum of their union.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
# Divisions cannot be exact; 28 significant digits is Python's default precision.
# Rounding is monotonic, so a mean still lies between the minimum and the maximum.
_DIVIDE = Context(prec=28)


class Method(StrEnum):
    """How members' values of one indicator combine into the cluster figure."""

    SUM = "sum"
    MEAN = "mean"
    # Mean weighted by another indicator's value per member (e.g. population).
    WEIGHTED_MEAN = "weighted_mean"
    # Sum of numerators over sum of denominators, e.g. 812 communes with a road / 921.
    RATIO = "ratio"
    MIN = "min"
    MAX = "max"


class ProblemCode(StrEnum):
    """Stable codes for data problems found while aggregating; views translate them."""

    NO_DATA = "no_data"  # no member had a usable value
    MISSING_WEIGHT = "missing_weight"  # member has a value but no weight
    NEGATIVE_WEIGHT = "negative_weight"  # member excluded: a weight must be >= 0
    ZERO_TOTAL_WEIGHT = "zero_total_weight"  # weights of counted members add up to 0
    MISSING_DENOMINATOR = "missing_denominator"  # member has a numerator but no denominator
    MISSING_NUMERATOR = "missing_numerator"  # member has a denominator but no numerator
    ZERO_DENOMINATOR = "zero_denominator"  # denominators of counted members add up to 0
    NOT_FINITE = "not_finite"  # NaN or infinity in the input; member excluded


@dataclass(frozen=True)
class Problem(Generic[K]):
    """A data problem; ``member`` is set when the problem concerns one member."""

    code: ProblemCode
    member: K | None = None


@dataclass(frozen=True)
class Aggregate(Generic[K]):
    """Cluster figure of one indicator.

    ``missing`` lists members (sorted) whose value, weight, numerator or denominator
    is absent; they are excluded, never counted as zero. ``numerator`` and
    ``denominator`` are filled for RATIO only so the figure can be shown as "812/921".
    """

    method: Method
    value: Decimal | None
    members_counted: int
    missing: tuple[K, ...] = ()
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    problems: tuple[Problem[K], ...] = ()


@dataclass(frozen=True)
class Change:
    """Change from the previous year to the current one.

    ``absolute`` is current - previous (for a ratio: percentage points as a fraction).
    ``relative`` is absolute / |previous| as a fraction (0.1 means +10 %), None when
    either value is missing or previous is zero.
    """

    current: Decimal | None
    previous: Decimal | None
    absolute: Decimal | None
    relative: Decimal | None


def _finite(value: Decimal | None) -> bool:
    return value is not None and value.is_finite()


def _sum(values: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = _EXACT.add(total, value)
    return total


def aggregate(
    method: Method,
    values: Mapping[K, Decimal | None],
    *,
    weights: Mapping[K, Decimal | None] | None = None,
    denominators: Mapping[K, Decimal | None] | None = None,
) -> Aggregate[K]:
    """Combine members' values of one indicator with ``method``.

    For WEIGHTED_MEAN ``weights`` is required; for RATIO ``values`` are the
    numerators and ``denominators`` is required. In both cases the members are the
    union of both mappings' keys and a member counts only when both parts are present.
    """
    method = Method(method)
    if method is Method.WEIGHTED_MEAN:
        if weights is None:
            raise ValueError("WEIGHTED_MEAN needs weights")
    elif weights is not None:
        raise ValueError(f"weights are only used by WEIGHTED_MEAN, not {method}")
    if method is Method.RATIO:
        if denominators is None:
            raise ValueError("RATIO needs denominators")
    elif denominators is not None:
        raise ValueError(f"denominators are only used by RATIO, not {method}")

    if method is Method.WEIGHTED_MEAN:
        assert weights is not None
        return _weighted_mean(values, weights)
    if method is Method.RATIO:
        assert denominators is not None
        return _ratio(values, denominators)

    missing: list[K] = []
    problems: list[Problem[K]] = []
    present: list[Decimal] = []
    for member in sorted(values):
        value = values[member]
        if value is None:
            missing.append(member)
        elif not value.is_finite():
            problems.append(Problem(ProblemCode.NOT_FINITE, member))
        else:
            present.append(value)

    result: Decimal | None
    if not present:
        result = None
        problems.append(Problem(ProblemCode.NO_DATA))
    elif method is Method.SUM:
        result = _sum(present)
    elif method is Method.MEAN:
        result = _DIVIDE.divide(_sum(present), Decimal(len(present)))
    elif method is Method.MIN:
        result = min(present)
    else:
        result = max(present)
    return Aggregate(method, result, len(present), tuple(missing), problems=tuple(problems))


def _weighted_mean(
    values: Mapping[K, Decimal | None], weights: Mapping[K, Decimal | None]
) -> Aggregate[K]:
    missing: list[K] = []
    problems: list[Problem[K]] = []
    products: list[Decimal] = []
    counted_weights: list[Decimal] = []
    for member in sorted(set(values) | set(weights)):
        value = values.get(member)
        weight = weights.get(member)
        if value is None:
            missing.append(member)
        elif weight is None:
            missing.append(member)
            problems.append(Problem(ProblemCode.MISSING_WEIGHT, member))
        elif not (value.is_finite() and weight.is_finite()):
            problems.append(Problem(ProblemCode.NOT_FINITE, member))
        elif weight < 0:
            # A negative weight would pull the mean outside the members' range.
            problems.append(Problem(ProblemCode.NEGATIVE_WEIGHT, member))
        else:
            products.append(_EXACT.multiply(value, weight))
            counted_weights.append(weight)

    result: Decimal | None = None
    if not counted_weights:
        problems.append(Problem(ProblemCode.NO_DATA))
    else:
        total_weight = _sum(counted_weights)
        if total_weight == 0:
            problems.append(Problem(ProblemCode.ZERO_TOTAL_WEIGHT))
        else:
            result = _DIVIDE.divide(_sum(products), total_weight)
    return Aggregate(
        Method.WEIGHTED_MEAN,
        result,
        len(counted_weights),
        tuple(missing),
        problems=tuple(problems),
    )


def _ratio(
    numerators: Mapping[K, Decimal | None], denominators: Mapping[K, Decimal | None]
) -> Aggregate[K]:
    missing: list[K] = []
    problems: list[Problem[K]] = []
    counted_numerators: list[Decimal] = []
    counted_denominators: list[Decimal] = []
    for member in sorted(set(numerators) | set(denominators)):
        numerator = numerators.get(member)
        denominator = denominators.get(member)
        if numerator is None and denominator is None:
            missing.append(member)
        elif numerator is None:
            missing.append(member)
            problems.append(Problem(ProblemCode.MISSING_NUMERATOR, member))
        elif denominator is None:
            missing.append(member)
            problems.append(Problem(ProblemCode.MISSING_DENOMINATOR, member))
        elif not (numerator.is_finite() and denominator.is_finite()):
            problems.append(Problem(ProblemCode.NOT_FINITE, member))
        else:
            counted_numerators.append(numerator)
            counted_denominators.append(denominator)

    if not counted_numerators:
        problems.append(Problem(ProblemCode.NO_DATA))
        return Aggregate(Method.RATIO, None, 0, tuple(missing), problems=tuple(problems))
    numerator_sum = _sum(counted_numerators)
    denominator_sum = _sum(counted_denominators)
    result: Decimal | None = None
    if denominator_sum == 0:
        problems.append(Problem(ProblemCode.ZERO_DENOMINATOR))
    else:
        result = _DIVIDE.divide(numerator_sum, denominator_sum)
    return Aggregate(
        Method.RATIO,
        result,
        len(counted_numerators),
        tuple(missing),
        numerator=numerator_sum,
        denominator=denominator_sum,
        problems=tuple(problems),
    )


def matrix_gaps(
    members: Sequence[K],
    indicators: Sequence[Ind],
    values: Mapping[tuple[K, Ind], Decimal | None],
) -> dict[K, list[Ind]]:
    """Indicators each member has not reported yet (absent or None).

    Only members with at least one gap appear; members and indicators keep the
    order they were given in, which is the order the reporting form shows.
    """
    gaps: dict[K, list[Ind]] = {}
    for member in members:
        missing = [ind for ind in indicators if values.get((member, ind)) is None]
        if missing:
            gaps[member] = missing
    return gaps


def _figure(value: Aggregate[Any] | Decimal | None) -> Decimal | None:
    if isinstance(value, Aggregate):
        value = value.value
    return value if _finite(value) else None


def compare_years(
    current: Aggregate[Any] | Decimal | None,
    previous: Aggregate[Any] | Decimal | None,
) -> Change:
    """Absolute and relative change between two years' figures; None-safe."""
    now = _figure(current)
    before = _figure(previous)
    if now is None or before is None:
        return Change(now, before, None, None)
    absolute = _EXACT.subtract(now, before)
    # Divide by |previous| so the sign of the relative change follows the direction
    # of the change even when the previous figure was negative.
    relative = None if before == 0 else _DIVIDE.divide(absolute, abs(before))
    return Change(now, before, absolute, relative)


# --- checking one reported value ------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What a unit reports for one indicator: a value (None: no figure) and a note."""

    value: Decimal | None
    note: str = ""


# The database keeps 18 digits before the decimal point and 6 after it.
MAX_DECIMALS = 6
_LIMIT = Decimal(10) ** 18


class ValueProblem(StrEnum):
    """Why one reported value is refused; views translate the code."""

    NOT_FINITE = "not_finite"
    TOO_LARGE = "too_large"
    TOO_MANY_DECIMALS = "too_many_decimals"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def check_value(
    value: Decimal,
    *,
    decimals: int,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> ValueProblem | None:
    """The first problem of a value reported for an indicator, or None when it may be stored."""
    if not value.is_finite():
        return ValueProblem.NOT_FINITE
    if abs(value) >= _LIMIT:
        return ValueProblem.TOO_LARGE
    if _decimal_places(value) > decimals:
        return ValueProblem.TOO_MANY_DECIMALS
    if minimum is not None and value < minimum:
        return ValueProblem.BELOW_MINIMUM
    if maximum is not None and value > maximum:
        return ValueProblem.ABOVE_MAXIMUM
    return None


# --- stating a cluster figure the Vietnamese way --------------------------------


class UnitKind(StrEnum):
    """How a unit of measure is stated: percent, money, or a count of something."""

    PERCENT = "percent"
    MONEY_TY = "money_ty"  # tỷ đồng
    MONEY_TRIEU = "money_trieu"  # triệu đồng
    OTHER = "other"


_UNIT_KINDS = {
    "%": UnitKind.PERCENT,
    fold("tỷ đồng"): UnitKind.MONEY_TY,
    fold("tỷ"): UnitKind.MONEY_TY,
    fold("triệu đồng"): UnitKind.MONEY_TRIEU,
}


def unit_kind(unit: str) -> UnitKind:
    """Which way figures in ``unit`` are stated ("%", "tỷ đồng", "triệu đồng", or another)."""
    return _UNIT_KINDS.get(fold(unit), UnitKind.OTHER)


def _plain(number: Decimal, decimals: int) -> str:
    """Number with its decimals, trailing zeros kept as the indicator asks."""
    return numbers.format_number(number, decimals)


def _round_half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_EXACT)


def state_aggregate(result: Aggregate[Any], *, unit: str, decimals: int) -> str | None:
    """The cluster figure as a Vietnamese report states it; None when there is no figure.

    One rule for rounding words everywhere (``lib.numbers.approximately``): "gần" when
    the stated figure is above the exact one, "khoảng" when below, nothing when equal.
    A ratio is stated by its two sums ("812/921 xã"), which are exact.
    """
    if result.method is Method.RATIO:
        if result.numerator is None or result.denominator is None or result.value is None:
            return None
        both_whole = all(
            part == part.to_integral_value() for part in (result.numerator, result.denominator)
        )
        if both_whole:
            pair = numbers.format_ratio(int(result.numerator), int(result.denominator))
        else:
            pair = f"{_plain(result.numerator, decimals)}/{_plain(result.denominator, decimals)}"
        return f"{pair} {unit}".strip()
    value = _figure(result)
    if value is None:
        return None
    kind = unit_kind(unit)
    if kind is UnitKind.PERCENT:
        return numbers.state_percent(value, decimals)
    if kind is UnitKind.MONEY_TY:
        return numbers.state_amount(value)
    if kind is UnitKind.MONEY_TRIEU:
        return numbers.state_amount(_DIVIDE.divide(value, Decimal(1000)))
    shown = _round_half_up(value, decimals)
    qualifier = numbers.approximately(value, shown)
    text = f"{_plain(value, decimals)} {unit}".strip()
    return f"{qualifier} {text}" if qualifier else text


def state_value(value: Decimal, *, unit: str, decimals: int) -> str:
    """One member's reported value with its unit, exactly as reported: "8,6%", "32.426 tỷ đồng"."""
    text = _plain(value, decimals)
    if unit_kind(unit) is UnitKind.PERCENT:
        return f"{text}%"
    return f"{text} {unit}".strip()


# --- the results paragraph template ----------------------------------------------

# Placeholders every year offers besides its indicators' codes.
RESERVED_PLACEHOLDERS = ("NAM", "SO_THANH_VIEN")
CODE_PATTERN = r"[A-Z][A-Z0-9_]{0,39}"
_PLACEHOLDER = re.compile(r"\{(" + CODE_PATTERN + r")\}")
_STRAY = re.compile(r"\S*[{}]\S*")


@dataclass(frozen=True)
class TemplateProblem:
    """A placeholder the template may not use; ``text`` is what the template holds."""

    code: str  # "unknown_placeholder" or "stray_brace"
    text: str


def template_problems(template: str, known: Iterable[str]) -> list[TemplateProblem]:
    """Placeholders that name no indicator, and braces that open or close no placeholder."""
    allowed = set(known) | set(RESERVED_PLACEHOLDERS)
    problems: list[TemplateProblem] = []
    seen: set[str] = set()
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in allowed and name not in seen:
            seen.add(name)
            problems.append(TemplateProblem("unknown_placeholder", "{" + name + "}"))
    # A brace left over once the placeholders are out is a typo: {GRDP, {grdp}, GRDP}.
    stray = _STRAY.search(_PLACEHOLDER.sub(" ", template))
    if stray is not None:
        problems.append(TemplateProblem("stray_brace", stray.group(0)))
    return problems


def fill_template(template: str, statements: Mapping[str, str]) -> str:
    """Put each placeholder's statement in; a template with problems must be refused first."""
    return _PLACEHOLDER.sub(lambda m: statements[m.group(1)], template)
