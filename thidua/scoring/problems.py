"""The user's words for the problems `scoring.rules` reports, and the labels of classes."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from thidua.lib.numbers import format_number

from .models import Classification
from .rules import Code, Problem


def points(value: object) -> str:
    """Points the Vietnamese way, with up to two decimals and no trailing zeros: 12,5."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    shown = format_number(number, 2)
    if "," in shown:
        shown = shown.rstrip("0").rstrip(",")
    return shown


def describe(problem: Problem) -> str:
    """One problem as a sentence; the criterion is named by its number."""
    where = problem.criterion or ""
    match problem.code:
        case Code.DUPLICATE_KEY:
            return _("The number %(number)s is used twice in the table.") % {"number": where}
        case Code.SECTION_WITHOUT_CHILDREN:
            return _("Section %(number)s has no criteria under it.") % {"number": where}
        case Code.LEAF_WITH_CHILDREN:
            return _("%(number)s is scored directly, so it cannot hold other criteria.") % {
                "number": where
            }
        case Code.MISSING_MAX:
            return _("%(number)s needs its maximum points.") % {"number": where}
        case Code.MAX_NOT_POSITIVE:
            return _("The maximum points of %(number)s must be above zero.") % {"number": where}
        case Code.SECTION_MAX_MISMATCH:
            return _(
                "Section %(number)s states %(stated)s points, but its criteria add up to "
                "%(expected)s."
            ) % {
                "number": where,
                "stated": points(problem.value),
                "expected": points(problem.expected),
            }
        case Code.TOO_MANY_DECIMALS:
            return _("Points for %(number)s may have at most two decimals.") % {"number": where}
        case Code.NOT_FINITE:
            return _("Points for %(number)s must be a number.") % {"number": where}
        case Code.NOT_A_LEAF:
            return _("%(number)s is a section and is not scored directly.") % {"number": where}
        case Code.UNKNOWN_CRITERION:
            return _("%(number)s is not in the criteria table.") % {"number": where}
        case Code.ABOVE_MAX:
            return _("%(number)s: %(value)s points is above the maximum of %(limit)s.") % {
                "number": where,
                "value": points(problem.value),
                "limit": points(problem.maximum),
            }
        case Code.BELOW_MIN:
            return _("%(number)s: %(value)s points is below the floor of %(limit)s.") % {
                "number": where,
                "value": points(problem.value),
                "limit": points(problem.minimum),
            }
        case Code.REVIEW_WITHOUT_REASON:
            return _("%(number)s: give the reason for changing the points.") % {"number": where}
        case Code.BANDS_NOT_DESCENDING:
            return _(
                "The threshold for “%(class)s” must be lower than the one for the class above it."
            ) % {"class": label(problem.classification)}
        case Code.DUPLICATE_CLASSIFICATION:
            return _("“%(class)s” has more than one threshold.") % {
                "class": label(problem.classification)
            }
    return str(problem.code)


def label(classification: object) -> str:
    return str(Classification(str(classification)).label) if classification else ""
