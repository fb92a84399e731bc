from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.lib.formfields import TextField
from thidua.lib.numbers import format_number, parse_number
from thidua.lib.text import normalize
from thidua.lib.uploads import UploadField

from . import excel, rules
from .actions import IndicatorSpec
from .models import Indicator, IndicatorValue


class VietnameseNumberField(forms.CharField):
    """A number typed the Vietnamese way ("1.234,5") or plainly ("1234.5")."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = normalize(super().to_python(value) or "")
        if not text:
            return None
        try:
            return parse_number(text)
        except ValueError:
            raise forms.ValidationError(
                _("“%(text)s” is not a number."), params={"text": text}, code="invalid"
            ) from None


class IndicatorForm(forms.Form):
    code = TextField(
        label=_("Code"),
        max_length=40,
        help_text=_("Capital letters, digits and _; used in the results paragraph as {CODE}."),
    )
    name = TextField(label=_("Name"), max_length=300)
    unit = TextField(
        label=_("Unit"), max_length=50, required=False, help_text=_("e.g. %, tỷ đồng, xã")
    )
    decimals = forms.IntegerField(
        label=_("Decimals"), min_value=0, max_value=rules.MAX_DECIMALS, initial=0
    )
    method = forms.ChoiceField(label=_("The cluster combines the members' values by"))
    weight_code = forms.ChoiceField(label=_("Weighted by (mean weighted)"), required=False)
    denominator_code = forms.ChoiceField(label=_("Out of (ratio of two sums)"), required=False)
    min_value = VietnameseNumberField(label=_("Smallest allowed value"), required=False)
    max_value = VietnameseNumberField(label=_("Largest allowed value"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)

    def __init__(self, *args: Any, others: Sequence[Indicator] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((i.code, f"{i.code} — {i.name}") for i in others)]
        for name, options in (
            ("method", Indicator.Method.choices),
            ("weight_code", choices),
            ("denominator_code", choices),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        if method == Indicator.Method.WEIGHTED_MEAN and not data.get("weight_code"):
            self.add_error("weight_code", _("Choose the indicator that gives the weights."))
        if method == Indicator.Method.RATIO and not data.get("denominator_code"):
            self.add_error("denominator_code", _("Choose the indicator that gives the totals."))
        return data

    def spec(self) -> IndicatorSpec:
        data = self.cleaned_data
        return IndicatorSpec(
            code=data["code"],
            name=data["name"],
            unit=data["unit"],
            decimals=data["decimals"],
            method=data["method"],
            weight_code=data["weight_code"],
            denominator_code=data["denominator_code"],
            min_value=data["min_value"],
            max_value=data["max_value"],
            order=data["order"],
        )

    @staticmethod
    def initial_for(indicator: Indicator) -> dict[str, Any]:
        def shown(value: Decimal | None) -> str:
            return format_number(value, indicator.decimals) if value is not None else ""

        return {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "decimals": indicator.decimals,
            "method": indicator.method,
            "weight_code": indicator.weight_indicator.code if indicator.weight_indicator else "",
            "denominator_code": indicator.denominator_indicator.code
            if indicator.denominator_indicator
            else "",
            "min_value": shown(indicator.min_value),
            "max_value": shown(indicator.max_value),
            "order": indicator.order,
        }


class ValuesForm(forms.Form):
    """One value and one note per indicator of the year, for one member unit."""

    def __init__(
        self,
        *args: Any,
        indicators: Sequence[Indicator],
        current: dict[int, IndicatorValue],
        **kwargs: Any,
    ) -> None:
        initial = {}
        for indicator in indicators:
            value = current.get(indicator.pk)
            if value is not None:
                initial[f"value_{indicator.code}"] = (
                    format_number(value.value, indicator.decimals)
                    if value.value is not None
                    else ""
                )
                initial[f"note_{indicator.code}"] = value.note
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in indicators:
            self.fields[f"value_{indicator.code}"] = VietnameseNumberField(
                label=indicator.name, required=False
            )
            self.fields[f"note_{indicator.code}"] = TextField(
                label=_("Note"), required=False, max_length=excel.NOTE_LENGTH
            )

    def rows(self) -> list[tuple[Indicator, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"value_{i.code}"], self[f"note_{i.code}"]) for i in self.indicators]

    def entries(self) -> dict[str, rules.Entry]:
        return {
            i.code: rules.Entry(
                self.cleaned_data[f"value_{i.code}"], self.cleaned_data[f"note_{i.code}"]
            )
            for i in self.indicators
        }


class UploadForm(forms.Form):
    workbook = UploadField(kind="workbook", label=_("Filled-in workbook (.xlsx)"))


class RemindForm(forms.Form):
    organization = forms.IntegerField(required=False)


class ResultsTemplateForm(forms.Form):
    text = TextField(
        label=_("Template of the results paragraph"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
