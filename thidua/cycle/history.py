"""The year's history as sentences: who did what, when, and what changed, in Vietnamese.

Each area names its own actions (`hooks.describe_actions`, from its `register()`); an entry
reads "Lê Hồng Minh (Sở KH&ĐT Sơn La) đã ký giao ước thi đua — Sở KH&ĐT Sơn La", and its
changes "Tiêu đề: … → …", with the field's own label and values as the page shows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.lib.numbers import format_number

from . import hooks

# A value longer than this is said to have changed, not printed.
SHOWN_CHARS = 120


@dataclass(frozen=True)
class Line:
    """One entry of the history, as the page shows it."""

    at: dt.datetime
    sentence: str
    changes: list[str]


def sentence(entry: Any) -> str:
    """ "Who (unit) did what — to what" for one audit entry."""
    phrase = hooks.action_phrases.get(entry.action)
    who = entry.actor_name if entry.actor_id else _("The system")
    unit = getattr(getattr(entry.actor, "organization", None), "display_name", "")
    if unit:
        who = f"{who} ({unit})"
    did = str(phrase) if phrase is not None else _("changed")
    return f"{who} {did} — {entry.object_repr}" if entry.object_repr else f"{who} {did}"


def changes(entry: Any) -> list[str]:
    """ "Label: before → after" for each field the entry changed, in the user's words."""
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    model = _model(entry.object_type)
    found: list[str] = []
    for name in list(after) + [k for k in before if k not in after]:
        old, new = before.get(name), after.get(name)
        if old == new or name in ("id", "version"):
            continue
        field = _field(model, name)
        if field is None or not field.concrete or field.is_relation:
            continue  # ids and keys are no words for a reader
        if not field.editable or isinstance(field.verbose_name, str):
            continue  # derived (a search key) or unnamed: no field the reader changed
        label = str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        shown_new = _value(field, new)
        if name in before:
            found.append(f"{label}: {_value(field, old)} → {shown_new}")
        else:
            found.append(f"{label}: {shown_new}")
    return found


def lines(entries: Any) -> list[Line]:
    return [Line(at=e.at, sentence=sentence(e), changes=changes(e)) for e in entries]


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _value(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), "—")
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField):
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
    if isinstance(field, models.DateField):
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField):
        number = Decimal(str(value))
        exponent = number.as_tuple().exponent
        return format_number(number, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    if isinstance(value, list | dict):
        return _("changed")
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rstrip() + "…"


def areas() -> list[str]:
    """The areas that named their actions, in the order they did (the filter's choices)."""
    return list(dict.fromkeys(str(area) for area in hooks.action_areas.values()))


def filtered(entries: Any, *, area: int | None, unit: int | None, since: Any, until: Any) -> Any:
    """`entries` narrowed to one area (its index in `areas()`), one unit's people, a period."""
    if area is not None:
        name = areas()[area]
        entries = entries.filter(
            action__in=[a for a, label in hooks.action_areas.items() if str(label) == name]
        )
    if unit is not None:
        entries = entries.filter(actor__organization_id=unit)
    if since is not None:
        entries = entries.filter(at__date__gte=since)
    if until is not None:
        entries = entries.filter(at__date__lte=until)
    return entries
