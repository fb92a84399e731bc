"""The pages' own forms, filled from an API request's JSON body.

A write of the API checks its input with the form of the page that does the same thing, so
the rules and the words of a refusal are the page's: the body's fields become the form's data
(ids for choices, ISO dates, true/false for boxes, lists for multiple choices), and an
invalid form is refused with 400, as the page answers, naming each field and its problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import QueryDict
from django.utils.translation import gettext as _

from thidua.concurrency import VersionField
from thidua.errors import ActionRefused, Refusal

F = TypeVar("F", bound=forms.BaseForm)


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def form_data(values: Mapping[str, Any]) -> QueryDict:
    """The body's values as a form would post them."""
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if isinstance(value, list | tuple | set):
            data.setlist(name, [_text(v) for v in value])
        else:
            data[name] = _text(value)
    return data


def problems(form: forms.BaseForm) -> str:
    """The form's errors in one sentence: each field's name, then what is wrong with it."""
    said = []
    for field, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        said.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
    return _("The request is not valid: %(problems)s") % {"problems": " ".join(said)}


def cleaned(form: forms.BaseForm) -> dict[str, Any]:
    """The form's cleaned data; an invalid form is refused as the page refuses it (400).

    A version left out (the page always sends the one it showed) checks nothing: the change
    is made over whatever is stored, as a program that did not read first asks."""
    if not form.is_valid():
        raise ActionRefused(problems(form), kind=Refusal.INVALID)
    data = dict(form.cleaned_data)
    if isinstance(form.fields.get("version"), VersionField) and not data.get("version"):
        data["version"] = None
    return data


def bound(form_class: type[F], values: Mapping[str, Any], **kwargs: Any) -> F:
    """`form_class` bound to the body's values (and the page's own keyword arguments)."""
    return form_class(form_data(values), **kwargs)
