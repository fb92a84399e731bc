"""The demo's 2016 proposals: 29 collectives and 161 individuals, every kind of verdict."""

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from thidua.awards import demo as awards_demo
from thidua.awards.eligibility import judge_year
from thidua.awards.models import EvidenceFile, Nomination
from thidua.awards.rules import Verdict
from thidua.cycle.hooks import facts_of
from thidua.cycle.models import EmulationYear, Phase
from thidua.demo import play
from thidua.orgs.models import Person


def counts(year: Any) -> Any:
    nominations = Nomination.objects.filter(year=year)
    return (
        nominations.filter(collective__isnull=False).count(),
        nominations.filter(person__isnull=False).count(),
    )


@pytest.fixture(scope="module")
def played_module(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[play.Demo]:
    """The reference cluster, then the awards step alone in the proposals phase, once for
    the module (rolled back after it; each test runs in a savepoint of its own).

    The phases in between are other areas' steps; the full demo is tested in the demo's tests.
    """
    media = tmp_path_factory.mktemp("awards-demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        patch.setattr(play, "DEMO_AREAS", [])
        demo = play.play()
        EmulationYear.objects.filter(pk=demo.year.pk).update(phase=Phase.PROPOSALS)
        demo.year.refresh_from_db()
        awards_demo.proposals(demo)
        yield demo
        transaction.set_rollback(True)


@pytest.fixture
def played(played_module: play.Demo, db: None) -> Any:
    return played_module


def test_the_units_propose_29_collectives_and_161_individuals(played: Any) -> None:
    assert counts(played.year) == (29, 161)
    assert set(Nomination.objects.values_list("status", flat=True)) == {"compiled"}
    facts = facts_of(played.year)
    assert facts["awards.counts"] == {"collectives": 29, "individuals": 161}  # F5
    assert sum(len(p["nominees"]) for p in facts["awards.proposals"]) == 190


def test_a_newcomer_is_registered_and_her_history_entered_by_hand(played: Any) -> None:
    person = Person.objects.get(full_name="Lò Thị Phương")
    assert person.positions.get().organization == played.departments["lai-chau"]
    assert sorted(person.award_records.values_list("year", "source")) == [
        (2014, "manual"),
        (2015, "manual"),
    ]
    assert person.task_ratings.count() == 2
    assert person.initiatives.count() == 1


def test_each_unit_attaches_one_evidence_file(played: Any) -> None:
    assert EvidenceFile.objects.filter(nomination__year=played.year).count() == 7


def test_every_kind_of_verdict_appears(played: Any) -> None:
    verdicts = {j.verdict for j in judge_year(played.year).values()}
    assert verdicts == set(Verdict)


def test_check_eligibility_prints_every_verdict_with_its_reasons(played: Any) -> None:
    out = io.StringIO()
    call_command(
        "check_eligibility",
        "--cluster",
        played.cluster.slug,
        "--year",
        "2016",
        "--json",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    assert len(rows) == 190
    short = next(r for r in rows if r["award"] == "cstd_bo" and r["verdict"] == "not_eligible")
    assert any(
        reason["text"]
        == "Cần 3 năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; hiện có 2 năm — 2015, 2016."
        for reason in short["reasons"]
    )
