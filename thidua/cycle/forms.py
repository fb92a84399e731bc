from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.concurrency import VersionField
from thidua.lib.formfields import DayField
from thidua.orgs.models import Organization

from .models import Phase


class MovementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    launched_on = DayField(label=_("Launch date"))
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 4}))
    targets = forms.CharField(
        label=_("Targets"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = VersionField()


class PledgeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    articles = forms.CharField(
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
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2100)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Organization.objects.filter(archived=False),
        widget=forms.CheckboxSelectMultiple,
    )
    head = forms.ModelChoiceField(label=_("Cluster head"), queryset=Organization.objects.all())
    deputy = forms.ModelChoiceField(label=_("Cluster deputy"), queryset=Organization.objects.all())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        members = data.get("members") or []
        for role in ("head", "deputy"):
            org = data.get(role)
            if org is not None and org not in members:
                self.add_error(role, _("Choose a unit among the members."))
        if data.get("head") and data.get("head") == data.get("deputy"):
            self.add_error("deputy", _("The head and the deputy must be different units."))
        return data
