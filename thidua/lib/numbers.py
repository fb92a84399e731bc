"""Vietnamese number formatting and parsing, always through Decimal.

Separators: "." groups thousands and "," marks decimals ("1.234.567,5").

Rounding is ROUND_HALF_UP on the magnitude, so negatives mirror positives and
a result that rounds to zero is written "0", never "-0".

Money in words (:func:`format_money_words`), amounts given in tỷ đồng:

* ``approximate=False``: the exact amount in tỷ đồng, all its decimals, no
  unit change: 11400 -> "11.400 tỷ đồng", 2.5 -> "2,5 tỷ đồng".
* ``approximate=True`` (default): the amount is stated in the largest unit of
  triệu đồng, tỷ đồng, nghìn tỷ đồng in which it is at least 1, rounded to one
  decimal when below 10 of that unit (a trailing ",0" dropped) and to a whole
  number from 10 up: 157800 -> "158 nghìn tỷ đồng", 27150 -> "27 nghìn tỷ
  đồng", 11400 -> "11 nghìn tỷ đồng", 1500 -> "1,5 nghìn tỷ đồng", 2000 -> "2
  nghìn tỷ đồng", 950 -> "950 tỷ đồng", 0.35 -> "350 triệu đồng". The unit is
  chosen after rounding, so 999.7 tỷ reads "1 nghìn tỷ đồng". Nghìn tỷ is the
  largest unit (1.2 million tỷ -> "1.200 nghìn tỷ đồng"); below 1 triệu the
  amount is given in whole đồng ("500.000 đồng").

Qualifier for a rounded figure (:func:`approximately`), comparing magnitudes:

* "" when the shown figure equals the exact one;
* "gần" (nearly) when the shown figure is larger: the truth is just under
  what is said (157,8 nghìn tỷ -> "gần 158 nghìn tỷ đồng", 8,46% -> "gần 8,5%");
* "khoảng" (about) when the shown figure is smaller: the truth is a bit over
  (27,15 nghìn tỷ -> "khoảng 27 nghìn tỷ đồng", 8,53% -> "khoảng 8,5%").

Parsing (:func:`parse_number`):

* "," is always the decimal separator; an optional sign, surrounding spaces and
  a trailing "%" are allowed ("8,5%" -> 8.5, in percent units);
* "." is a thousands separator when the number also has a decimal comma, or
  when every group after a "." has exactly three digits and the first group is
  1-3 digits not starting with 0: "1.234" -> 1234, "1.234.567" -> 1234567;
* otherwise a single "." is a decimal point, for plain input: "1234.5",
  "8.5", "0.125";
* anything else, including English "1,234.5", raises ValueError.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = [
    "approximately",
    "format_money_words",
    "format_number",
    "format_percent",
    "format_ratio",
    "parse_number",
    "state_amount",
    "state_percent",
]

Number = Decimal | int | float

# Units for money in words, largest first, as (power of ten of one tỷ, name).
# Plain đồng is the floor and is always given in whole đồng.
_DONG = -9
_MONEY_UNITS: tuple[tuple[int, str], ...] = (
    (3, "nghìn tỷ đồng"),
    (0, "tỷ đồng"),
    (-3, "triệu đồng"),
    (_DONG, "đồng"),
)

_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+", re.ASCII)
_PLAIN_INT = re.compile(r"\d+", re.ASCII)


def _to_decimal(value: Number) -> Decimal:
    """Convert to a finite Decimal; floats go through their shortest repr."""
    if isinstance(value, bool):
        raise TypeError("expected a number, got a bool")
    # str() keeps 8.5 as 8.5 instead of its binary expansion 8.4999...
    result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"cannot format a non-finite number: {value!r}")
    return result


def _round(value: Decimal, decimals: int) -> Decimal:
    """Round half up to the given number of decimals, never returning -0."""
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    with localcontext() as ctx:
        # Enough precision that quantize never fails on large values.
        ctx.prec = max(28, value.adjusted() + decimals + 2)
        rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _group(digits: str) -> str:
    """Insert "." every three digits from the right."""
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)


def _render(value: Decimal) -> str:
    """Write a Decimal exactly as it is, with Vietnamese separators."""
    sign = "-" if value.is_signed() and not value.is_zero() else ""
    integer, _, fraction = f"{value.copy_abs():f}".partition(".")
    return sign + _group(integer) + ("," + fraction if fraction else "")


def format_number(value: Number, decimals: int = 0) -> str:
    """Format with "." thousands and "," decimals, rounded half up: 1234,5 -> "1.234,5"."""
    return _render(_round(_to_decimal(value), decimals))


def format_percent(value: Number, decimals: int = 1) -> str:
    """Format a value already in percent units: 8.5 -> "8,5%"."""
    return format_number(value, decimals) + "%"


def format_ratio(part: int, whole: int) -> str:
    """Format a count out of a total: 812, 921 -> "812/921"."""
    return f"{format_number(part)}/{format_number(whole)}"


def _trim(value: Decimal) -> Decimal:
    """Drop trailing fractional zeros without switching to exponent form."""
    if value == value.to_integral_value():
        return _round(value, 0)
    with localcontext() as ctx:
        # normalize() rounds to the context precision; give it every digit.
        ctx.prec = max(28, len(value.as_tuple().digits))
        return value.normalize()


def _round_figure(in_unit: Decimal, *, whole: bool) -> Decimal:
    """Round a figure: one decimal below 10, whole from 10 up, trailing ",0" dropped."""
    figure = _round(in_unit, 0 if whole else 1)
    if figure >= 10:
        # Also catches 9.96, which rounds to 10.0 and must read "10".
        figure = _round(in_unit, 0)
    return _trim(figure)


def _money_parts(magnitude: Decimal) -> tuple[Decimal, int, str]:
    """Return (rounded figure, unit as a power of ten of tỷ, unit name) for an amount >= 0."""
    for i, (exp, name) in enumerate(_MONEY_UNITS):
        in_unit = magnitude.scaleb(-exp)
        if in_unit < 1 and exp != _DONG:
            continue
        figure = _round_figure(in_unit, whole=exp == _DONG)
        # Rounding may reach the next unit up: 999,7 tỷ reads "1 nghìn tỷ".
        if i > 0 and figure.scaleb(exp) >= Decimal(1).scaleb(_MONEY_UNITS[i - 1][0]):
            exp, name = _MONEY_UNITS[i - 1]
            figure = _round_figure(magnitude.scaleb(-exp), whole=False)
        return figure, exp, name
    raise AssertionError("the đồng unit always matches")


def _signed(value: Decimal, like: Decimal) -> Decimal:
    """Give value the sign of like, keeping zero unsigned."""
    return value if value.is_zero() else value.copy_sign(like)


def _shown_money(value_ty: Decimal) -> tuple[str, Decimal]:
    """Return the rounded amount in words and the shown figure back in tỷ đồng."""
    figure, exp, name = _money_parts(value_ty.copy_abs())
    figure = _signed(figure, value_ty)
    return f"{_render(figure)} {name}", figure.scaleb(exp)


def format_money_words(value_in_ty_dong: Decimal, *, approximate: bool = True) -> str:
    """State an amount given in tỷ đồng in words of its unit (rule in the module docstring)."""
    value = _to_decimal(value_in_ty_dong)
    if not approximate:
        return f"{_render(_trim(value))} tỷ đồng"
    return _shown_money(value)[0]


def approximately(exact: Decimal, shown: Decimal) -> str:
    """Return "", "gần" or "khoảng" for a figure shown instead of the exact one."""
    exact_size, shown_size = abs(exact), abs(shown)
    if shown_size == exact_size:
        return ""
    return "gần" if shown_size > exact_size else "khoảng"


def _qualified(qualifier: str, text: str) -> str:
    """Prefix the qualifier, if any, with one space."""
    return f"{qualifier} {text}" if qualifier else text


def state_amount(exact_ty: Decimal) -> str:
    """State a rounded amount with its qualifier: 157800 -> "gần 158 nghìn tỷ đồng"."""
    value = _to_decimal(exact_ty)
    words, shown_ty = _shown_money(value)
    return _qualified(approximately(value, shown_ty), words)


def state_percent(exact: Decimal, decimals: int = 1) -> str:
    """State a rounded percentage with its qualifier: 8.46 -> "gần 8,5%"."""
    value = _to_decimal(exact)
    shown = _round(value, decimals)
    return _qualified(approximately(value, shown), _render(shown) + "%")


def _canonical(body: str) -> str:
    """Turn an unsigned number body into Python's Decimal syntax, or raise ValueError."""
    integer, comma, fraction = body.partition(",")
    if comma and not _PLAIN_INT.fullmatch(fraction):
        raise ValueError("expected digits after the decimal comma")
    if _PLAIN_INT.fullmatch(integer):
        return integer + ("." + fraction if comma else "")
    if _GROUPED.fullmatch(integer):
        return integer.replace(".", "") + ("." + fraction if comma else "")
    if not comma and re.fullmatch(r"\d+\.\d+", integer, re.ASCII):
        return integer
    raise ValueError("digits are not grouped by three after '.'")


def parse_number(s: str) -> Decimal:
    """Parse Vietnamese ("1.234,5", "8,5%") or plain ("1234.5") input; rules in the module doc."""
    text = s.strip()
    if text.endswith("%"):
        text = text[:-1].rstrip()
    # Spreadsheets and word processors like the Unicode minus sign.
    sign, body = ("-", text[1:]) if text[:1] in ("-", "\u2212") else ("", text)
    if body[:1] == "+" and not sign:
        body = body[1:]
    try:
        return Decimal(sign + _canonical(body))
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(f"not a number: {s!r} ({exc})") from None
