from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from thidua.award_history.models import AwardType, NomineeKind
from thidua.concurrency import VersionField
from thidua.cycle.models import EmulationYear
from thidua.lib.formfields import DayField, TextField
from thidua.lib.uploads import UploadField
from thidua.orgs.forms import OrganizationChoiceField
from thidua.orgs.models import Organization, Person, PersonPosition

from . import rules
from .hooks import CHECK_ELIGIBILITY
from .models import Nomination
from .problems import AUTHORITY_LABELS

# The national summary report is conference's kind of job (registered in jobs.registry under
# this name); awards does not import conference, so it names the kind as registered.
NATIONAL_REPORT = "national_report"

CLEAN_RECORD_CHOICES = [
    ("", _("Not confirmed yet")),
    ("yes", _("Confirmed: no discipline, investigation or open complaint")),
    ("no", _("Under discipline, investigation or an open complaint")),
]


def clean_record_value(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def clean_record_choice(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")  # type: ignore[arg-type]


class PersonChoiceField(forms.ModelChoiceField):
    """A person told apart from namesakes: "Nguyễn Văn An (1980, Văn phòng Sở)".

    The page's script (awards/picker.js) filters the list by what is typed: a name, a year
    of birth or a unit, with or without diacritics.
    """

    def __init__(self, *args: Any, units: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units or []

    def label_from_instance(self, obj: Any) -> str:
        posts = [
            p.organization.display_name
            for p in obj.positions.all()
            if not self.units or p.organization_id in self.units
        ]
        details = [str(obj.birth_year) if obj.birth_year else "—", *dict.fromkeys(posts)]
        return f"{obj.full_name} ({', '.join(details)})"


class NominationForm(forms.Form):
    person = PersonChoiceField(
        label=pgettext_lazy("awards", "Individual"),
        queryset=Person.objects.none(),
        required=False,
        empty_label="—",
        widget=forms.Select(
            attrs={"data-search": _("Find by name, year of birth or unit"), "class": "picker"}
        ),
    )
    collective = OrganizationChoiceField(
        label=pgettext_lazy("awards", "Collective"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label="—",
    )
    award_type = forms.ModelChoiceField(
        label=pgettext_lazy("awards", "Award"), queryset=AwardType.objects.all(), empty_label="—"
    )
    summary = TextField(
        label=pgettext_lazy("awards", "Achievement summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    clean_record = forms.ChoiceField(
        label=_("Discipline and complaints"), choices=CLEAN_RECORD_CHOICES, required=False
    )

    def __init__(self, *args: Any, unit: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = [unit.pk, *unit.children.values_list("pk", flat=True)]
        self.fields["person"].units = units  # type: ignore[attr-defined]
        self.fields["person"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(positions__organization_id__in=units, merged_into__isnull=True)
            .distinct()
            .prefetch_related(
                Prefetch(
                    "positions",
                    queryset=PersonPosition.objects.select_related("organization").order_by(
                        "valid_from", "pk"
                    ),
                )
            )
            .order_by("name_key", "birth_year", "pk")
        )
        self.fields["collective"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=units
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, collective = data.get("person"), data.get("collective")
        if (person is None) == (collective is None):
            raise forms.ValidationError(_("Choose either an individual or a collective."))
        award = data.get("award_type")
        kind = NomineeKind.INDIVIDUAL if person is not None else NomineeKind.COLLECTIVE
        if award is not None and award.nominee_kind not in (kind, NomineeKind.BOTH):
            self.add_error("award_type", _("This award is not granted to this kind of nominee."))
        data["clean_record"] = clean_record_value(data.get("clean_record") or "")
        return data


class NominationEditForm(forms.Form):
    summary = TextField(
        label=pgettext_lazy("awards", "Achievement summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    clean_record = forms.ChoiceField(
        label=_("Discipline and complaints"), choices=CLEAN_RECORD_CHOICES, required=False
    )
    version = VersionField()

    def clean_clean_record(self) -> bool | None:
        return clean_record_value(self.cleaned_data.get("clean_record") or "")


class EvidenceForm(forms.Form):
    upload = UploadField(kind="nomination_evidence", label=pgettext_lazy("awards", "Evidence file"))


class ReturnForm(forms.Form):
    reason = TextField(label=_("Reason for returning"), widget=forms.Textarea(attrs={"rows": 3}))


class FilterForm(forms.Form):
    unit = OrganizationChoiceField(
        label=pgettext_lazy("awards", "Unit"), queryset=Organization.objects.none(), required=False
    )
    award = forms.ModelChoiceField(
        label=pgettext_lazy("awards", "Award"), queryset=AwardType.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("awards", "Status"),
        choices=[("", pgettext_lazy("awards", "All")), *Nomination.Status.choices],
        required=False,
    )
    q = TextField(label=pgettext_lazy("awards", "Name"), required=False, max_length=100)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    authority = forms.ChoiceField(
        label=_("Deciding authority"), choices=list(AUTHORITY_LABELS.items())
    )
    number = TextField(
        label=pgettext_lazy("awards", "Decision number"),
        max_length=50,
        required=False,
        help_text=_("Leave empty to take the next number in the issuer's register."),
    )
    date = DayField(label=pgettext_lazy("awards", "Decision date"))
    place = TextField(label=_("Place"), max_length=100, required=False)
    issuer_name = TextField(label=pgettext_lazy("awards", "Issued by"), max_length=255)
    signer_title = TextField(label=_("Signer's position"), max_length=150, required=False)
    signer_name = TextField(label=pgettext_lazy("awards", "Signed by"), max_length=150)


class RuleVersionForm(forms.Form):
    effective_from = DayField(label=pgettext_lazy("awards", "In force from"))
    status = forms.ChoiceField(
        label=pgettext_lazy("awards", "Status"),
        choices=[
            (rules.RuleStatus.VERIFIED.value, pgettext_lazy("awards", "Verified")),
            (rules.RuleStatus.UNVERIFIED.value, pgettext_lazy("awards", "Unverified")),
            (rules.RuleStatus.NOT_FOUND.value, _("Not found in the law")),
        ],
    )
    legal_source = TextField(label=pgettext_lazy("awards", "Legal source"), max_length=500)
    requirements = TextField(
        label=_("Requirements (JSON)"), widget=forms.Textarea(attrs={"rows": 12})
    )
    note = TextField(
        label=pgettext_lazy("awards", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_requirements(self) -> Any:
        try:
            return json.loads(self.cleaned_data["requirements"])
        except json.JSONDecodeError:
            raise forms.ValidationError(_("The requirements are not valid JSON.")) from None


class NationalForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    kind = forms.ChoiceField(
        choices=[
            (NATIONAL_REPORT, _("National summary report (.docx)")),
            (CHECK_ELIGIBILITY, _("Every proposal with its eligibility (.xlsx)")),
        ],
        widget=forms.RadioSelect,
        initial=NATIONAL_REPORT,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        years = EmulationYear.objects.order_by("-year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
