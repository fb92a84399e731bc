"""The API's error answers, in the caller's language like every page (Vietnamese by default).

An invalid request names each field it refuses and why, in words an officer writing a script
can act on ("query.status: phải là một trong: draft, eligible"), not the validator's English.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def not_found() -> str:
    return _("Not found, or not yours to see.")


def forbidden() -> str:
    return _("You may not do this.")


def unauthenticated() -> str:
    return _("A valid API token is required.")


def token_unknown() -> str:
    return _(
        "This API token is not valid: check that it was copied whole, or make a new one on "
        "your account's token page."
    )


def token_revoked() -> str:
    return _("This API token was revoked; make a new one on your account's token page.")


def token_expired(expired: dt.datetime) -> str:
    return _("This API token expired on %(date)s; make a new one on your account's token page.") % {
        "date": formats.date_format(timezone.localtime(expired), "d/m/Y H:i")
    }


def token_reads_only() -> str:
    return _("This API token may only read; to change data, make a token that may read and write.")


def of_status(status: int, message: str) -> str:
    """The words for an error the API framework raises itself (`message` is its English)."""
    if status == 400:  # the only 400 it raises: a body that is not JSON
        return _("The request is not valid: %(problems)s") % {
            "problems": "body: " + _("the body is not valid JSON.")
        }
    if status == 403:
        return forbidden()
    return message


# Each kind of problem the validator reports (its error "type"), in the user's words; the
# validator's context (limits, choices) fills the placeholders.
_PROBLEMS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: _("is required."),
    "json_invalid": lambda ctx: _("the body is not valid JSON."),
    "int_parsing": lambda ctx: _("must be a whole number."),
    "float_parsing": lambda ctx: _("must be a number."),
    "bool_parsing": lambda ctx: _("must be true or false."),
    "string_type": lambda ctx: _("must be text."),
    "date_parsing": lambda ctx: _("must be a date written YYYY-MM-DD."),
    "list_type": lambda ctx: _("must be a list."),
    "dict_type": lambda ctx: _("must be an object."),
    "string_too_long": lambda ctx: (
        _("must be at most %(count)s characters.") % {"count": ctx.get("max_length")}
    ),
    "string_too_short": lambda ctx: (
        _("must be at least %(count)s characters.") % {"count": ctx.get("min_length")}
    ),
    "string_pattern_mismatch": lambda ctx: _("holds characters that are not accepted."),
    "greater_than_equal": lambda ctx: _("must be at least %(limit)s.") % {"limit": ctx.get("ge")},
    "greater_than": lambda ctx: _("must be more than %(limit)s.") % {"limit": ctx.get("gt")},
    "less_than_equal": lambda ctx: _("must be at most %(limit)s.") % {"limit": ctx.get("le")},
    "less_than": lambda ctx: _("must be less than %(limit)s.") % {"limit": ctx.get("lt")},
    "literal_error": lambda ctx: _("must be one of: %(choices)s.") % {"choices": _choices(ctx)},
    "enum": lambda ctx: _("must be one of: %(choices)s.") % {"choices": _choices(ctx)},
    "extra_forbidden": lambda ctx: _("is not a field of this request."),
}


# Other types the validator uses for the same problem.
_SAME_AS = {
    "int_type": "int_parsing",
    "int_from_float": "int_parsing",
    "float_type": "float_parsing",
    "decimal_parsing": "float_parsing",
    "bool_type": "bool_parsing",
    "date_from_datetime_parsing": "date_parsing",
    "date_type": "date_parsing",
    "model_type": "dict_type",
    "model_attributes_type": "dict_type",
}


def _choices(ctx: Mapping[str, Any]) -> str:
    """The validator's "'a', 'b' or 'c'" as "'a', 'b', 'c'": no English word in it."""
    return re.sub(r",? or ", ", ", str(ctx.get("expected", "")))


def invalid(errors: Sequence[Mapping[str, Any]]) -> str:
    """One sentence naming every refused field of a request and what it must be."""
    problems = [f"{_field(error.get('loc', ()))}: {_problem(error)}" for error in errors[:10]]
    if len(errors) > 10:
        problems.append(_("and %(count)s more.") % {"count": len(errors) - 10})
    return _("The request is not valid: %(problems)s") % {"problems": " ".join(problems)}


def _field(location: Sequence[Any]) -> str:
    """`query.status`, `body.target`: where the value was, then its name (ninja adds the
    name of the endpoint's body parameter, which the caller never wrote)."""
    parts = [str(part) for part in location]
    if len(parts) > 2 and parts[0] in {"body", "form"}:
        parts = [parts[0], *parts[2:]]
    return ".".join(parts) if parts else _("the request")


def _problem(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    spell = _PROBLEMS.get(_SAME_AS.get(kind, kind))
    if spell is not None:
        return spell(error.get("ctx") or {})
    if kind == "value_error":  # raised by thidua's own validators, already translated
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return _("is not accepted.")
