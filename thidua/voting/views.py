"""Pages of the year's polls. Each looks the year up through `thidua.access`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.forms import ConfirmForm
from thidua.cycle.models import EmulationYear, Phase
from thidua.cycle.pages import year_context
from thidua.errors import refusal_told, run_form_action
from thidua.lib import pdf, xlsx
from thidua.lib.text import sort_key

from . import actions, documents, exports, reads
from .forms import BallotForm, PaperCountForm, PollForm, ReceiptForm
from .models import Poll

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _poll_of(year: EmulationYear, poll_id: int) -> Poll:
    try:
        return Poll.objects.select_related("year__cluster", "parent").get(pk=poll_id, year=year)
    except Poll.DoesNotExist:
        raise Http404 from None


@login_required
def poll_list(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    polls = list(Poll.objects.filter(year=emulation_year).select_related("parent").order_by("id"))
    voted = reads.turnout(polls)
    members = emulation_year.memberships.count()
    roles = access.roles_in_year(request.user, emulation_year)
    rows = [
        {
            "poll": poll,
            "voted": len(voted[poll.pk]),
            "mine_done": roles.own_member_org_id in voted[poll.pk],
        }
        for poll in polls
    ]
    can_manage = request.user.has_perm("voting.manage", emulation_year)
    return render(
        request,
        "voting/poll_list.html",
        year_context(
            emulation_year,
            rows=rows,
            members=members,
            is_leader=roles.leader,
            any_closed=any(poll.status == Poll.Status.CLOSED for poll in polls),
            can_create=can_manage and emulation_year.phase in actions.PREPARE_PHASES,
            not_now=_not_now(emulation_year) if can_manage else "",
        ),
    )


def _not_now(year: EmulationYear) -> str:
    """Why no poll can be prepared now ("" in the conference and voting phases)."""
    if year.phase in actions.PREPARE_PHASES:
        return ""
    return _(
        "Polls are prepared in the conference and voting phases; the year is in %(phase)s."
    ) % {"phase": year.get_phase_display()}


def _poll_form_page(
    request: SignedInRequest, emulation_year: EmulationYear, poll: Poll | None
) -> HttpResponse:
    initial = PollForm.initial_for(poll) if poll else {"title": "", "max_choices": 1, "seats": 1}
    form = PollForm(request.POST or None, initial=initial, year=emulation_year)
    status = 200
    if request.method == "POST":

        def save() -> Poll:
            if poll is None:
                return actions.do_create_poll(
                    emulation_year, spec=form.spec(), acting_user=request.user
                )
            return actions.do_update_poll(poll, spec=form.spec(), acting_user=request.user)

        outcome = run_form_action(form, save)
        if outcome.done and outcome.result is not None:
            messages.success(request, _("The poll is saved."))
            return redirect(
                "voting:poll",
                slug=emulation_year.cluster.slug,
                year=emulation_year.year,
                poll_id=outcome.result.pk,
            )
        status = outcome.status
    return render(
        request,
        "voting/poll_form.html",
        year_context(emulation_year, form=form, poll=poll, not_now=_not_now(emulation_year)),
        status=status,
    )


@login_required
def poll_create(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    return _poll_form_page(request, emulation_year, None)


@login_required
def poll_edit(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    return _poll_form_page(request, emulation_year, _poll_of(emulation_year, poll_id))


def _detail(
    request: SignedInRequest,
    emulation_year: EmulationYear,
    poll: Poll,
    *,
    ballot_form: BallotForm | None = None,
    status: int = 200,
) -> HttpResponse:
    candidates = reads.candidates_of(poll)
    roles = access.roles_in_year(request.user, emulation_year)
    voted = reads.turnout([poll])[poll.pk]
    memberships = sorted(
        emulation_year.memberships.select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    can_vote = (
        roles.leader
        and poll.status == Poll.Status.OPEN
        and not poll.is_paper
        and emulation_year.phase == Phase.VOTING
        and roles.own_member_org_id not in voted
    )
    if can_vote and ballot_form is None:
        ballot_form = BallotForm(poll=poll, candidates=candidates)
    can_manage = request.user.has_perm("voting.manage", emulation_year)
    paper = reads.paper_count_of(poll) if poll.is_paper else None
    result = reads.count(poll, candidates)
    return render(
        request,
        "voting/poll_detail.html",
        year_context(
            emulation_year,
            poll=poll,
            candidates=candidates,
            register=[(m, m.organization_id in voted) for m in memberships],
            voted_count=len(voted),
            ballot_form=ballot_form if can_vote else None,
            my_unit_voted=roles.own_member_org_id in voted,
            can_manage=can_manage,
            in_voting=emulation_year.phase == Phase.VOTING,
            paper=paper,
            has_result=result is not None,
            next_round_rule=reads.next_round_rule(poll),
            next_round=result is not None and reads.calls_for_next_round(poll, result),
        ),
        status=status,
    )


@login_required
def poll_detail(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    return _detail(request, emulation_year, _poll_of(emulation_year, poll_id))


@login_required
@require_POST
def vote(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    candidates = reads.candidates_of(poll)
    form = BallotForm(request.POST, poll=poll, candidates=candidates)
    if not form.is_valid():
        messages.error(request, _("The choice is not a candidate of this poll."))
        return _detail(request, emulation_year, poll, ballot_form=form, status=400)
    with refusal_told(request) as told:
        receipt = actions.do_cast_ballot(poll, choices=form.chosen(), acting_user=request.user)
        # The receipt is rendered once, in this response, and is never stored in clear.
        return render(
            request, "voting/receipt.html", year_context(emulation_year, poll=poll, receipt=receipt)
        )
    return _detail(request, emulation_year, poll, ballot_form=form, status=told.status)


def _manage_action(
    request: SignedInRequest,
    slug: str,
    year: int,
    poll_id: int,
    action: Callable[..., object],
    done: str,
) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    poll = _poll_of(emulation_year, poll_id)
    unconfirmed = ConfirmForm(request.POST).refusal()
    if unconfirmed:
        messages.error(request, unconfirmed)
        return redirect("voting:poll", slug=slug, year=year, poll_id=poll.pk)
    with refusal_told(request):
        changed = action(poll, acting_user=request.user)
        messages.success(request, done)
        if isinstance(changed, Poll):
            poll = changed
    return redirect("voting:poll", slug=slug, year=year, poll_id=poll.pk)


@login_required
@require_POST
def open_poll(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    return _manage_action(
        request, slug, year, poll_id, actions.do_open_poll, _("The poll is open.")
    )


@login_required
@require_POST
def close_poll(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    return _manage_action(
        request, slug, year, poll_id, actions.do_close_poll, _("The poll is closed.")
    )


@login_required
@require_POST
def open_next_round(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    return _manage_action(
        request,
        slug,
        year,
        poll_id,
        actions.do_open_next_round,
        _("The next round is open: the members can vote in it now."),
    )


@login_required
@require_POST
def confirm_count(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    return _manage_action(
        request,
        slug,
        year,
        poll_id,
        actions.do_confirm_paper_count,
        _("The paper count is confirmed."),
    )


@login_required
def paper_count(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    poll = _poll_of(emulation_year, poll_id)
    candidates = reads.candidates_of(poll)
    existing = reads.paper_count_of(poll)
    initial: dict[str, object] = {}
    if existing is not None:
        initial = {"ballots_cast": existing.ballots_cast, "blank_ballots": existing.blank_ballots}
        initial |= {f"votes_{line.candidate_id}": line.votes for line in existing.lines.all()}
    form = PaperCountForm(request.POST or None, initial=initial, candidates=candidates)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_enter_paper_count(
                poll,
                ballots_cast=form.cleaned_data["ballots_cast"],
                blank_ballots=form.cleaned_data["blank_ballots"],
                votes=form.votes(),
                acting_user=request.user,
            ),
        )
        if outcome.done:
            messages.success(
                request, _("The count is entered; another member of the secretariat confirms it.")
            )
            return redirect("voting:poll", slug=slug, year=year, poll_id=poll.pk)
        status = outcome.status
    return render(
        request,
        "voting/paper_count.html",
        year_context(emulation_year, poll=poll, form=form),
        status=status,
    )


@login_required
def results(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    candidates = reads.candidates_of(poll)
    result = reads.count(poll, candidates)
    shown = reads.shown(poll, result, candidates) if result is not None else None
    chart = None
    if shown is not None and shown.full:
        chart = {"labels": [r.label for r in shown.rows], "votes": [r.votes for r in shown.rows]}
    receipt_form = ReceiptForm(request.GET or None)
    receipt_checked = None
    if result is not None and receipt_form.is_valid():
        receipt_checked = actions.receipt_is_counted(poll, receipt_form.cleaned_data["code"])
    return render(
        request,
        "voting/results.html",
        year_context(
            emulation_year,
            poll=poll,
            shown=shown,
            chart=chart,
            receipt_form=receipt_form,
            receipt_checked=receipt_checked,
            published_box=reads.published_box(poll) if result is not None else None,
            box_is_public=reads.box_is_public(poll),
            next_round_rule=reads.next_round_rule(poll),
            next_round=result is not None
            and request.user.has_perm("voting.manage", emulation_year)
            and emulation_year.phase == Phase.VOTING
            and reads.calls_for_next_round(poll, result),
        ),
    )


@login_required
def ballot_box(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    """The closed poll's published ballot box, for `thidua recount`; only under full counts."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    published = reads.published_box(poll)
    if published is None or not reads.box_is_public(poll):
        raise Http404
    response = HttpResponse(published.content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hom-phieu-{poll.pk}.json"'
    return response


def _document(request: SignedInRequest, data: bytes, name: str, back: str) -> HttpResponse:
    """The .docx, or its PDF copy where the link asks for one (`?format=pdf`)."""
    if request.GET.get("format") == "pdf":
        with refusal_told(request):
            return pdf.response(pdf.pdf_of(data), name.replace(".docx", ".pdf"))
        return redirect(back)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def minutes(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    candidates = reads.candidates_of(poll)
    result = reads.count(poll, candidates)
    if result is None:
        raise Http404
    content = documents.minutes(poll, reads.shown(poll, result, candidates))
    back = reverse("voting:results", kwargs={"slug": slug, "year": year, "poll_id": poll.pk})
    return _document(request, content, f"bien-ban-kiem-phieu-{poll.pk}.docx", back)


@login_required
def ballot_papers(request: SignedInRequest, slug: str, year: int, poll_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    poll = _poll_of(emulation_year, poll_id)
    if not poll.is_paper:
        raise Http404
    content = documents.ballot_papers(poll, reads.candidates_of(poll))
    back = reverse("voting:poll", kwargs={"slug": slug, "year": year, "poll_id": poll.pk})
    return _document(request, content, f"phieu-bau-{poll.pk}.docx", back)


@login_required
def results_export(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    # A closed paper poll whose count is not confirmed yet is left out, as on its page.
    results = exports.results_of(emulation_year)
    response = HttpResponse(
        exports.results_workbook(emulation_year, results), content_type=xlsx.CONTENT_TYPE
    )
    name = f"ket-qua-bo-phieu-{emulation_year.cluster.slug}-{emulation_year.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
