"""`thidua export_document KIND --cluster SLUG --year YYYY --output PATH`."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from thidua.conference import actions
from thidua.lib.docformat import check_format, document_text
from thidua.testing.personas import World
from thidua.voting import actions as voting_actions
from thidua.voting.models import Poll


@pytest.fixture
def exported(at_conference: World) -> Any:
    actions.do_generate_report(at_conference.year, acting_user=at_conference.son_la_officer)
    return at_conference


@pytest.mark.parametrize("kind", ["report", "minutes", "proposal", "pledge", "news"])
def test_each_document_is_written_to_the_given_path(
    exported: Any, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / f"{kind}.docx"
    call_command(
        "export_document",
        kind,
        cluster=exported.cluster.slug,
        year=2016,
        output=str(target),
        stdout=io.StringIO(),
    )
    if kind == "news":  # a news item is no administrative document: no state header
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in document_text(target)
        return
    assert check_format(target) == []
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document_text(target)


def test_ballots_are_made_by_the_voting_area_one_file_per_poll(
    exported: Any, tmp_path: Path
) -> None:
    world = exported
    for title in ("Cờ thi đua", "Bằng khen"):
        voting_actions.do_create_poll(
            world.year,
            spec=voting_actions.PollSpec(
                title=title,
                purpose=Poll.Purpose.FLAG,
                units=[world.orgs["son_la"], world.orgs["cao_bang"], world.orgs["lai_chau"]],
            ),
            acting_user=world.son_la_officer,
        )
    call_command(
        "export_document",
        "ballots",
        cluster=world.cluster.slug,
        year=2016,
        output=str(tmp_path / "phieu.docx"),
        stdout=io.StringIO(),
    )
    first, second = tmp_path / "phieu-1.docx", tmp_path / "phieu-2.docx"
    assert "Cờ thi đua" in "\n".join(p.text for p in Document(str(first)).paragraphs)
    assert "Bằng khen" in "\n".join(p.text for p in Document(str(second)).paragraphs)


def test_an_unknown_year_is_an_error(exported: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command(
            "export_document",
            "report",
            cluster=exported.cluster.slug,
            year=1999,
            output=str(tmp_path / "x.docx"),
        )
    assert not (tmp_path / "x.docx").exists()


def test_a_year_without_polls_has_no_ballots(exported: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command(
            "export_document",
            "ballots",
            cluster=exported.cluster.slug,
            year=2016,
            output=str(tmp_path / "x.docx"),
        )
