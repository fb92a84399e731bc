"""The user's words for the problems `cycle.rules` reports."""

from __future__ import annotations

from django.utils.translation import gettext as _

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
    return problem.code


def todo_label(code: str) -> str:
    match code:
        case "sign_pledge":
            return _("Sign the emulation pledge")
    return code
