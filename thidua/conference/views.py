"""Pages of the conference: its record, the draft report, the documents and the news."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.award_history.models import Decision
from thidua.awards import documents as award_documents
from thidua.cycle.models import EmulationYear
from thidua.cycle.pages import year_context
from thidua.errors import ActionRefused, Refusal, refusal_told, run_form_action
from thidua.lib import pdf
from thidua.orgs.models import Organization

from . import actions, documents, dossier, rules
from .forms import (
    ArticleForm,
    AttendeeForm,
    CommentForm,
    ConferenceForm,
    RevisionForm,
    TemplateForm,
)
from .models import (
    Attendee,
    Comment,
    Conference,
    DecisionDocumentKind,
    DocumentKind,
    NewsArticle,
    Report,
    ReportVersion,
)


def _url(name: str, year: EmulationYear) -> str:
    from django.urls import reverse

    return reverse(f"conference:{name}", kwargs={"slug": year.cluster.slug, "year": year.year})


# --- the conference ---------------------------------------------------------------------------


@login_required
def detail(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    conference = Conference.objects.filter(year=emulation_year).select_related("host").first()
    can_manage = request.user.has_perm("conference.manage", emulation_year)
    members = Organization.objects.filter(memberships__year=emulation_year)
    form = None
    status = 200
    # Once the year is closed its conference is a record: no form to change it is offered.
    can_edit = can_manage and emulation_year.phase in actions.OPEN_PHASES
    if request.method == "POST":
        access.require(request.user, "conference.manage", emulation_year)
    if can_edit or request.method == "POST":
        initial = {}
        if conference is not None:
            initial = {
                "starts_on": conference.starts_on,
                "ends_on": conference.ends_on,
                "closed_at": conference.closed_at,
                "host": conference.host,
                "venue": conference.venue,
                "agenda": conference.agenda,
                "decisions": conference.decisions,
                "directions": conference.directions,
            }
        form = ConferenceForm(request.POST or None, initial=initial, members=members)
        if request.method == "POST":
            outcome = run_form_action(
                form,
                lambda: actions.do_set_conference(
                    emulation_year, acting_user=request.user, **form.cleaned_data
                ),
            )
            if outcome.done:
                messages.success(request, _("The conference is saved."))
                return redirect(_url("detail", emulation_year))
            status = outcome.status
    attendees = list(conference.attendees.all()) if conference else []
    return render(
        request,
        "conference/detail.html",
        year_context(
            emulation_year,
            conference=conference,
            attendees=attendees,
            form=form,
            attendee_form=AttendeeForm() if can_edit and conference else None,
            can_manage=can_manage,
            can_edit=can_edit,
        ),
        status=status,
    )


@login_required
@require_POST
def attendee_add(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    conference = get_object_or_404(Conference, year=emulation_year)
    form = AttendeeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in the name, the position and the unit."))
        return redirect(_url("detail", emulation_year))
    with refusal_told(request):
        actions.do_add_attendee(conference, acting_user=request.user, **form.cleaned_data)
    return redirect(_url("detail", emulation_year))


@login_required
@require_POST
def attendee_remove(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    attendee = get_object_or_404(Attendee, pk=pk, conference__year=emulation_year)
    with refusal_told(request):
        actions.do_remove_attendee(attendee, acting_user=request.user)
    return redirect(_url("detail", emulation_year))


# --- the summary report -----------------------------------------------------------------------


def _versions(emulation_year: EmulationYear) -> list[ReportVersion]:
    return list(ReportVersion.objects.filter(report__year=emulation_year).order_by("number"))


@login_required
def report(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    the_report = Report.objects.filter(year=emulation_year).first()
    versions = _versions(emulation_year)
    latest = versions[-1] if versions else None
    comments: dict[str, list[Comment]] = {}
    if latest is not None:
        for comment in Comment.objects.filter(version__report__year=emulation_year).select_related(
            "organization", "version"
        ):
            comments.setdefault(comment.section, []).append(comment)
    sections = [
        {**s, "lines": rules.lines(s["text"]), "comments": comments.get(s["key"], [])}
        for s in (latest.sections if latest else [])
    ]
    is_final = the_report is not None and the_report.is_final
    open_for_work = emulation_year.phase in actions.DRAFTING and not is_final
    can_manage = request.user.has_perm("conference.manage", emulation_year)
    can_comment = request.user.has_perm("conference.comment", emulation_year) and open_for_work
    comment_form = None
    status = 200
    if request.method == "POST":
        access.require(request.user, "conference.comment", emulation_year)
        if latest is None:
            raise Http404
        form = comment_form = CommentForm(request.POST, sections=latest.sections)
        outcome = run_form_action(
            form, lambda: actions.do_comment(latest, acting_user=request.user, **form.cleaned_data)
        )
        if outcome.done:
            messages.success(request, _("Your comment is recorded."))
            return redirect(_url("report", emulation_year))
        status = outcome.status
    elif can_comment and latest is not None:
        comment_form = CommentForm(sections=latest.sections)
    return render(
        request,
        "conference/report.html",
        year_context(
            emulation_year,
            report=the_report,
            latest=latest,
            versions=versions,
            sections=sections,
            comment_form=comment_form if can_comment else None,
            can_manage=can_manage and open_for_work,
            is_final=is_final,
            drafting=emulation_year.phase in actions.DRAFTING,
        ),
        status=status,
    )


@login_required
@require_POST
def report_generate(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    with refusal_told(request):
        version = actions.do_generate_report(emulation_year, acting_user=request.user)
        messages.success(
            request, _("Version %(number)s of the draft is ready.") % {"number": version.number}
        )
    return redirect(_url("report", emulation_year))


@login_required
def report_revise(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    the_report = get_object_or_404(Report, year=emulation_year)
    versions = _versions(emulation_year)
    if not versions:
        raise Http404
    latest = versions[-1]
    form = RevisionForm(
        request.POST or None, sections=latest.sections, initial={"based_on": latest.number}
    )
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_revise_report(
                the_report,
                texts=form.texts(),
                note=form.cleaned_data["note"],
                based_on=form.cleaned_data["based_on"],
                acting_user=request.user,
            ),
        )
        if outcome.done and outcome.result is not None:
            number = outcome.result.number
            messages.success(request, _("Version %(number)s is saved.") % {"number": number})
            return redirect(f"{_url('compare', emulation_year)}?a={latest.number}&b={number}")
        status = outcome.status
    comments = Comment.objects.filter(version=latest).select_related("organization")
    return render(
        request,
        "conference/revise.html",
        year_context(emulation_year, form=form, latest=latest, comments=comments),
        status=status,
    )


@login_required
def report_compare(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    versions = _versions(emulation_year)
    if not versions:
        raise Http404
    by_number = {v.number: v for v in versions}
    try:
        a = int(request.GET.get("a", max(1, versions[-1].number - 1)))
        b = int(request.GET.get("b", versions[-1].number))
    except ValueError:
        raise Http404 from None
    if a not in by_number or b not in by_number:
        raise Http404
    left, right = by_number[a], by_number[b]
    return render(
        request,
        "conference/compare.html",
        year_context(
            emulation_year,
            left=left,
            right=right,
            versions=versions,
            diffs=rules.compare(left.sections, right.sections),
        ),
    )


@login_required
@require_POST
def report_finalise(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    the_report = get_object_or_404(Report, year=emulation_year)
    with refusal_told(request):
        actions.do_finalise_report(the_report, acting_user=request.user)
        messages.success(request, _("The report is final."))
    return redirect(_url("report", emulation_year))


# --- documents --------------------------------------------------------------------------------


@login_required
def documents_page(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    can_manage = request.user.has_perm("conference.manage", emulation_year)
    can_decide = request.user.has_perm("awards.decide", emulation_year)
    # The secretariat's templates are the conference's documents; the deciding authority's,
    # the decision and its certificates.
    changeable = [
        *(DocumentKind.choices if can_manage else []),
        *(DecisionDocumentKind.choices if can_decide else []),
    ]
    form = None
    status = 200
    if request.method == "POST" and not changeable:
        access.require(request.user, "conference.manage", emulation_year)
    if changeable:
        form = TemplateForm(request.POST or None, request.FILES or None, kinds=changeable)
        if request.method == "POST":
            outcome = run_form_action(
                form,
                lambda: actions.do_upload_template(
                    emulation_year,
                    kind=form.cleaned_data["kind"],
                    filename=form.cleaned_data["file"].name,
                    data=form.cleaned_data["file"].read(),
                    acting_user=request.user,
                ),
                field="file",
            )
            if outcome.done:
                messages.success(request, _("The template is in use."))
                return redirect(_url("documents", emulation_year))
            status = outcome.status
    shown = [*DocumentKind, *(DecisionDocumentKind if can_decide else [])]
    kinds = [
        {
            "kind": kind,
            "template": dossier.active_template(emulation_year.cluster_id, kind.value),
            "can_change": kind.value in dict(changeable),
        }
        for kind in shown
    ]
    return render(
        request,
        "conference/documents.html",
        year_context(
            emulation_year,
            kinds=kinds,
            form=form,
            can_manage=can_manage,
            can_decide=can_decide,
        ),
        status=status,
    )


def _docx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=documents.DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _latest_decision(emulation_year: EmulationYear) -> Decision:
    found = emulation_year.award_decisions.order_by("-date", "-sequence", "-pk").first()
    if found is None:
        raise ActionRefused(
            _("No award decision has been recorded for the year yet."), kind=Refusal.NOTHING
        )
    return found


@login_required
def download(request: SignedInRequest, slug: str, year: int, kind: str) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    if kind in DecisionDocumentKind.values:
        # The year's latest decision, as the decision page gives it, to its deciding authority.
        access.require(request.user, "awards.decide", emulation_year)
        with refusal_told(request):
            decision = _latest_decision(emulation_year)
            if kind == DecisionDocumentKind.DECISION:
                data = award_documents.decision_document(decision)
                return _docx(data, award_documents.decision_filename(decision))
            data = award_documents.certificates(decision)
            name = award_documents.certificates_filename(decision).replace(".pdf", ".docx")
            return _docx(data, name)
        return redirect(_url("documents", emulation_year))
    if kind not in DocumentKind.values:
        raise Http404
    with refusal_told(request):
        return _docx(dossier.build(emulation_year, kind), dossier.filename(emulation_year, kind))
    return redirect(_url("documents", emulation_year))


@login_required
def download_pdf(request: SignedInRequest, slug: str, year: int, kind: str) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    if kind in DecisionDocumentKind.values:
        access.require(request.user, "awards.decide", emulation_year)
        with refusal_told(request):
            decision = _latest_decision(emulation_year)
            if kind == DecisionDocumentKind.DECISION:
                data = pdf.pdf_of(award_documents.decision_document(decision))
                name = award_documents.decision_filename(decision).replace(".docx", ".pdf")
                return pdf.response(data, name)
            if award_documents.require_holders(decision) > award_documents.PAGE_BATCH:
                raise ActionRefused(
                    _(
                        "The decision grants more than %(count)s holders: print their"
                        " certificates in the background from the decision page."
                    )
                    % {"count": award_documents.PAGE_BATCH},
                    kind=Refusal.REFUSED,
                )
            data = award_documents.certificates_pdf(decision)
            return pdf.response(data, award_documents.certificates_filename(decision))
        return redirect(_url("documents", emulation_year))
    if kind not in DocumentKind.values:
        raise Http404
    with refusal_told(request):
        data = pdf.pdf_of(dossier.build(emulation_year, kind))
        name = dossier.filename(emulation_year, kind).replace(".docx", ".pdf")
        return pdf.response(data, name)
    return redirect(_url("documents", emulation_year))


@login_required
def starter(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.view")
    kind = request.GET.get("kind", "")
    if kind in DecisionDocumentKind.values:
        # The decision's and a certificate's own layout, with its placeholders.
        access.require(request.user, "awards.decide", emulation_year)
        return _docx(award_documents.starter_template(kind), f"thidua-{kind}-template.docx")
    return _docx(documents.starter_template(), "thidua-template.docx")


@login_required
@require_POST
def template_reset(request: SignedInRequest, slug: str, year: int, kind: str) -> HttpResponse:
    # The decision's templates are the deciding authority's; the others, the secretariat's.
    perm = "awards.decide" if kind in DecisionDocumentKind.values else "conference.manage"
    emulation_year = access.get_year_for(request.user, slug, year, perm)
    with refusal_told(request):
        actions.do_reset_template(emulation_year, kind=kind, acting_user=request.user)
    return redirect(_url("documents", emulation_year))


# --- news (the secretariat's side) ------------------------------------------------------------


@login_required
def news(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    articles = NewsArticle.objects.filter(year=emulation_year).order_by("-updated_at", "-pk")
    return render(request, "conference/news.html", year_context(emulation_year, articles=articles))


@login_required
def article_edit(
    request: SignedInRequest, slug: str, year: int, pk: int | None = None
) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    article = get_object_or_404(NewsArticle, pk=pk, year=emulation_year) if pk else None
    initial = {"title": article.title, "body": article.body} if article else {}
    form = ArticleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_save_article(
                emulation_year, article=article, acting_user=request.user, **form.cleaned_data
            ),
        )
        if outcome.done:
            messages.success(request, _("The article is saved."))
            return redirect(_url("news", emulation_year))
        status = outcome.status
    return render(
        request,
        "conference/article_form.html",
        year_context(emulation_year, form=form, article=article),
        status=status,
    )


@login_required
@require_POST
def article_draft(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    with refusal_told(request):
        article = actions.do_draft_conference_article(emulation_year, acting_user=request.user)
        messages.success(request, _("thidua drafted the conference article: check it and edit it."))
        return redirect("conference:article_edit", slug=slug, year=year, pk=article.pk)
    return redirect(_url("news", emulation_year))


@login_required
@require_POST
def article_publish(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "conference.manage")
    article = get_object_or_404(NewsArticle, pk=pk, year=emulation_year)
    publish = request.POST.get("publish") != "0"
    with refusal_told(request):
        actions.do_publish_article(article, publish=publish, acting_user=request.user)
        messages.success(
            request, _("The article is published.") if publish else _("The article is withdrawn.")
        )
    return redirect(_url("news", emulation_year))


# --- news (public) ----------------------------------------------------------------------------


def _published(cluster_slug: str) -> Any:
    return NewsArticle.objects.filter(
        cluster__slug=cluster_slug, status=NewsArticle.Status.PUBLISHED
    ).order_by("-published_at", "-pk")


def public_news(request: SignedInRequest, cluster: str) -> HttpResponse:
    articles = list(_published(cluster).select_related("cluster"))
    if not articles:
        from thidua.orgs.models import Cluster

        the_cluster = get_object_or_404(Cluster, slug=cluster)
    else:
        the_cluster = articles[0].cluster
    return render(
        request, "conference/public_news.html", {"news_cluster": the_cluster, "articles": articles}
    )


def public_article(request: SignedInRequest, cluster: str, pk: int) -> HttpResponse:
    article = get_object_or_404(_published(cluster).select_related("cluster"), pk=pk)
    others = list(_published(cluster).exclude(pk=pk).only("pk", "title", "published_at")[:20])
    return render(
        request,
        "conference/public_article.html",
        {"news_cluster": article.cluster, "article": article, "others": others},
    )
