"""Template helpers of the indicators area."""

from __future__ import annotations

from decimal import Decimal

from django import template

from thidua.lib.numbers import format_number

register = template.Library()


@register.simple_tag
def vn_number(value: Decimal | None, decimals: int = 0) -> str:
    """A number the Vietnamese way with the indicator's decimals: 32426 -> "32.426"."""
    return "" if value is None else format_number(value, decimals)
