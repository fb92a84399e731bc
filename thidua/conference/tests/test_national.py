"""The national summary of a year: every cluster's proposals, as a report and as a list."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from thidua.award_history import actions as history_actions
from thidua.award_history.models import AwardType
from thidua.awards import actions
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.exports import national_proposal_list
from thidua.conference import national
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import EmulationYear, Phase
from thidua.lib import docformat
from thidua.testing.personas import World


@pytest.fixture
def proposed(world: World) -> Any:
    """The personas' year in its proposals phase, with Lai Châu's proposals drafted."""
    ensure_catalogue()
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    do_move_phase(world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer)
    # The phases in between belong to other areas; the awards tests set the year the same way.
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    world.year.refresh_from_db()
    unit = world.orgs["lai_chau"]
    for name in ("Nguyễn Văn An", '=HYPERLINK("x")'):
        person = history_actions.do_register_person(
            full_name=name,
            birth_year=1980,
            gender="male",
            unit=unit,
            year=world.year,
            acting_user=world.lai_chau_officer,
        )
        actions.do_draft_nomination(
            world.year,
            unit=unit,
            award_type=AwardType.objects.get(code="ldtt"),
            summary="Hoàn thành tốt nhiệm vụ.",
            person=person,
            acting_user=world.lai_chau_officer,
        )
    actions.do_draft_nomination(
        world.year,
        unit=unit,
        award_type=AwardType.objects.get(code="tt_ldtt"),
        summary="Tập thể hoàn thành tốt nhiệm vụ.",
        collective=unit,
        acting_user=world.lai_chau_officer,
    )
    return world


def test_the_summary_counts_every_clusters_proposals_with_their_verdicts(proposed: Any) -> None:
    found = national.summary(2016)
    (line,) = found.clusters
    assert (line.name, line.members) == (proposed.cluster.name, 3)
    assert (line.collectives, line.individuals) == (1, 2)
    assert sum(found.verdicts.values()) == 3
    assert ("Lao động tiên tiến", 0, 2) in found.awards


def test_the_summary_reads_a_fixed_number_of_queries(
    proposed: Any, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(17):  # 16, and the signer
        national.summary(2016)


def test_the_report_is_a_document_in_the_state_format_stating_the_figures(proposed: Any) -> None:
    content = national.report_docx(national.summary(2016))
    assert docformat.check_format(io.BytesIO(content)) == []
    text = docformat.document_text(io.BytesIO(content))
    assert proposed.cluster.name in text
    assert "1 tập thể và 2 cá nhân" in text


def test_the_list_has_every_proposal_and_a_name_like_a_formula_stays_text(proposed: Any) -> None:
    book = load_workbook(io.BytesIO(national_proposal_list(2016)))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4  # the header and three proposals
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    risky = next(c for c in cells if isinstance(c.value, str) and c.value.startswith("="))
    assert risky.data_type == "s"
    assert risky.quotePrefix
    assert sheet.freeze_panes == "B2"


def test_the_issuers_initials_leave_out_its_kind_and_the_marks() -> None:
    assert national.initials("Vụ Thi đua - Khen thưởng") == "TĐKT"
    assert national.initials("Sở Kế hoạch và Đầu tư") == "KHĐT"
    assert national.initials("Ủy ban nhân dân tỉnh Sơn La") == "UBND"
