"""Forms of the scoring pages; points are typed the Vietnamese way ("12,5") or plainly."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.cycle.models import Membership
from thidua.lib.formfields import TextField
from thidua.lib.numbers import parse_number
from thidua.lib.uploads import UploadField

from . import rules
from .actions import ReviewInput, ScoreInput
from .models import Classification, Criterion
from .problems import describe, points
from .reads import TableTree


class PointsField(forms.Field):
    """Points as Decimal (None when left empty), read with `parse_number`."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "size": 6, "class": "points"})

    def prepare_value(self, value: Any) -> Any:
        return points(value) if isinstance(value, Decimal) else value

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            number = parse_number(text[:20])
        except ValueError:
            raise forms.ValidationError(_("Enter points as a number, e.g. 12,5.")) from None
        if abs(number) >= 10_000:
            raise forms.ValidationError(_("Enter points as a number, e.g. 12,5."))
        return number


class TableForm(forms.Form):
    title = TextField(label=_("Title of the table"), max_length=500)
    copy_previous = forms.BooleanField(
        label=_("Copy last year's table and bands"), required=False, initial=True
    )


class CriterionForm(forms.Form):
    parent = forms.TypedChoiceField(label=_("Under"), coerce=int, required=False, empty_value=None)
    number = TextField(label=_("Number"), max_length=20)
    title = TextField(label=_("Title"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=Criterion.Kind.choices)
    max_points = PointsField(
        label=_("Maximum points"),
        help_text=_("For a penalty: the most points it can deduct. Optional for a section."),
    )

    def __init__(self, *args: Any, sections: Sequence[Criterion] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.TypedChoiceField)
        parent.choices = [("", _("(top of the table)"))] + [(s.pk, str(s)) for s in sections]


class BandsForm(forms.Form):
    xuat_sac = PointsField(label=Classification.XUAT_SAC.label, required=True)
    tot = PointsField(label=Classification.TOT.label, required=True)
    hoan_thanh = PointsField(label=Classification.HOAN_THANH.label, required=True)

    def thresholds(self) -> dict[str, Decimal]:
        return {code: self.cleaned_data[code] for code in ("xuat_sac", "tot", "hoan_thanh")}


class _LeavesForm(forms.Form):
    """A form with one row of fields per leaf of the table."""

    def __init__(self, *args: Any, tree: TableTree, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tree = tree

    def _check(self, criterion: Criterion, field: str) -> None:
        value = self.cleaned_data.get(field)
        if value is not None:
            problem = rules.check_score(self.tree.node(criterion), value)
            if problem is not None:
                self.add_error(field, describe(problem))


class ScoresForm(_LeavesForm):
    """Points and explanation for every leaf; an empty figure stays unscored."""

    def __init__(self, *args: Any, tree: TableTree, **kwargs: Any) -> None:
        super().__init__(*args, tree=tree, **kwargs)
        for leaf in tree.leaves:
            number = {"number": leaf.number}
            points = PointsField(label=_("Points of criterion %(number)s") % number)
            points.widget.attrs["aria-label"] = str(points.label)
            self.fields[f"points_{leaf.pk}"] = points
            self.fields[f"explanation_{leaf.pk}"] = TextField(
                label=_("Explanation of criterion %(number)s") % number,
                required=False,
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "class": "explanation",
                        "aria-label": _("Explanation of criterion %(number)s") % number,
                    }
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for leaf in self.tree.leaves:
            self._check(leaf, f"points_{leaf.pk}")
        return data

    def entries(self) -> dict[int, ScoreInput]:
        return {
            leaf.pk: ScoreInput(
                self.cleaned_data.get(f"points_{leaf.pk}"),
                self.cleaned_data.get(f"explanation_{leaf.pk}", ""),
            )
            for leaf in self.tree.leaves
        }


class ReviewForm(_LeavesForm):
    """The reviewer's points and reason for every leaf; empty points leave a leaf unreviewed."""

    def __init__(self, *args: Any, tree: TableTree, **kwargs: Any) -> None:
        super().__init__(*args, tree=tree, **kwargs)
        for leaf in tree.leaves:
            number = {"number": leaf.number}
            # Named by the criterion's number: the row's boxes have no <label> of their own.
            points = PointsField(label=_("Reviewed points of criterion %(number)s") % number)
            points.widget.attrs["aria-label"] = str(points.label)
            self.fields[f"points_{leaf.pk}"] = points
            reason = _("Reason for criterion %(number)s") % number
            self.fields[f"reason_{leaf.pk}"] = TextField(
                label=reason,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "aria-label": reason}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for leaf in self.tree.leaves:
            self._check(leaf, f"points_{leaf.pk}")
        return data

    def entries(self) -> dict[int, ReviewInput]:
        return {
            leaf.pk: ReviewInput(
                self.cleaned_data.get(f"points_{leaf.pk}"),
                self.cleaned_data.get(f"reason_{leaf.pk}", ""),
            )
            for leaf in self.tree.leaves
        }


class EvidenceForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    file = UploadField(kind="scoring_evidence", label=_("Evidence file"))


class AssignForm(forms.Form):
    """One reviewer per member, pre-filled with the proposed rotation."""

    def __init__(self, *args: Any, members: Sequence[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        choices = [(m.pk, m.organization.display_name) for m in members]
        for member in members:
            self.fields[f"reviewer_{member.pk}"] = forms.TypedChoiceField(
                label=member.organization.name, choices=choices, coerce=int
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for member in self.members:
            if data.get(f"reviewer_{member.pk}") == member.pk:
                self.add_error(f"reviewer_{member.pk}", _("A member cannot cross-check itself."))
        return data

    def plan(self) -> dict[int, int]:
        return {m.pk: self.cleaned_data[f"reviewer_{m.pk}"] for m in self.members}


class DisputeForm(forms.Form):
    reason = TextField(
        label=_("Why the review is wrong"),
        widget=forms.Textarea(attrs={"rows": 2, "aria-label": _("Why the review is wrong")}),
    )


class SettleForm(forms.Form):
    points = PointsField(label=_("Settled points"), required=True)
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
