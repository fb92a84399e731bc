"""Text typed in a form reaches a Word document as the text it says, and never breaks it.

A poll's title and candidate names, typed on the poll's form, are printed on its ballot papers
(.docx). Markup stays text, a right-to-left override is dropped; a control character that
XML cannot hold (U+0001 to U+0008, U+000E to U+001B, U+007F) is dropped too, or python-docx
would refuse the whole document.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from docx import Document

from thidua.cycle.models import Phase
from thidua.orgs.models import User
from thidua.testing.personas import World
from thidua.voting.models import Candidate, Poll
from thidua.voting.tests.conftest import to_phase

SAMPLES = [
    pytest.param("<w:t>Lê</w:t> & {{ x }}", "<w:t>Lê</w:t> & {{ x }}", id="markup"),
    pytest.param("Lê\u202e Văn", "Lê Văn", id="right-to-left-override"),
    pytest.param("Lê\x08 Văn", "Lê Văn", id="backspace"),
    pytest.param("Lê\x01 Văn", "Lê Văn", id="start-of-heading"),
    pytest.param("Lê\x1b Văn", "Lê Văn", id="escape"),
    pytest.param("Lê\x7f Văn", "Lê Văn", id="delete"),
]


def poll_form(world: World, **values: str) -> dict[str, object]:
    return {
        "title": "Bầu Chiến sĩ thi đua",
        "purpose": Poll.Purpose.OTHER,
        "method": Poll.Method.PAPER,
        "max_choices": 1,
        "seats": 1,
        "threshold_base": "cast",
        "threshold": "1/2",
        "tie_rule": "runoff",
        "disclosure": "full",
        "next_round": "none",
        "next_round_size": 2,
        **values,
    }


@pytest.mark.parametrize(("typed", "printed"), SAMPLES)
def test_text_typed_on_the_poll_form_reaches_the_ballot_papers_as_text(
    as_user: Callable[[User], Client], world: World, typed: str, printed: str
) -> None:
    to_phase(world, Phase.VOTING)
    client = as_user(world.son_la_officer)
    voting = world.url + "voting/"
    created = client.post(
        voting + "new/", poll_form(world, title=f"Bầu {typed}", people=f"{typed}\nTrần Thị B")
    )
    assert created.status_code == 302, created.content.decode()[-2000:]
    poll = Poll.objects.get()
    assert poll.title == f"Bầu {printed}"
    names = set(Candidate.objects.filter(poll=poll).values_list("person_name", flat=True))
    assert names == {printed, "Trần Thị B"}

    papers = client.get(f"{voting}{poll.pk}/papers.docx")
    assert papers.status_code == 200
    document = Document(io.BytesIO(papers.content))
    texts = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    assert any(printed in text for text in texts)
