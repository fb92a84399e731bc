"""Self-assessment: every leaf scored within its range, explained, evidenced, submitted once."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from pytest_django import Settings

from thidua.cycle.models import Phase
from thidua.errors import ActionRefused
from thidua.lib import uploads
from thidua.scoring import actions
from thidua.scoring.demo import SAMPLE_PDF
from thidua.scoring.models import Evidence, Score
from thidua.testing.personas import World

from .conftest import FIGURES, leaves, membership, move, self_score, submit_all

D = Decimal


def _points(world: Any, key: Any) -> Any:
    return dict(
        Score.objects.filter(assessment__membership=membership(world, key)).values_list(
            "criterion__number", "points"
        )
    )


def test_unit_officer_saves_draft_scores(self_assessing: World) -> None:
    self_score(self_assessing, "lai_chau", {"I.1": "7.5", "P": "-1"})
    assert _points(self_assessing, "lai_chau") == {"I.1": D("7.5"), "P": D(-1)}


def test_score_above_the_maximum_is_refused_and_nothing_is_stored(self_assessing: World) -> None:
    with pytest.raises(ActionRefused) as refused:
        self_score(self_assessing, "lai_chau", {"I.1": "8", "I.2": "10.5"})
    assert "I.2" in refused.value.message
    assert _points(self_assessing, "lai_chau") == {}


def test_penalty_below_its_floor_is_refused(self_assessing: World) -> None:
    with pytest.raises(ActionRefused):
        self_score(self_assessing, "lai_chau", {"P": "-3.5"})
    with pytest.raises(ActionRefused):
        self_score(self_assessing, "lai_chau", {"P": "1"})


def test_database_refuses_a_score_outside_its_range(self_assessing: World) -> None:
    self_score(self_assessing, "lai_chau", {"I.1": "8"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(criterion__number="I.1").update(points=D(11))


def test_unit_cannot_score_another_unit(self_assessing: World) -> None:
    with pytest.raises(PermissionDenied):
        self_score(self_assessing, "lai_chau", {"I.1": "8"}, user=self_assessing.cao_bang_officer)


def test_submission_needs_every_leaf_scored(self_assessing: World) -> None:
    self_score(self_assessing, "lai_chau", {"I.1": "8"})
    with pytest.raises(ActionRefused) as refused:
        actions.do_submit_assessment(
            membership(self_assessing, "lai_chau"), acting_user=self_assessing.lai_chau_leader
        )
    assert "I.2" in refused.value.message and "B" in refused.value.message


def test_submitted_assessment_is_read_only(self_assessing: World) -> None:
    self_score(self_assessing, "lai_chau", FIGURES["lai_chau"])
    actions.do_submit_assessment(
        membership(self_assessing, "lai_chau"), acting_user=self_assessing.lai_chau_officer
    )
    with pytest.raises(ActionRefused):
        self_score(self_assessing, "lai_chau", {"I.1": "10"})
    with pytest.raises(ActionRefused):
        actions.do_submit_assessment(
            membership(self_assessing, "lai_chau"), acting_user=self_assessing.lai_chau_leader
        )
    assert _points(self_assessing, "lai_chau")["I.1"] == D(8)


def test_cross_check_cannot_open_before_every_member_submits(self_assessing: World) -> None:
    self_score(self_assessing, "lai_chau", FIGURES["lai_chau"])
    with pytest.raises(ActionRefused) as refused:
        move(self_assessing, Phase.CROSS_CHECK)
    assert "Sơn La" in refused.value.message
    submit_all(self_assessing)
    move(self_assessing, Phase.CROSS_CHECK)


def test_evidence_is_stored_and_checked_for_type_and_size(
    self_assessing: World, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = leaves(self_assessing)["I.1"]
    unit = membership(self_assessing, "lai_chau")
    evidence = actions.do_add_evidence(
        unit,
        criterion=item,
        upload=SimpleUploadedFile("báo cáo.pdf", SAMPLE_PDF, "application/pdf"),
        acting_user=self_assessing.lai_chau_officer,
    )
    assert evidence.file.read() == SAMPLE_PDF
    assert evidence.original_name == "báo cáo.pdf"
    with pytest.raises(ActionRefused):
        actions.do_add_evidence(
            unit,
            criterion=item,
            upload=SimpleUploadedFile("virus.exe", b"MZ...", "application/octet-stream"),
            acting_user=self_assessing.lai_chau_officer,
        )
    with pytest.raises(ActionRefused):  # a text file named .pdf
        actions.do_add_evidence(
            unit,
            criterion=item,
            upload=SimpleUploadedFile("fake.pdf", b"hello", "application/pdf"),
            acting_user=self_assessing.lai_chau_officer,
        )
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * uploads.limit("scoring_evidence"))
    with pytest.raises(ActionRefused):
        actions.do_add_evidence(
            unit, criterion=item, upload=big, acting_user=self_assessing.lai_chau_officer
        )
    assert Evidence.objects.count() == 1
