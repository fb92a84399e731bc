"""The documents of a year thidua can sign: built as `thidua export_document` builds them,
then made PDF by LibreOffice (`thidua.lib.pdf`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.award_history.models import Decision
from thidua.awards import documents as award_documents
from thidua.conference import dossier
from thidua.conference.models import DocumentKind
from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused, Refusal
from thidua.lib import pdf


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    build: Callable[[EmulationYear], bytes]  # the .docx


def _latest_decision(year: EmulationYear) -> Decision:
    found = year.award_decisions.order_by("-date", "-sequence", "-pk").first()
    if found is None:
        raise ActionRefused(
            _("No award decision has been recorded for the year yet."), kind=Refusal.NOTHING
        )
    return found


def _conference_document(kind: str) -> Callable[[EmulationYear], bytes]:
    return lambda year: dossier.build(year, kind)


def kinds() -> dict[str, Kind]:
    found = {
        str(value): Kind(str(value), str(label), _conference_document(str(value)))
        for value, label in DocumentKind.choices
    }
    found["decision"] = Kind(
        "decision",
        str(gettext_lazy("Award decision")),
        lambda year: award_documents.decision_document(_latest_decision(year)),
    )
    return found


def reference(year: EmulationYear, kind: str) -> str:
    return f"{year.cluster.slug}/{year.year}/{kind}"


def build_pdf(year: EmulationYear, kind: str) -> bytes:
    """The document as PDF, or refused with a message the user can act on."""
    found = kinds().get(kind)
    if found is None:
        raise ActionRefused(_("There is no such document to sign."), kind=Refusal.KIND)
    return pdf.pdf_of(found.build(year))
