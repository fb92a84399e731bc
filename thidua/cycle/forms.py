from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.concurrency import VersionField
from thidua.lib.formfields import DayField, TextField
from thidua.orgs.forms import (
    OrganizationChoiceField,
    OrganizationMultipleChoiceField,
    label_for_choice,
)
from thidua.orgs.models import Organization
from thidua.orgs.reads import existing_on

from .hooks import CarryOver
from .models import Phase


class MovementForm(forms.Form):
    title = TextField(label=_("Title"), max_length=500)
    launched_on = DayField(label=_("Launch date"))
    goals = TextField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 4}))
    targets = TextField(
        label=_("Targets"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = VersionField()


class PledgeForm(forms.Form):
    title = TextField(label=_("Title"), max_length=500)
    preamble = TextField(
        label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    articles = TextField(
        label=_("Articles"),
        help_text=_("One article per paragraph; separate articles with an empty line."),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    version = VersionField()

    def clean_articles(self) -> list[str]:
        text = self.cleaned_data["articles"].replace("\r\n", "\n")
        articles = [a.strip() for a in text.split("\n\n") if a.strip()]
        if not articles:
            raise forms.ValidationError(_("A pledge needs at least one article."))
        return articles


class ConfirmForm(forms.Form):
    """The ticked box of a step that cannot be undone (templates/_confirm.html)."""

    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm: this step cannot be undone.")}
    )

    def refusal(self) -> str:
        """Why the step did not happen, in the user's words; "" when it is confirmed."""
        return "" if self.is_valid() else " ".join(str(e) for e in self.errors.get("confirm", []))


class PhaseForm(ConfirmForm):
    target = forms.ChoiceField(choices=Phase.choices)


class DeadlineForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    due_on = DayField(label=_("Due on"), required=False, help_text=_("Empty lifts the deadline."))


class OpenYearForm(forms.Form):
    """A year's members, head and deputy, and what to copy into it from the last year.

    The units offered are those that exist on `offered_on` (the year's first day), those
    `proposed` first; one no longer offered is still recognised, so that the action says why
    it cannot be a member.
    """

    year = forms.IntegerField(
        label=_("Year"), min_value=1945, max_value=2100, widget=forms.HiddenInput
    )
    members = OrganizationMultipleChoiceField(
        label=_("Members"),
        queryset=Organization.objects.filter(archived=False),
        widget=forms.CheckboxSelectMultiple,
    )
    head = OrganizationChoiceField(
        label=_("Cluster head"),
        queryset=Organization.objects.filter(archived=False),
        empty_label=_("Choose a unit"),
    )
    deputy = OrganizationChoiceField(
        label=_("Cluster deputy"),
        queryset=Organization.objects.filter(archived=False),
        empty_label=_("Choose a unit"),
    )
    carry_over = forms.MultipleChoiceField(
        label=_("Copy from the last year"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        offered_on: dt.date,
        proposed: Collection[int] = (),
        carry_overs: Sequence[CarryOver] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        offered = existing_on(offered_on, first=proposed)
        for name in ("members", "head", "deputy"):
            self.fields[name].offer(offered)  # type: ignore[attr-defined]
        if carry_overs:
            self.fields["carry_over"].choices = [(c.key, c.label) for c in carry_overs]  # type: ignore[attr-defined]
        else:
            del self.fields["carry_over"]

    def clean_members(self) -> Any:
        members = self.cleaned_data["members"]
        getlist = getattr(self.data, "getlist", None)
        chosen = [str(v) for v in getlist(self.add_prefix("members"))] if getlist else []
        twice = {value for value in chosen if chosen.count(value) > 1}
        for org in members:
            if str(org.pk) in twice:
                raise forms.ValidationError(
                    _("%(unit)s is listed twice among the members.")
                    % {"unit": label_for_choice(org)}
                )
        return members

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "members" not in data:
            return data  # the members are refused: whether they include the head is moot
        members = data["members"]
        for role in ("head", "deputy"):
            org = data.get(role)
            if org is not None and org not in members:
                self.add_error(role, _("Choose a unit among the members."))
        if data.get("head") and data.get("head") == data.get("deputy"):
            self.add_error("deputy", _("The head and the deputy must be different units."))
        return data


class HistoryFilterForm(forms.Form):
    """The year's history narrowed to an area, a unit's people and a period."""

    area = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    since = DayField(label=_("From"), required=False)
    until = DayField(label=_("To"), required=False)

    def __init__(
        self, *args: Any, areas: list[str], units: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["area"].choices = everything + list(enumerate(areas))  # type: ignore[attr-defined]
        self.fields["unit"].choices = everything + units  # type: ignore[attr-defined]

    def narrowing(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ("area", "unit", "since", "until")}
