"""The forms of the notifications pages."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Kind


class ReadForm(forms.Form):
    """Which notification was read (a hidden field of its button)."""

    notification = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PreferencesForm(forms.Form):
    """One box per kind of notification: ticked, it comes by e-mail too."""

    def __init__(self, *args: Any, by_email: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, required=False, initial=kind.value in by_email
            )

    def chosen(self) -> set[str]:
        return {kind for kind in Kind.values if self.cleaned_data.get(kind)}
