"""Choosing an organisation in a form, so that two of the same name can be told apart."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from thidua.lib import clock
from thidua.lib.dates import short_date
from thidua.lib.formfields import TextField

from .models import Organization
from .reads import continuing_on


def label_for_choice(org: Organization, today: Sequence[Organization] = ()) -> str:
    """The organisation's name with its period and, once it has ended, who continues it today.

    "Sở Tài chính tỉnh Tuyên Quang (từ 01/07/2025)"; "Sở Kế hoạch và Đầu tư tỉnh Hà Giang
    (đến 28/02/2025, nay là Sở TC Tuyên Quang)". A unit with no dates is its name alone.
    """
    parts = []
    if org.valid_from and org.valid_to:
        parts.append(
            _("from %(start)s to %(end)s")
            % {"start": short_date(org.valid_from), "end": short_date(org.valid_to)}
        )
    elif org.valid_from:
        parts.append(_("from %(start)s") % {"start": short_date(org.valid_from)})
    elif org.valid_to:
        parts.append(_("until %(end)s") % {"end": short_date(org.valid_to)})
    successors = [o for o in today if o.pk != org.pk]
    if successors:
        parts.append(
            _("now %(successor)s") % {"successor": ", ".join(o.display_name for o in successors)}
        )
    return f"{org.name} ({', '.join(parts)})" if parts else org.name


def successors_today(organizations: QuerySet[Organization]) -> Mapping[int, list[Organization]]:
    """Who continues today each of these organisations that has ended."""
    ended = organizations.filter(valid_to__isnull=False).values_list("pk", flat=True)
    return continuing_on(ended, clock.today())


class OrganizationChoiceIterator(ModelChoiceIterator):
    """The choices labelled by `label_for_choice`, today's successors read once for all."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        super().__init__(field)
        offered = getattr(field, "offered", None)
        if offered is not None:
            self.queryset = offered
        self.successors: Mapping[int, list[Organization]] = {}

    def __iter__(self) -> Iterator[Any]:
        self.successors = successors_today(self.queryset)
        yield from super().__iter__()

    def choice(self, obj: Any) -> tuple[ModelChoiceIteratorValue, str]:
        value = ModelChoiceIteratorValue(self.field.prepare_value(obj), obj)
        return value, label_for_choice(obj, self.successors.get(obj.pk, ()))


class _Offering:
    """A field that may show fewer organisations than it accepts (`offer`).

    The form then still recognises a unit it no longer offers, and the action can say why it
    is refused instead of "not one of the available choices".
    """

    offered: QuerySet[Organization] | None = None
    widget: forms.Widget

    def offer(self, organizations: QuerySet[Organization]) -> None:
        self.offered = organizations
        self.widget.choices = self.choices  # type: ignore[attr-defined]

    def label_from_instance(self, obj: Organization) -> str:
        return label_for_choice(obj)


class OrganizationChoiceField(_Offering, forms.ModelChoiceField):
    """One organisation, each choice told apart from its namesakes."""

    iterator = OrganizationChoiceIterator


class OrganizationMultipleChoiceField(_Offering, forms.ModelMultipleChoiceField):
    """Several organisations, each choice told apart from its namesakes."""

    iterator = OrganizationChoiceIterator


class SubUnitForm(forms.Form):
    """A sub-unit's name, as its decisions write it, and the short name pages show."""

    name = TextField(label=_lazy("Name of the sub-unit"), max_length=255)
    short_name = TextField(label=_lazy("Short name"), max_length=100, required=False)
