"""Form fields every area shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.lib.text import typed

# What an officer types: 18/03/2016 first; the ISO form too, as a pasted value may be.
DAY_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


class TextField(forms.CharField):
    """Text typed in a box, as every form of thidua takes it: composed (NFC), without the
    invisible characters that change how it shows (a right-to-left override) or the control
    characters a document cannot hold, which a paste from another program may bring. Line breaks
    and tabs stay; a NUL is refused by the field's validator, in Vietnamese. Secrets (a PIN, a
    password) are plain `CharField`s: they are taken exactly as typed."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return typed(text) if isinstance(text, str) else text


class DayField(forms.DateField):
    """A date typed and shown as dd/mm/yyyy, whatever the browser's language.

    A browser's own date picker (`type="date"`) follows the browser's locale, so an officer
    with an English browser meets mm/dd/yyyy; a text box with the Vietnamese order does not.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DAY_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={
                    "placeholder": _("dd/mm/yyyy"),
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "pattern": r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}-\d{2}-\d{2}",
                },
            ),
        )
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Type the date as day/month/year, for example 18/03/2016.")},
        )
        super().__init__(**kwargs)
