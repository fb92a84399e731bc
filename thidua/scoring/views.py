"""Pages of the year's scoring. Each looks its objects up through `thidua.access`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.audit.stamp import StampedCache
from thidua.cycle.forms import ConfirmForm
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.cycle.pages import year_context
from thidua.errors import refusal_told, run_form_action
from thidua.lib import uploads, xlsx
from thidua.lib.numbers import format_percent
from thidua.lib.text import sort_key

from . import actions, exports, reads, rules
from .forms import (
    AssignForm,
    BandsForm,
    CriterionForm,
    DisputeForm,
    EvidenceForm,
    ReviewForm,
    ScoresForm,
    SettleForm,
    TableForm,
)
from .models import (
    Classification,
    Criterion,
    Dispute,
    Evidence,
    ReviewAssignment,
    Score,
    SelfAssessment,
)
from .problems import describe, label, points

# --- the criteria table ---------------------------------------------------------------------


@login_required
def table(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    the_table = reads.table_of(emulation_year)
    can_manage = request.user.has_perm("scoring.manage", emulation_year)
    editable = can_manage and emulation_year.phase in actions.EDIT_PHASES
    context = year_context(emulation_year, table=the_table, can_manage=can_manage)
    if the_table is None:
        previous = actions.previous_table(emulation_year)
        context |= {
            "previous": previous,
            "create_form": TableForm(
                initial={
                    "title": _("Criteria table for %(year)s") % {"year": emulation_year.year},
                    "copy_previous": previous is not None,
                }
            )
            if editable
            else None,
        }
        return render(request, "scoring/table.html", context)
    tree = reads.load_tree(the_table)
    editable = editable and not the_table.is_locked
    sections = [row for row in tree.rows if not row.is_leaf]
    context |= {
        "rows": [{"criterion": row, "depth": tree.depth[row.pk]} for row in tree.rows],
        "editable": editable,
        "problems": [describe(p) for p in tree.problems()],
        "max_total": points(tree.max_total),
        "min_total": points(tree.min_total),
        "bands": [
            {"label": label(b.classification), "min": points(b.min_total)} for b in tree.bands
        ],
        "bands_are_default": not tree.stored_bands,
        "add_form": CriterionForm(sections=sections) if editable else None,
        "bands_form": BandsForm(initial={b.classification.value: b.min_total for b in tree.bands})
        if editable
        else None,
    }
    return render(request, "scoring/table.html", context)


@login_required
@require_POST
def table_create(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    form = TableForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the table a title."))
        return redirect("scoring:table", slug=slug, year=year)
    copy_from = (
        actions.previous_table(emulation_year) if form.cleaned_data["copy_previous"] else None
    )
    with refusal_told(request):
        actions.do_create_table(
            emulation_year,
            title=form.cleaned_data["title"],
            copy_from=copy_from,
            acting_user=request.user,
        )
        messages.success(request, _("The criteria table is created."))
    return redirect("scoring:table", slug=slug, year=year)


def _criterion_input(form: CriterionForm) -> actions.CriterionInput:
    data = form.cleaned_data
    return actions.CriterionInput(data["number"], data["title"], data["kind"], data["max_points"])


@login_required
@require_POST
def criterion_add(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    the_table = reads.table_of(emulation_year)
    if the_table is None:
        raise Http404
    sections = list(Criterion.objects.filter(table=the_table, kind=Criterion.Kind.SECTION))
    form = CriterionForm(request.POST, sections=sections)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("scoring:table", slug=slug, year=year)
    parent = next((s for s in sections if s.pk == form.cleaned_data["parent"]), None)
    with refusal_told(request):
        actions.do_add_criterion(
            the_table, parent=parent, data=_criterion_input(form), acting_user=request.user
        )
        messages.success(request, _("The criterion is added."))
    return redirect("scoring:table", slug=slug, year=year)


def _criterion_for(request: SignedInRequest, slug: str, year: int, pk: int) -> Criterion:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    return get_object_or_404(
        Criterion.objects.select_related("table__year__cluster"), pk=pk, table__year=emulation_year
    )


@login_required
def criterion_edit(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    criterion = _criterion_for(request, slug, year, pk)
    initial = {
        "number": criterion.number,
        "title": criterion.title,
        "kind": criterion.kind,
        "max_points": criterion.max_points,
        "parent": criterion.parent_id,
    }
    form = CriterionForm(request.POST or None, initial=initial)
    del form.fields["parent"]
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_change_criterion(
                criterion, data=_criterion_input(form), acting_user=request.user
            ),
        )
        if outcome.done:
            messages.success(request, _("The criterion is saved."))
            return redirect("scoring:table", slug=slug, year=year)
        status = outcome.status
    return render(
        request,
        "scoring/criterion_form.html",
        year_context(criterion.table.year, form=form, criterion=criterion),
        status=status,
    )


@login_required
@require_POST
def criterion_remove(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    criterion = _criterion_for(request, slug, year, pk)
    with refusal_told(request):
        actions.do_remove_criterion(criterion, acting_user=request.user)
        messages.success(request, _("The criterion is removed."))
    return redirect("scoring:table", slug=slug, year=year)


@login_required
@require_POST
def criterion_move(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    criterion = _criterion_for(request, slug, year, pk)
    with refusal_told(request):
        actions.do_move_criterion(
            criterion, up=request.POST.get("direction") == "up", acting_user=request.user
        )
    return redirect("scoring:table", slug=slug, year=year)


@login_required
@require_POST
def bands_set(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    the_table = reads.table_of(emulation_year)
    if the_table is None:
        raise Http404
    form = BandsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a threshold for each classification."))
        return redirect("scoring:table", slug=slug, year=year)
    with refusal_told(request):
        actions.do_set_bands(the_table, thresholds=form.thresholds(), acting_user=request.user)
        messages.success(request, _("The classification thresholds are saved."))
    return redirect("scoring:table", slug=slug, year=year)


# --- self-assessment ------------------------------------------------------------------------


def _assessment_rows(
    tree: reads.TableTree, assessment: SelfAssessment | None, form: Any = None
) -> list[dict[str, Any]]:
    """One row per node of the table with the member's figures; two queries for all leaves."""
    scores: dict[int, Score] = {}
    if assessment is not None:
        scores = {
            s.criterion_id: s
            for s in Score.objects.filter(assessment=assessment)
            .select_related("review", "review__reviewer__organization", "dispute")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        }
    rows = []
    for criterion in tree.rows:
        score = scores.get(criterion.pk)
        row: dict[str, Any] = {
            "criterion": criterion,
            "depth": tree.depth[criterion.pk],
            "score": score,
            "review": getattr(score, "review", None) if score else None,
            "dispute": getattr(score, "dispute", None) if score else None,
            "evidence": list(score.evidence.all()) if score else [],
        }
        if form is not None and criterion.is_leaf:
            row["fields"] = [
                form[name] for name in form.fields if name.endswith(f"_{criterion.pk}")
            ]
        rows.append(row)
    return rows


def _initial_scores(assessment: SelfAssessment | None) -> dict[str, Any]:
    if assessment is None:
        return {}
    initial: dict[str, Any] = {}
    for score in assessment.scores.all():
        initial[f"points_{score.criterion_id}"] = score.points
        initial[f"explanation_{score.criterion_id}"] = score.explanation
    return initial


@login_required
def assessment(
    request: SignedInRequest, slug: str, year: int, organization_id: int
) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    membership = access.get_membership_for(
        request.user, emulation_year, organization_id, "scoring.view_unit"
    )
    the_table = reads.table_of(emulation_year)
    if the_table is None or not the_table.is_locked:
        return render(
            request, "scoring/assessment.html", year_context(emulation_year, membership=membership)
        )
    tree = reads.load_tree(the_table)
    the_assessment = SelfAssessment.objects.filter(membership=membership).first()
    own_unit = request.user.has_perm("scoring.self_score", membership)
    submitted = the_assessment is not None and the_assessment.is_submitted
    editable = own_unit and not submitted and emulation_year.phase == Phase.SELF_ASSESSMENT
    form = None
    status = 200
    if editable:
        scores = form = ScoresForm(
            request.POST or None, tree=tree, initial=_initial_scores(the_assessment)
        )
        if request.method == "POST":
            outcome = run_form_action(
                scores,
                lambda: actions.do_save_self_scores(
                    membership, entries=scores.entries(), acting_user=request.user
                ),
            )
            if outcome.done:
                messages.success(request, _("The scores are saved."))
                return redirect(request.path)
            status = outcome.status
    elif request.method == "POST":
        access.require(request.user, "scoring.self_score", membership)
        messages.error(request, _("The self-assessment can no longer be changed."))
        status = 409
    # Other units see the scores once they are submitted, not the drafts.
    may_see = own_unit or submitted
    visible = the_assessment if may_see else None
    scored = [s for s in (visible.scores.all() if visible else []) if s.points is not None]
    context = year_context(
        emulation_year,
        membership=membership,
        table=the_table,
        assessment=the_assessment,
        submitted=submitted,
        visible=may_see,
        editable=editable,
        form=form,
        rows=_assessment_rows(tree, visible, form),
        max_total=points(tree.max_total),
        self_total=points(sum((s.points for s in scored if s.points is not None), Decimal(0)))
        if scored
        else None,
        can_submit=editable and request.user.has_perm("scoring.submit", membership),
        evidence_form=EvidenceForm() if editable else None,
        evidence_limit=uploads.format_size(uploads.limit("scoring_evidence")),
        leaves=tree.leaves,
        can_dispute=emulation_year.phase == Phase.CROSS_CHECK
        and request.user.has_perm("scoring.dispute", membership),
        dispute_form=DisputeForm(),
    )
    return render(request, "scoring/assessment.html", context, status=status)


def _membership(
    request: SignedInRequest, slug: str, year: int, organization_id: int, perm: str
) -> Membership:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    return access.get_membership_for(request.user, emulation_year, organization_id, perm)


@login_required
@require_POST
def assessment_submit(
    request: SignedInRequest, slug: str, year: int, organization_id: int
) -> HttpResponse:
    membership = _membership(request, slug, year, organization_id, "scoring.submit")
    unconfirmed = ConfirmForm(request.POST).refusal()
    if unconfirmed:
        messages.error(request, unconfirmed)
        return redirect("scoring:assessment", slug=slug, year=year, organization_id=organization_id)
    with refusal_told(request):
        actions.do_submit_assessment(membership, acting_user=request.user)
        messages.success(request, _("The self-assessment is submitted."))
    return redirect("scoring:assessment", slug=slug, year=year, organization_id=organization_id)


@login_required
@require_POST
def evidence_upload(
    request: SignedInRequest, slug: str, year: int, organization_id: int
) -> HttpResponse:
    membership = _membership(request, slug, year, organization_id, "scoring.self_score")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, uploads.refused(form) or _("Choose a criterion and a file."))
    else:
        criterion = Criterion.objects.filter(
            pk=form.cleaned_data["criterion"], table__year=membership.year
        ).first()
        if criterion is None:
            raise Http404
        with refusal_told(request), uploads.storing():
            actions.do_add_evidence(
                membership,
                criterion=criterion,
                upload=form.cleaned_data["file"],
                acting_user=request.user,
            )
            messages.success(request, _("The evidence file is attached."))
    return redirect("scoring:assessment", slug=slug, year=year, organization_id=organization_id)


@login_required
def evidence_download(request: SignedInRequest, slug: str, year: int, pk: int) -> FileResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    evidence = get_object_or_404(
        Evidence.objects.select_related("score__assessment__membership__year"),
        pk=pk,
        score__assessment__membership__year=emulation_year,
    )
    membership = evidence.score.assessment.membership
    access.require(request.user, "scoring.view_unit", membership)
    own_unit = request.user.has_perm("scoring.self_score", membership)
    if not (own_unit or evidence.score.assessment.is_submitted):
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_POST
def dispute_raise(
    request: SignedInRequest, slug: str, year: int, organization_id: int, score_id: int
) -> HttpResponse:
    membership = _membership(request, slug, year, organization_id, "scoring.dispute")
    score = get_object_or_404(
        Score.objects.select_related("assessment__membership", "criterion"),
        pk=score_id,
        assessment__membership=membership,
    )
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the dispute."))
    else:
        with refusal_told(request):
            actions.do_raise_dispute(
                score, reason=form.cleaned_data["reason"], acting_user=request.user
            )
            messages.success(request, _("The dispute is sent to the secretariat."))
    return redirect("scoring:assessment", slug=slug, year=year, organization_id=organization_id)


# --- cross-check ------------------------------------------------------------------------------


@login_required
def cross_check(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    members = sorted(
        Membership.objects.filter(year=emulation_year).select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    by_pk = {m.pk: m for m in members}
    assignments = {
        a.reviewed_id: a for a in ReviewAssignment.objects.filter(reviewed__year=emulation_year)
    }
    can_manage = request.user.has_perm("scoring.manage", emulation_year)
    can_assign = can_manage and emulation_year.phase in actions.ASSIGN_PHASES
    status = 200
    form = None
    if can_assign:
        plan = {r: a.reviewer_id for r, a in assignments.items()} or actions.proposed_rotation(
            emulation_year
        )
        assigning = form = AssignForm(
            request.POST or None,
            members=members,
            initial={f"reviewer_{r}": by for r, by in plan.items()},
        )
        if request.method == "POST":
            outcome = run_form_action(
                assigning,
                lambda: actions.do_assign_reviewers(
                    emulation_year, plan=assigning.plan(), acting_user=request.user
                ),
            )
            if outcome.done:
                messages.success(request, _("The cross-check assignments are saved."))
                return redirect("scoring:cross_check", slug=slug, year=year)
            status = outcome.status
    elif request.method == "POST":
        access.require(request.user, "scoring.manage", emulation_year)
        messages.error(request, _("Reviewers can no longer be assigned in this phase."))
        status = 409
    own = access.roles_in_year(request.user, emulation_year).own_member_org_id
    rows = [
        {
            "member": m,
            "reviewer": by_pk.get(assignments[m.pk].reviewer_id) if m.pk in assignments else None,
            "mine": m.pk in assignments
            and by_pk[assignments[m.pk].reviewer_id].organization_id == own,
        }
        for m in members
    ]
    disputes = list(
        Dispute.objects.filter(score__assessment__membership__year=emulation_year)
        .select_related(
            "score__criterion", "score__review", "score__assessment__membership__organization"
        )
        .order_by("settled_at", "raised_at", "pk")
    )
    return render(
        request,
        "scoring/cross_check.html",
        year_context(
            emulation_year,
            rows=rows,
            form=form,
            assigned=bool(assignments),
            disputes=disputes,
            can_settle=can_manage and emulation_year.phase == Phase.CROSS_CHECK,
            not_now=_(
                "Reviewers are assigned in the self-assessment and cross-check phases; the year "
                "is in %(phase)s."
            )
            % {"phase": emulation_year.get_phase_display()}
            if can_manage and not can_assign
            else "",
            settle_form=SettleForm(),
            own_org_id=own,
        ),
        status=status,
    )


@login_required
def review(request: SignedInRequest, slug: str, year: int, organization_id: int) -> HttpResponse:
    membership = _membership(request, slug, year, organization_id, "scoring.review")
    emulation_year = membership.year
    assignment = (
        ReviewAssignment.objects.filter(reviewed=membership)
        .select_related("reviewer__organization", "reviewed__year")
        .first()
    )
    own = access.roles_in_year(request.user, emulation_year).own_member_org_id
    if assignment is None or assignment.reviewer.organization_id != own:
        raise PermissionDenied(_("Only the assigned reviewer can cross-check this member."))
    the_assessment = (
        SelfAssessment.objects.filter(membership=membership, submitted_at__isnull=False)
        .select_related("table")
        .first()
    )
    if the_assessment is None:
        messages.info(request, _("The member has not submitted its self-assessment yet."))
        return redirect("scoring:cross_check", slug=slug, year=year)
    tree = reads.load_tree(the_assessment.table)
    editable = emulation_year.phase == Phase.CROSS_CHECK
    initial = {}
    for score in the_assessment.scores.select_related("review"):
        current = getattr(score, "review", None)
        initial[f"points_{score.criterion_id}"] = current.points if current else None
        initial[f"reason_{score.criterion_id}"] = current.reason if current else ""
    form = ReviewForm(request.POST or None, tree=tree, initial=initial) if editable else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                _("This cannot be done in the %(phase)s phase.")
                % {"phase": emulation_year.get_phase_display()},
            )
            status = 409
        else:
            review = form
            outcome = run_form_action(
                review,
                lambda: actions.do_save_review(
                    assignment, entries=review.entries(), acting_user=request.user
                ),
            )
            if outcome.done:
                messages.success(request, _("The cross-check is saved."))
                return redirect(request.path)
            status = outcome.status
    return render(
        request,
        "scoring/review.html",
        year_context(
            emulation_year,
            membership=membership,
            assignment=assignment,
            form=form,
            rows=_assessment_rows(tree, the_assessment, form),
        ),
        status=status,
    )


@login_required
@require_POST
def dispute_settle(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.manage")
    dispute = get_object_or_404(
        Dispute.objects.select_related(
            "score__criterion", "score__assessment__membership__year", "score__assessment__table"
        ),
        pk=pk,
        score__assessment__membership__year=emulation_year,
    )
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the settled points and the reason."))
    else:
        with refusal_told(request):
            actions.do_settle_dispute(
                dispute,
                points_settled=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, _("The dispute is settled."))
    return redirect("scoring:cross_check", slug=slug, year=year)


# --- ranking ----------------------------------------------------------------------------------


# Rankings as read from the years' scores, kept in the process until attributed data changes
# (every scoring action, phase change and member change appends an audit entry).
_rankings: StampedCache[reads.Ranking | None] = StampedCache(size=64)


def _current_ranking(year: EmulationYear) -> reads.Ranking | None:
    """The year's ranking as of now (shared by the process's requests: never changed)."""
    # Read with the year as it is when the stamp is taken, not as the request first found it.
    return _rankings.get(year.pk, lambda: reads.ranking(EmulationYear.objects.get(pk=year.pk)))


def _ranking_body(year: EmulationYear) -> str:
    """The ranking page's content for every reader of `year`, in the current language."""
    result = _rankings.get(year.pk, lambda: reads.ranking(year))
    context = year_context(year, ranking=result)
    if result is not None:
        rows = [
            {
                "standing": s,
                "items": points(s.items),
                "bonus": points(s.bonus),
                "penalty": points(s.penalty),
                "total": points(s.total),
                "label": label(s.classification),
            }
            for s in result.standings
        ]
        counts = [
            {
                "label": c.label,
                "count": sum(1 for s in result.standings if s.classification == c.value),
            }
            for c in Classification
        ]
        context |= {
            "rows": rows,
            "counts": counts,
            "max_total": points(result.max_total),
            "bands": [
                {"label": label(b.classification), "min": points(b.min_total)} for b in result.bands
            ],
            "share_good": format_percent(result.share_at_least(rules.Classification.TOT) * 100, 0),
            "chart": {
                "labels": [s.name for s in result.standings],
                "totals": [float(s.total) for s in result.standings],
                "label": _("Total points"),
                "max": float(result.max_total),
            },
        }
    return render_to_string("scoring/_ranking_body.html", context)


# The page's content holds nothing of its reader (no form, no link shown by permission): it is
# rendered once per year, language and time zone until attributed data changes.
_ranking_bodies: StampedCache[str] = StampedCache(size=64)


@login_required
def ranking(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    body = _ranking_bodies.get(
        (emulation_year.pk, get_language(), get_current_timezone_name()),
        # Rendered from the year as it is when the stamp is taken.
        lambda: _ranking_body(
            EmulationYear.objects.select_related("cluster").get(pk=emulation_year.pk)
        ),
    )
    return render(
        request,
        "scoring/ranking.html",
        year_context(
            emulation_year, ranking=_current_ranking(emulation_year), body=mark_safe(body)
        ),
    )


@login_required
def ranking_export(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "scoring.view")
    # The page's ranking, kept (read as of this request's stamp, like the year).
    result = _rankings.get(emulation_year.pk, lambda: reads.ranking(emulation_year))
    if result is None:
        raise Http404
    response = HttpResponse(
        exports.ranking_workbook(emulation_year, result), content_type=xlsx.CONTENT_TYPE
    )
    name = f"xep-hang-{emulation_year.cluster.slug}-{emulation_year.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
