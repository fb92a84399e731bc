"""The forms of award history's pages: the import, people and their posts, history by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from thidua.lib.formfields import DayField, TextField
from thidua.lib.uploads import UploadField
from thidua.orgs.forms import OrganizationChoiceField
from thidua.orgs.models import Organization, Person

from .models import AwardRecord, AwardType, Initiative, NomineeKind, TaskRating


class ImportForm(forms.Form):
    upload = UploadField(kind="history", label=_("Excel file (.xlsx)"))


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Person.objects.filter(merged_into__isnull=True))
    duplicate = forms.ModelChoiceField(queryset=Person.objects.filter(merged_into__isnull=True))


class PeopleSearchForm(forms.Form):
    q = TextField(label=pgettext_lazy("awards", "Name"), required=False, max_length=100)


class PersonForm(forms.Form):
    full_name = TextField(label=_("Full name"), max_length=150)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    gender = forms.ChoiceField(
        label=pgettext_lazy("awards", "Gender"),
        choices=[("", "—"), *Person.Gender.choices],
        required=False,
    )
    unit = OrganizationChoiceField(
        label=pgettext_lazy("awards", "Unit"), queryset=Organization.objects.none()
    )
    position = TextField(label=pgettext_lazy("awards", "Position"), max_length=150, required=False)
    since = DayField(label=_("In this position from"), required=False)
    until = DayField(label=_("In this position until"), required=False)
    confirm_new = forms.BooleanField(
        label=_("This is a different person from those listed: register anyway"),
        required=False,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PositionForm(forms.Form):
    unit = OrganizationChoiceField(
        label=pgettext_lazy("awards", "Unit"), queryset=Organization.objects.none()
    )
    position = TextField(label=pgettext_lazy("awards", "Position"), max_length=150, required=False)
    since = DayField(label=pgettext_lazy("awards", "From"), required=False)
    until = DayField(label=pgettext_lazy("awards", "Until"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class AwardRecordForm(forms.Form):
    award_type = forms.ModelChoiceField(
        label=pgettext_lazy("awards", "Title or award"), queryset=AwardType.objects.none()
    )
    year = forms.IntegerField(label=pgettext_lazy("awards", "For the year"))
    decision_number = TextField(label=pgettext_lazy("awards", "Decision number"), max_length=50)
    decision_date = DayField(label=pgettext_lazy("awards", "Decision date"))
    issuer_name = TextField(label=pgettext_lazy("awards", "Issued by"), max_length=255)
    unit_name = TextField(
        label=_("Unit named on the decision"),
        max_length=255,
        required=False,
        help_text=_("Leave empty to take the unit the person worked in that year."),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = AwardType.objects.filter(  # type: ignore[attr-defined]
            nominee_kind__in=[kind, NomineeKind.BOTH]
        )


class RatingForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("awards", "Year"))
    rating = forms.ChoiceField(
        label=pgettext_lazy("awards", "Task rating"), choices=TaskRating.Rating.choices
    )
    replace = forms.BooleanField(label=_("Correct the stored rating"), required=False)


class InitiativeForm(forms.Form):
    title = TextField(label=pgettext_lazy("awards", "Initiative"), max_length=500)
    level = forms.ChoiceField(
        label=pgettext_lazy("awards", "Recognised at"), choices=Initiative.Level.choices
    )
    year = forms.IntegerField(label=pgettext_lazy("awards", "Year"))


class InitiativeUseForm(forms.Form):
    """Mark one of the person's initiatives as counted for one of the person's titles."""

    initiative = forms.ModelChoiceField(
        label=pgettext_lazy("awards", "Initiative"), queryset=Initiative.objects.none()
    )
    award_record = forms.ModelChoiceField(
        label=pgettext_lazy("awards", "Counted for"), queryset=AwardRecord.objects.none()
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = Initiative.objects.filter(  # type: ignore[attr-defined]
            person=person, used_by__isnull=True
        ).order_by("-year", "pk")
        records = AwardRecord.objects.filter(person=person).select_related("award_type")
        self.fields["award_record"].queryset = records.order_by("-year")  # type: ignore[attr-defined]
        self.fields["award_record"].label_from_instance = (  # type: ignore[attr-defined]
            lambda r: f"{r.award_type.name} {r.year}"
        )
