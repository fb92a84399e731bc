"""What each notification says, in the language active when it is written (Vietnamese)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thidua.cycle.models import EmulationYear, Phase
from thidua.lib.dates import short_date

from . import rules


def _where(year: EmulationYear) -> str:
    return _("%(cluster)s, year %(year)s") % {"cluster": year.cluster.name, "year": year.year}


def of_entry(
    kind: str, year: EmulationYear, *, object_repr: str, after: dict[str, Any] | None
) -> str:
    """The text of an audited event of `kind` in `year`."""
    after = after or {}
    where = _where(year)
    if kind == rules.PHASE:
        phase = Phase(after.get("phase", year.phase)).label
        return _("%(where)s: the year has moved to the phase “%(phase)s”.") % {
            "where": where,
            "phase": phase,
        }
    if kind == rules.POLL:
        return _("%(where)s: the poll “%(poll)s” is open.") % {"where": where, "poll": object_repr}
    if kind == rules.RETURNED:
        facts = {"where": where, "nomination": object_repr, "reason": after.get("reason", "")}
        if not facts["reason"]:
            return (
                _("%(where)s: the nomination “%(nomination)s” was returned to your unit.") % facts
            )
        return (
            _(
                "%(where)s: the nomination “%(nomination)s” was returned to your unit. "
                "Reason: %(reason)s"
            )
            % facts
        )
    if kind == rules.DECISION:
        return _("%(where)s: a decision has been recorded for “%(nomination)s”.") % {
            "where": where,
            "nomination": object_repr,
        }
    return _("%(where)s: the secretariat reminds your unit to report its indicators.") % {
        "where": where
    }


def of_deadline(
    year: EmulationYear, *, due_on: dt.date, stage: str, today: dt.date, todos: list[str]
) -> str:
    """The text of a deadline that nears ("soon") or has passed ("overdue")."""
    days = (due_on - today).days
    facts = {
        "where": _where(year),
        "phase": year.get_phase_display(),
        "date": short_date(due_on),
        "days": days,
        "todos": "; ".join(todos),
    }
    if stage == "overdue":
        return (
            _(
                "%(where)s: the deadline of the phase “%(phase)s” was %(date)s and has passed. "
                "Still to do: %(todos)s."
            )
            % facts
        )
    if days == 0:
        return (
            _(
                "%(where)s: the deadline of the phase “%(phase)s” is today, %(date)s. "
                "Still to do: %(todos)s."
            )
            % facts
        )
    return (
        ngettext(
            "%(where)s: the deadline of the phase “%(phase)s” is %(date)s, in %(days)s day. "
            "Still to do: %(todos)s.",
            "%(where)s: the deadline of the phase “%(phase)s” is %(date)s, in %(days)s days. "
            "Still to do: %(todos)s.",
            days,
        )
        % facts
    )
