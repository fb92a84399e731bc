from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.cycle.models import EmulationYear
from thidua.lib.formfields import TextField
from thidua.lib.text import normalize, sort_key
from thidua.orgs.models import Organization

from .actions import PollSpec
from .models import PERSON_NAME_MAX_LENGTH, TITLE_MAX_LENGTH, Candidate, Poll


class PollForm(forms.Form):
    title = TextField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Poll.Purpose.choices)
    method = forms.ChoiceField(label=_("Voting method"), choices=Poll.Method.choices)
    units = forms.ModelMultipleChoiceField(
        label=_("Candidate units"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = TextField(
        label=_("Candidate people"),
        help_text=_("One full name per line (for polls about people)."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_choices = forms.IntegerField(label=_("Choices per ballot"), min_value=1, initial=1)
    seats = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        required=False,
        initial=1,
        help_text=_("Empty: every candidate over the threshold wins."),
    )
    allow_self_vote = forms.BooleanField(label=_("A unit may choose itself"), required=False)
    threshold_base = forms.ChoiceField(label=_("Threshold base"), choices=Poll.Base.choices)
    threshold = TextField(
        label=_("Threshold"),
        initial="1/2",
        max_length=9,
        help_text=_("A fraction such as 1/2 or 2/3."),
    )
    strict = forms.BooleanField(
        label=_("More than the threshold (not merely equal to it)"), required=False, initial=True
    )
    tie_rule = forms.ChoiceField(label=_("On a tie"), choices=Poll.TieRule.choices)
    disclosure = forms.ChoiceField(
        label=_("What the results show"), choices=Poll.Disclosure.choices
    )
    next_round = forms.ChoiceField(
        label=_("When nobody reaches the threshold"),
        choices=Poll.NextRound.choices,
        initial=Poll.NextRound.LEADING,
    )
    next_round_size = forms.IntegerField(
        label=_("Candidates in the new round"),
        min_value=2,
        max_value=99,
        initial=2,
        help_text=_("The candidates with the most votes who go on to the new round."),
    )
    closes_at = forms.DateTimeField(
        label=_("Scheduled close"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, year: EmulationYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Organization.objects.filter(memberships__year=year)

    def clean_threshold(self) -> Fraction:
        text = self.cleaned_data["threshold"].strip().replace(" ", "")
        try:
            numerator, denominator = (int(part) for part in text.split("/"))
            value = Fraction(numerator, denominator)
        except (ValueError, ZeroDivisionError):
            raise forms.ValidationError(_("Write the threshold as a fraction, e.g. 1/2.")) from None
        if not 0 < value <= 1:
            raise forms.ValidationError(_("The threshold must be above zero and at most 1/1."))
        return value

    def clean_people(self) -> list[str]:
        names = [normalize(line) for line in self.cleaned_data["people"].splitlines()]
        too_long = [n for n in names if len(n) > PERSON_NAME_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("Each name may have at most %(limit)s characters (one has %(length)s).")
                % {"limit": PERSON_NAME_MAX_LENGTH, "length": max(len(n) for n in too_long)}
            )
        return [name for name in names if name]

    def spec(self) -> PollSpec:
        data = self.cleaned_data
        units = sorted(data["units"], key=lambda org: sort_key(org.name))
        return PollSpec(
            title=data["title"],
            purpose=data["purpose"],
            method=data["method"],
            units=units,
            people=data["people"],
            max_choices=data["max_choices"],
            seats=data["seats"],
            allow_self_vote=data["allow_self_vote"],
            threshold_base=data["threshold_base"],
            threshold=data["threshold"],
            strict=data["strict"],
            tie_rule=data["tie_rule"],
            disclosure=data["disclosure"],
            next_round=data["next_round"],
            next_round_size=data["next_round_size"],
            closes_at=data["closes_at"],
        )

    @staticmethod
    def initial_for(poll: Poll) -> dict[str, Any]:
        candidates = list(poll.candidates.select_related("organization"))
        return {
            "title": poll.title,
            "purpose": poll.purpose,
            "method": poll.method,
            "units": [c.organization for c in candidates if not c.person_name],
            "people": "\n".join(c.person_name for c in candidates if c.person_name),
            "max_choices": poll.max_choices,
            "seats": poll.seats,
            "allow_self_vote": poll.allow_self_vote,
            "threshold_base": poll.threshold_base,
            "threshold": f"{poll.threshold_numerator}/{poll.threshold_denominator}",
            "strict": poll.strict,
            "tie_rule": poll.tie_rule,
            "disclosure": poll.disclosure,
            "next_round": poll.next_round,
            "next_round_size": poll.next_round_size,
            "closes_at": poll.closes_at,
        }


class BallotForm(forms.Form):
    """A ballot: one radio choice (or blank) for single-choice polls, else checkboxes."""

    def __init__(self, *args: Any, poll: Poll, candidates: Sequence[Candidate], **kwargs: Any):
        super().__init__(*args, **kwargs)
        options = [(str(c.pk), c.label) for c in candidates]
        if poll.max_choices == 1:
            self.fields["choices"] = forms.ChoiceField(
                label=_("Your choice"),
                choices=[("", _("Blank ballot (no choice)")), *options],
                required=False,
                widget=forms.RadioSelect,
            )
        else:
            self.fields["choices"] = forms.MultipleChoiceField(
                label=_("Your choices"),
                choices=options,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose at most %(n)s; no choice is a blank ballot.")
                % {"n": poll.max_choices},
            )

    def chosen(self) -> list[int]:
        value = self.cleaned_data["choices"]
        values = value if isinstance(value, list) else [value] if value else []
        return [int(v) for v in values]


class ReceiptForm(forms.Form):
    code = TextField(label=_("Receipt code"), max_length=40)


class PaperCountForm(forms.Form):
    ballots_cast = forms.IntegerField(label=_("Ballots cast (blank ones included)"), min_value=0)
    blank_ballots = forms.IntegerField(label=_("Blank ballots"), min_value=0, initial=0)

    def __init__(self, *args: Any, candidates: Sequence[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidate_fields: list[tuple[str, Candidate]] = []
        for candidate in candidates:
            name = f"votes_{candidate.pk}"
            self.fields[name] = forms.IntegerField(label=candidate.label, min_value=0, initial=0)
            self.candidate_fields.append((name, candidate))

    def votes(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[name] for name, c in self.candidate_fields}
