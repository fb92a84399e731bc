"""An uploaded Word template is checked before it is kept: each kind's required placeholders,
no macro, no broken tag, no unknown placeholder; each refusal says why in Vietnamese."""

import io
from typing import Any

import pytest
from django.utils import translation
from docx import Document

from thidua.conference import documents, dossier
from thidua.conference.models import DocumentKind

SAMPLE = {"year": 2016, "cluster": "Cụm thi đua", "sections": [], "recipients": []}


def template(*lines: str, starter: bool = True) -> bytes:
    """The starter template (or an empty document) with these paragraphs added."""
    document = Document(io.BytesIO(documents.starter_template())) if starter else Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def problems(data: bytes, kind: str = DocumentKind.MINUTES) -> list[str]:
    with translation.override("vi"):
        return documents.template_problems(
            data, SAMPLE, required=dossier.required_placeholders(kind)
        )


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_every_kind_declares_what_its_template_needs_and_the_starter_has_it(kind: Any) -> None:
    assert dossier.required_placeholders(kind)
    assert problems(template(), kind) == []


def test_a_template_without_a_required_placeholder_is_refused_naming_it() -> None:
    found = problems(template("{{ year }}", starter=False))
    assert len(found) == 1
    message = found[0]
    for name in ("authority", "number", "place_date", "signer_name", "summary"):
        assert name in message
    assert "year" not in message.split(":", 1)[1]


def test_a_macro_is_refused() -> None:
    found = problems(template("{% macro x() %}X{% endmacro %}{{ x() }}"))
    assert found and "macro" in found[0]


def test_a_broken_tag_is_refused_with_its_line() -> None:
    found = problems(template("{{ year "))
    assert found and "dòng" in found[0]


def test_an_unknown_placeholder_is_refused_in_vietnamese() -> None:
    found = problems(template("{{ so_quyet_dinh }}"))
    assert found and "so_quyet_dinh" in found[0] and "không biết" in found[0]
