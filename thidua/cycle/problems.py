"""The user's words for the problems `cycle.rules` reports."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.lib.dates import short_date

from .models import Phase
from .rules import Problem


def describe(problem: Problem) -> str:
    p = problem.params
    match problem.code:
        case "year_closed":
            return _("The year is closed and can no longer be changed.")
        case "not_next_phase":
            return _("The year can only move from %(current)s to the next phase.") % {
                "current": Phase(str(p["current"])).label
            }
        case "too_few_members":
            return _("A cluster year needs at least two members; it has %(count)s.") % p
        case "no_head":
            return _("The cluster head for the year has not been set.")
        case "no_deputy":
            return _("The cluster deputy for the year has not been set.")
        case "no_movement":
            return _("The emulation movement has not been launched: enter its title and goals.")
        case "no_pledge_articles":
            return _("The pledge has no articles yet.")
        case "unsigned_members":
            return _("These members have not signed the pledge: %(units)s.") % p
        case "phase_over":
            return _("The %(phase)s phase is over; its deadline can no longer be set.") % {
                "phase": Phase(str(p["phase"])).label
            }
        case "deadline_outside_year":
            return _("A deadline of this year falls in %(year)s or %(next)s.") % p
        case "deadline_before_opening":
            return _(
                "The %(phase)s phase opened on %(opened)s; its deadline cannot be earlier."
            ) % {
                "phase": Phase(str(p["phase"])).label,
                "opened": short_date(p["opened"]),  # type: ignore[arg-type]
            }
        case "deadline_before_next_opening":
            return _(
                "The %(phase)s phase has not opened yet and opens on %(today)s at the earliest; "
                "its deadline cannot be earlier."
            ) % {
                "phase": Phase(str(p["phase"])).label,
                "today": short_date(p["today"]),  # type: ignore[arg-type]
            }
        case "deadline_passed_before_opening":
            return _(
                "The deadline of %(phase)s, %(day)s, has passed before the phase opens: set a "
                "later one or lift it first."
            ) % {
                "phase": Phase(str(p["phase"])).label,
                "day": short_date(p["day"]),  # type: ignore[arg-type]
            }
        case "deadline_out_of_order":
            return _(
                "The deadline of %(phase)s must come after the earlier phases' and before the "
                "later ones'; %(other)s is due on %(day)s."
            ) % {
                "phase": Phase(str(p["phase"])).label,
                "other": Phase(str(p["other"])).label,
                "day": short_date(p["day"]),  # type: ignore[arg-type]
            }
    return problem.code


def todo_label(code: str) -> str:
    match code:
        case "sign_pledge":
            return _("Sign the emulation pledge")
    return code


# The year's own actions, as the history tells them (see `hooks.describe_actions`).
ACTIONS = {
    "year.open": gettext_lazy("opened the emulation year"),
    "year.carry_over": gettext_lazy("copied last year's work into the new year"),
    "year.phase": gettext_lazy("moved the year to the next phase"),
    "movement.set": gettext_lazy("launched the emulation movement"),
    "pledge.set": gettext_lazy("wrote the emulation pledge"),
    "pledge.sign": gettext_lazy("signed the emulation pledge"),
    "deadline.set": gettext_lazy("set a deadline"),
    "deadline.lift": gettext_lazy("lifted a deadline"),
}
