"""The year's documents as files: which content, which template, which file name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thidua.award_history.models import Decision
from thidua.awards import documents as award_documents
from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused, Refusal

from . import content, documents
from .models import DecisionDocumentKind, DocumentKind, DocumentTemplate, NewsArticle
from .reads import latest_version, load

# The placeholders an uploaded template must use, kind by kind: without them the document
# would not say who issues it, its number, date, subject or signer (the news item: its title
# and text).
OFFICIAL = frozenset({"authority", "number", "place_date", "summary", "signer_name"})
REQUIRED_PLACEHOLDERS: dict[str, frozenset[str]] = {
    DocumentKind.REPORT: OFFICIAL | {"sections"},
    DocumentKind.MINUTES: OFFICIAL | {"sections"},
    DocumentKind.PROPOSAL: OFFICIAL | {"sections"},
    DocumentKind.PLEDGE: OFFICIAL | {"sections"},
    DocumentKind.NEWS: frozenset({"summary", "sections"}),
}


def required_placeholders(kind: str) -> frozenset[str]:
    if kind in DecisionDocumentKind.values:
        return award_documents.REQUIRED[kind]
    return REQUIRED_PLACEHOLDERS.get(kind, frozenset())


def allowed_placeholders(kind: str) -> frozenset[str]:
    if kind in DecisionDocumentKind.values:
        return award_documents.ALLOWED[kind]
    return frozenset(documents.ALLOWED)


def decision_template(decision: Decision, kind: str) -> bytes | None:
    """The Word template the decision's cluster uses for its decision or its certificates."""
    template = active_template(decision.year.cluster_id, kind)
    return bytes(template.content) if template is not None else None


def active_template(cluster_id: int, kind: str) -> DocumentTemplate | None:
    """The cluster's newest template for `kind` that is still in use."""
    return (
        DocumentTemplate.objects.filter(cluster_id=cluster_id, kind=kind, retired_at__isnull=True)
        .order_by("-uploaded_at", "-pk")
        .first()
    )


def conference_news(year: EmulationYear) -> NewsArticle | None:
    return NewsArticle.objects.filter(year=year, is_conference_article=True).order_by("-pk").first()


def content_for(year: EmulationYear, kind: str, story: content.Story) -> content.DocContent:
    """The words of one document of the year; refused when its source is not there yet."""
    if kind == DocumentKind.REPORT:
        version = latest_version(year)
        sections: Any = version.sections if version else content.report_sections(story)
        return content.report_document(story, sections)
    if kind == DocumentKind.PLEDGE:
        if story.pledge is None:
            raise ActionRefused(_("The pledge has not been written yet."), kind=Refusal.NOTHING)
        return content.pledge_document(story, story.pledge)
    if kind == DocumentKind.PROPOSAL:
        return content.proposal_document(story)
    if story.conference is None:
        raise ActionRefused(_("The conference has not been recorded yet."), kind=Refusal.NOTHING)
    if kind == DocumentKind.MINUTES:
        return content.minutes_document(story)
    if kind == DocumentKind.NEWS:
        article = conference_news(year)
        if article is not None:
            published = timezone.localdate(article.published_at) if article.published_at else None
            return content.news_document(story, article.title, article.paragraphs, published)
        title, paragraphs = content.conference_article(story)
        return content.news_document(story, title, paragraphs)
    raise ActionRefused(_("Unknown document: %(kind)s.") % {"kind": kind}, kind=Refusal.INVALID)


def filename(year: EmulationYear, kind: str) -> str:
    return f"{kind}-{year.cluster.slug}-{year.year}.docx"


def build(year: EmulationYear, kind: str) -> bytes:
    """The .docx of one document of the year, through the cluster's template if it has one.

    Always in Vietnamese, whatever the language of the page that asks for it.
    """
    with translation.override(settings.LANGUAGE_CODE):
        story = load(year)
        words = content_for(year, kind, story)
    template = active_template(year.cluster_id, kind)
    return documents.render(words, story, bytes(template.content) if template else None)


def sample_context(year: EmulationYear, kind: str) -> dict[str, Any]:
    """The placeholders filled with this year's data, to try an uploaded template on (the
    decision's: its latest decision's, or made-up values before there is one)."""
    if kind in DecisionDocumentKind.values:
        decision = year.award_decisions.order_by("-date", "-sequence", "-pk").first()
        found = award_documents.holders(decision) if decision is not None else []
        if decision is None or not found:
            return award_documents.sample_context(kind)
        context = award_documents.decision_context(decision, found)
        if kind == DecisionDocumentKind.CERTIFICATES:
            context.update(award_documents.holder_context(found[0]))
        return context
    story = load(year)
    try:
        words = content_for(year, kind, story)
    except ActionRefused:
        words = content.news_document(story, story.cluster, [story.cluster])
    return documents.context_of(words, story)
