from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.lib.formfields import DayField, TextField
from thidua.lib.uploads import UploadField
from thidua.orgs.models import Organization

from .models import Attendee, Comment, DocumentKind


class ConferenceForm(forms.Form):
    starts_on = DayField(label=_("First day"))
    ends_on = DayField(label=_("Last day"))
    closed_at = forms.TimeField(
        label=_("Closing time on the last day"),
        required=False,
        input_formats=["%H:%M", "%Hh%M", "%H.%M", "%H:%M:%S"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": _("e.g. 11:30"), "autocomplete": "off"}
        ),
        help_text=_("Leave it empty until the conference has closed; the minutes state it."),
        error_messages={"invalid": _("Type the time as hours:minutes, for example 11:30.")},
    )
    host = forms.ModelChoiceField(
        label=_("Host unit"), queryset=Organization.objects.none(), empty_label=_("Choose a unit")
    )
    venue = TextField(label=_("Venue"), max_length=300)
    agenda = TextField(
        label=_("Agenda (one item a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    decisions = TextField(
        label=_("What the conference decided (one decision a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    directions = TextField(
        label=_("Directions and tasks for next year"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        host = self.fields["host"]
        assert isinstance(host, forms.ModelChoiceField)
        host.queryset = members

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The conference cannot end before it starts."))
        return data


class AttendeeForm(forms.Form):
    name = TextField(label=_("Full name"), max_length=150)
    position = TextField(label=_("Position"), max_length=200)
    unit = TextField(label=_("Unit"), max_length=255)
    role = forms.ChoiceField(label=_("Role"), choices=Attendee.Role.choices)


class CommentForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Comment.Kind.choices)
    text = TextField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, sections: Sequence[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["section"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s["key"], s["title"]) for s in sections]


class RevisionForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    note = TextField(label=_("What changed"), max_length=500)

    def __init__(self, *args: Any, sections: Sequence[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_keys = [s["key"] for s in sections]
        for s in sections:
            self.fields[f"section_{s['key']}"] = TextField(
                label=s["title"],
                initial=s["text"],
                required=False,
                widget=forms.Textarea(attrs={"rows": 6, "data-testid": f"revise-{s['key']}"}),
            )

    def texts(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"section_{key}"] for key in self.section_keys}


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = UploadField(kind="template", label=_("Word template (.docx)"))

    def __init__(
        self, *args: Any, kinds: Sequence[tuple[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = kinds


class ArticleForm(forms.Form):
    title = TextField(label=_("Title"), max_length=300)
    body = TextField(
        label=_("Text (paragraphs separated by a blank line)"),
        widget=forms.Textarea(attrs={"rows": 14}),
    )
