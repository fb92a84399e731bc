"""Pages of a cluster and its year. Each looks the object up through `thidua.access`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.audit.models import AuditEntry
from thidua.errors import ActionRefused, Refusal, refusal_told, run_form_action
from thidua.lib import clock
from thidua.lib.dates import short_date
from thidua.lib.text import sort_key
from thidua.orgs.models import User

from . import actions, history, hooks, opening, reads, rules
from .forms import (
    ConfirmForm,
    DeadlineForm,
    HistoryFilterForm,
    MovementForm,
    OpenYearForm,
    PhaseForm,
    PledgeForm,
)
from .models import EmulationYear, Movement, Phase, Pledge, Signature
from .pages import year_context


def home(request: SignedInRequest) -> HttpResponse:
    """After login: what the person must do, across clusters and years, then their clusters."""
    clusters: list[Any] = []
    inbox: list[reads.InboxItem] = []
    if request.user.is_authenticated:
        clusters = list(
            access.clusters_visible_to(request.user)
            .select_related("supervisor")
            .prefetch_related("years")
        )
        inbox = reads.inbox(request.user)
    return render(request, "cycle/home.html", {"clusters": clusters, "inbox": inbox})


@login_required
def cluster_detail(request: SignedInRequest, slug: str) -> HttpResponse:
    """The cluster's years and, for who may open one, the next year proposed from the last."""
    cluster = access.get_cluster_for(request.user, slug)
    years = [y for y in cluster.years.all() if request.user.has_perm("cycle.view_year", y)]
    if not request.user.has_perm("cycle.open_year", cluster):
        if request.method == "POST":
            access.require(request.user, "cycle.open_year", cluster)
        return render(request, "cycle/cluster_detail.html", {"cluster": cluster, "years": years})
    proposal = opening.propose(cluster, _year_to_open(request, cluster))
    form = OpenYearForm(
        request.POST or None,
        initial=proposal.initial,
        offered_on=proposal.first_day,
        proposed=[org.pk for org in proposal.members],
        carry_overs=proposal.carry_overs,
    )
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_open_next_year(
                cluster,
                year=form.cleaned_data["year"],
                members=list(form.cleaned_data["members"]),
                head=form.cleaned_data["head"],
                deputy=form.cleaned_data["deputy"],
                carry_over=form.cleaned_data.get("carry_over", []),
                acting_user=request.user,
            ),
        )
        if outcome.done and outcome.result is not None:
            opened = outcome.result
            messages.success(request, _opened_message(opened, proposal.previous))
            return redirect("year_dashboard", slug=slug, year=opened.year.year)
        status = outcome.status
    return render(
        request,
        "cycle/cluster_detail.html",
        {
            "cluster": cluster,
            "years": years,
            "form": form,
            "proposal": proposal,
            "proposed": [org.pk for org in proposal.members],
        },
        status=status,
    )


def _year_to_open(request: SignedInRequest, cluster: Any) -> int:
    """The year asked for (posted, or in the address), else the one after the latest."""
    asked = request.POST.get("year") or request.GET.get("year") or ""
    if asked.isdigit() and 1945 <= int(asked) <= 2100:
        return int(asked)
    return opening.next_year_of(cluster)


def _opened_message(opened: actions.OpenedYear, previous: EmulationYear | None) -> str:
    message = _("The year %(year)s is open.") % {"year": opened.year.year}
    if opened.copied and previous is not None:
        message += " " + _(
            "Copied from %(year)s: %(what)s. Review the copies in the setup phase."
        ) % {"year": previous.year, "what": ", ".join(opened.copied)}
    return message


@login_required
def year_dashboard(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year)
    roles = access.roles_in_year(request.user, emulation_year)
    figures = reads.year_figures(emulation_year)
    next_phase = rules.next_phase(emulation_year.phase)
    links = [
        link for links_of in hooks.year_links for link in links_of(emulation_year, request.user)
    ]
    context = {
        "year": emulation_year,
        "cluster": emulation_year.cluster,
        "roles": roles,
        "rows": figures.rows,
        "members_table": mark_safe(figures.members_table),
        "progress_chart": mark_safe(figures.progress_chart),
        "movement": figures.movement,
        "pledge": figures.pledge,
        "phases": _phase_steps(emulation_year.phase),
        "next_phase": Phase(next_phase) if next_phase else None,
        "blockers": figures.blockers if roles.secretariat else [],
        "links": links,
        "can_change_phase": request.user.has_perm("cycle.change_phase", emulation_year),
        "deadlines": _deadlines(emulation_year, figures.deadlines),
        "deadline_form": DeadlineForm(initial={"phase": emulation_year.phase})
        if request.user.has_perm("cycle.set_deadlines", emulation_year)
        and emulation_year.phase != Phase.CLOSED
        else None,
        "can_edit_setup": request.user.has_perm("cycle.edit_setup", emulation_year)
        and emulation_year.phase == Phase.SETUP,
    }
    return render(request, "cycle/year_dashboard.html", context)


def _phase_steps(current: str) -> list[dict[str, object]]:
    index = rules.PHASES.index(current)
    return [
        {"phase": Phase(code), "done": i < index, "current": i == index}
        for i, code in enumerate(rules.PHASES)
    ]


@login_required
@require_POST
def move_phase(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.change_phase")
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal() or _("Choose the phase to move to."))
    else:
        with refusal_told(request):
            actions.do_move_phase(
                emulation_year, target=form.cleaned_data["target"], acting_user=request.user
            )
            messages.success(
                request,
                _("The year has moved to the %(phase)s phase.")
                % {"phase": Phase(form.cleaned_data["target"]).label},
            )
    return redirect("year_dashboard", slug=slug, year=year)


def _deadlines(year: EmulationYear, deadlines: list[tuple[str, dt.date]]) -> list[dict[str, Any]]:
    today = clock.today()
    return [
        {
            "phase": Phase(phase).label,
            "due_on": due_on,
            "current": phase == year.phase,
            "urgency": rules.urgency(due_on, today) if phase == year.phase else "",
        }
        for phase, due_on in deadlines
    ]


@login_required
@require_POST
def set_deadline(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.set_deadlines")
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        with refusal_told(request):
            deadline = actions.do_set_deadline(
                emulation_year,
                phase=form.cleaned_data["phase"],
                due_on=form.cleaned_data["due_on"],
                acting_user=request.user,
            )
            label = Phase(form.cleaned_data["phase"]).label
            if deadline is None:
                messages.success(
                    request, _("The deadline of %(phase)s is lifted.") % {"phase": label}
                )
            else:
                messages.success(
                    request,
                    _("The members must finish %(phase)s by %(day)s.")
                    % {"phase": label, "day": short_date(deadline.due_on)},
                )
    return redirect("year_dashboard", slug=slug, year=year)


@login_required
def movement_edit(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.edit_setup")
    movement = Movement.objects.filter(year=emulation_year).first()
    initial: dict[str, object] = {"version": actions.movement_version(movement)}
    if movement is not None:
        initial |= {
            "title": movement.title,
            "launched_on": movement.launched_on,
            "goals": movement.goals,
            "targets": movement.targets,
        }
    form = MovementForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_set_movement(
                emulation_year, acting_user=request.user, **form.cleaned_data
            ),
        )
        if outcome.done:
            messages.success(request, _("The emulation movement is saved."))
            return redirect("year_dashboard", slug=slug, year=year)
        status = outcome.status
    return render(
        request,
        "cycle/movement_form.html",
        year_context(emulation_year, form=form),
        status=status,
    )


@login_required
def pledge_edit(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.edit_setup")
    pledge = Pledge.objects.filter(year=emulation_year).first()
    initial = {"version": actions.pledge_version(pledge)}
    if pledge is not None:
        initial |= {
            "title": pledge.title,
            "preamble": pledge.preamble,
            "articles": "\n\n".join(a.text for a in pledge.articles.all()),
        }
    form = PledgeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_set_pledge(
                emulation_year, acting_user=request.user, **form.cleaned_data
            ),
        )
        if outcome.done:
            messages.success(request, _("The pledge is saved."))
            return redirect("pledge", slug=slug, year=year)
        status = outcome.status
    return render(
        request,
        "cycle/pledge_form.html",
        year_context(emulation_year, form=form),
        status=status,
    )


@login_required
def pledge(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year)
    the_pledge = Pledge.objects.filter(year=emulation_year).first()
    roles = access.roles_in_year(request.user, emulation_year)
    status = 200
    if request.method == "POST":
        access.require(request.user, "cycle.sign_pledge", emulation_year)
        user = request.user
        assert isinstance(user, User)
        if the_pledge is not None and user.organization is None:
            # The administrator passes every permission check but leads no unit.
            raise PermissionDenied("cycle.sign_pledge")
        unconfirmed = ConfirmForm(request.POST).refusal()
        if unconfirmed:
            messages.error(request, unconfirmed)
            return redirect("pledge", slug=slug, year=year)
        with refusal_told(request) as told:
            if the_pledge is None or user.organization is None:
                raise ActionRefused(_("The pledge has not been written yet."), kind=Refusal.NOTHING)
            actions.do_sign_pledge(the_pledge, unit=user.organization, acting_user=user)
            messages.success(request, _("Your unit has signed the pledge."))
            return redirect("pledge", slug=slug, year=year)
        status = told.status
    signatures: dict[int, Signature] = {}
    if the_pledge is not None:
        signatures = {
            s.organization_id: s for s in the_pledge.signatures.select_related("organization")
        }
    memberships = sorted(
        emulation_year.memberships.select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    rows = [{"membership": m, "signature": signatures.get(m.organization_id)} for m in memberships]
    may_sign = the_pledge is not None and roles.leader and roles.own_member_org_id not in signatures
    can_sign = may_sign and emulation_year.phase == Phase.PLEDGE
    return render(
        request,
        "cycle/pledge.html",
        {
            "year": emulation_year,
            "cluster": emulation_year.cluster,
            "pledge": the_pledge,
            "articles": the_pledge.articles.all() if the_pledge else [],
            "rows": rows,
            "signed_count": len(signatures),
            "can_sign": can_sign,
            "not_now": _("The leaders sign in the pledge phase; the year is in %(phase)s.")
            % {"phase": emulation_year.get_phase_display()}
            if may_sign and not can_sign
            else "",
            "can_edit": request.user.has_perm("cycle.edit_setup", emulation_year)
            and emulation_year.phase == Phase.SETUP,
        },
        status=status,
    )


@login_required
def year_history(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.view_history")
    # Votes one by one are left out: the poll's register says who voted, and a vote's time
    # is nobody's business (docs/security.md, "Ballot secrecy"). The close lists who voted.
    entries = (
        AuditEntry.objects.filter(year=emulation_year)
        .exclude(action="poll.vote")
        .select_related("actor__organization")
        .order_by("-id")
    )
    form = HistoryFilterForm(
        request.GET or None,
        areas=history.areas(),
        units=[
            (row["membership"].organization_id, row["membership"].organization.display_name)
            for row in reads.year_figures(emulation_year).rows
        ],
    )
    if form.is_bound and form.is_valid():
        entries = history.filtered(entries, **form.narrowing())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cycle/history.html",
        year_context(
            emulation_year,
            page=page,
            lines=history.lines(page.object_list),
            form=form,
            query=query.urlencode(),
        ),
    )
