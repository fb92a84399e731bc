"""The user's words for the problems `indicators.rules` reports."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from thidua.lib.numbers import format_number

from . import rules


class Bounds(Protocol):
    """An indicator's limits, from the model or from a workbook row."""

    @property
    def decimals(self) -> int: ...
    @property
    def min_value(self) -> Decimal | None: ...
    @property
    def max_value(self) -> Decimal | None: ...


def describe_value_problem(problem: rules.ValueProblem, bounds: Bounds) -> str:
    """Why a reported value is refused, with the indicator's limits."""
    match problem:
        case rules.ValueProblem.NOT_FINITE:
            return _("the value is not a number.")
        case rules.ValueProblem.TOO_LARGE:
            return _("the value is too large.")
        case rules.ValueProblem.TOO_MANY_DECIMALS:
            if bounds.decimals == 0:
                return _("the value must be a whole number.")
            return _("the value may have at most %(count)s decimals.") % {"count": bounds.decimals}
        case rules.ValueProblem.BELOW_MINIMUM:
            assert bounds.min_value is not None
            return _("the value is below the smallest allowed, %(limit)s.") % {
                "limit": format_number(bounds.min_value, bounds.decimals)
            }
        case rules.ValueProblem.ABOVE_MAXIMUM:
            assert bounds.max_value is not None
            return _("the value is above the largest allowed, %(limit)s.") % {
                "limit": format_number(bounds.max_value, bounds.decimals)
            }
    return str(problem)


def describe_template_problem(problem: rules.TemplateProblem) -> str:
    if problem.code == "unknown_placeholder":
        return _(
            "%(placeholder)s names no indicator of the year; use one of the codes listed "
            "below the template."
        ) % {"placeholder": problem.text}
    return _(
        "“%(text)s” has a brace that opens or closes no placeholder; write placeholders "
        "like {GRDP}."
    ) % {"text": problem.text}


def describe_aggregate_problem(problem: rules.Problem[int], names: dict[int, str]) -> str:
    """A data problem of one indicator's cluster figure, naming the member concerned."""
    unit = names.get(problem.member, "") if problem.member is not None else ""
    match problem.code:
        case rules.ProblemCode.NO_DATA:
            return _("No member has reported a usable value yet.")
        case rules.ProblemCode.MISSING_WEIGHT:
            return _("%(unit)s has not reported the weight, so its value is left out.") % {
                "unit": unit
            }
        case rules.ProblemCode.NEGATIVE_WEIGHT:
            return _("%(unit)s reported a negative weight, so its value is left out.") % {
                "unit": unit
            }
        case rules.ProblemCode.ZERO_TOTAL_WEIGHT:
            return _("The weights of the members add up to zero.")
        case rules.ProblemCode.MISSING_DENOMINATOR:
            return _("%(unit)s has not reported the total, so its value is left out.") % {
                "unit": unit
            }
        case rules.ProblemCode.MISSING_NUMERATOR:
            return _("%(unit)s reported the total but not the value, so it is left out.") % {
                "unit": unit
            }
        case rules.ProblemCode.ZERO_DENOMINATOR:
            return _("The totals of the members add up to zero.")
        case rules.ProblemCode.NOT_FINITE:
            return _("%(unit)s has a value that is not a number.") % {"unit": unit}
    return str(problem.code)
