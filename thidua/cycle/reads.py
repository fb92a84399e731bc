"""The year read from the database for the pages: its figures per member, and each
person's inbox across the years they take part in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.stamp import StampedCache
from thidua.lib import clock
from thidua.lib.text import sort_key

from . import actions, hooks, rules
from .models import Deadline, EmulationYear, Movement, Phase, Pledge
from .problems import todo_label


@dataclass(frozen=True)
class YearFigures:
    """What the dashboard shows of a year, the same for every reader in one language."""

    rows: list[dict[str, Any]]  # one per member, in Vietnamese order of names
    members_table: str  # the rows as the page shows them (HTML: nothing in it is per reader)
    steps: list[hooks.ProgressStep]  # the steps of the members' work, in the year's order
    progress_chart: str  # the rows' progress as bars (HTML, the same for every reader)
    movement: Movement | None
    pledge: Pledge | None
    blockers: list[str]  # what stops the move to the next phase
    deadlines: list[tuple[str, dt.date]]  # (phase, due on), in the phases' order


def _read_figures(year: EmulationYear) -> YearFigures:
    memberships = sorted(
        year.memberships.select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    pledge = Pledge.objects.filter(year=year).first()
    signed = set()
    if pledge is not None:
        signed = set(pledge.signatures.values_list("organization_id", flat=True))
    # Other areas add their own to-dos (report indicators, self-score, vote ...).
    area_todos: dict[int, list[str]] = {}
    for todos_of in hooks.member_todos:
        for org_id, todos in todos_of(year, memberships).items():
            area_todos.setdefault(org_id, []).extend(todos)
    steps = _progress_steps(year, memberships, signed)
    rows = []
    for membership in memberships:
        status = rules.MemberStatus(
            name=membership.organization.name, signed=membership.organization_id in signed
        )
        todos = [todo_label(code) for code in rules.member_todos(year.phase, status)]
        rows.append(
            {
                "membership": membership,
                "signed": status.signed,
                "todos": todos + area_todos.get(membership.organization_id, []),
                "progress": [_progress_cell(step, membership.organization_id) for step in steps],
            }
        )
    next_phase = rules.next_phase(year.phase)
    shown = {"rows": rows, "steps": steps}
    return YearFigures(
        rows=rows,
        members_table=render_to_string("cycle/_members_table.html", shown),
        steps=steps,
        progress_chart=render_to_string("cycle/_progress_chart.html", shown),
        movement=Movement.objects.filter(year=year).first(),
        pledge=pledge,
        blockers=actions.phase_problems(year, next_phase) if next_phase is not None else [],
        deadlines=sorted(
            Deadline.objects.filter(year=year).values_list("phase", "due_on"),
            key=lambda d: rules.PHASES.index(d[0]),
        ),
    )


# The pledge comes first among the steps of the members' work; the areas place theirs after it.
SIGNED_ORDER = 10


def _progress_steps(
    year: EmulationYear, memberships: list[Any], signed: set[int]
) -> list[hooks.ProgressStep]:
    """The pledge's signatures, then each area's steps (indicators, self-assessment, ...)."""
    steps = [
        hooks.ProgressStep(
            key="cycle.signed",
            label=_("Pledge"),
            order=SIGNED_ORDER,
            done={m.organization_id: (int(m.organization_id in signed), 1) for m in memberships},
            words=(_("Signed"), _("Not signed")),
        )
    ]
    for progress_of in hooks.member_progress:
        steps.extend(progress_of(year, memberships))
    return sorted(steps, key=lambda step: step.order)


def _progress_cell(step: hooks.ProgressStep, org_id: int) -> dict[str, Any]:
    """One member's progress in one step, as the table and the chart both show it."""
    if org_id not in step.done:  # nothing to do in this step
        return {"key": step.key, "label": step.label, "absent": True, "text": "—"}
    done, of = step.done[org_id]
    complete = done >= of
    if step.words is not None and of == 1:
        text = step.words[0] if complete else step.words[1]
    else:
        text = _("%(done)s of %(of)s") % {"done": done, "of": of}
    return {
        "key": step.key,
        "label": step.label,
        "absent": False,
        "done": done,
        "of": of,
        "complete": complete,
        "text": text,
    }


# Every change they are read from (members, pledge, signatures, the areas' work behind the
# to-dos, the phase) appends an audit entry: they are kept per process until the next one.
_figures: StampedCache[YearFigures] = StampedCache(size=128)


def year_figures(year: EmulationYear) -> YearFigures:
    """The year's figures as of now, in the current language (shared: never changed)."""
    return _figures.get(
        (year.pk, get_language()),
        # Read with the year as it is when the stamp is taken, not as the request found it.
        lambda: _read_figures(
            EmulationYear.objects.select_related("cluster", "cluster__supervisor").get(pk=year.pk)
        ),
    )


@dataclass(frozen=True)
class InboxItem:
    """One thing a person must do: where, what, by when, and the page to do it on."""

    year: EmulationYear
    text: str
    url: str
    due_on: dt.date | None
    urgency: str  # rules.urgency: "overdue", "soon", "later" or ""


def inbox(user: Any) -> list[InboxItem]:
    """What `user` must do now in every open year they take part in, most pressing first.

    A member's officer and leader see their unit's to-dos (the areas' `member_todos`); the
    secretariat also sees what stops the year moving on. The phase's deadline, when the
    secretariat set one, comes with each.
    """
    years = list(
        EmulationYear.objects.filter(cluster__in=access.clusters_visible_to(user))
        .exclude(phase=Phase.CLOSED)
        .select_related("cluster", "cluster__supervisor")
        .order_by("cluster__name", "year")
    )
    due = {
        (d.year_id, d.phase): d.due_on
        for d in Deadline.objects.filter(year__in=years, phase__in={y.phase for y in years})
    }
    today = clock.today()
    items: list[InboxItem] = []
    for year in years:
        roles = access.roles_in_year(user, year)
        if not roles.member_org_ids and not roles.secretariat:
            continue
        due_on = due.get((year.pk, year.phase))
        urgency = rules.urgency(due_on, today)
        dashboard = reverse("year_dashboard", kwargs={"slug": year.cluster.slug, "year": year.year})
        figures = year_figures(year)
        for row in figures.rows:
            if row["membership"].organization_id in roles.member_org_ids:
                items.extend(
                    InboxItem(year, todo, dashboard, due_on, urgency) for todo in row["todos"]
                )
        next_phase = rules.next_phase(year.phase)
        if roles.secretariat and next_phase is not None:
            label = Phase(next_phase).label
            if figures.blockers:
                text = _("Before the year moves to %(phase)s: %(what)s") % {
                    "phase": label,
                    "what": " ".join(figures.blockers),
                }
            else:
                text = _("Everything is in place: move the year to %(phase)s.") % {"phase": label}
            items.append(InboxItem(year, text, dashboard, due_on, urgency))
    order = {"overdue": 0, "soon": 1, "later": 2, "": 3}
    return sorted(items, key=lambda i: (order[i.urgency], i.due_on or dt.date.max))
