"""The data itself is sealed: a row changed, added or removed in the database behind thidua's
back is named by `thidua verify_audit`, by table and id, on either engine."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from thidua.audit import seals
from thidua.audit.record import record
from thidua.audit.verify import ADDED, CHANGED, REMOVED, Finding, check_data
from thidua.award_history.models import AwardRecord
from thidua.orgs.models import Organization
from thidua.scoring.models import Score
from thidua.voting.models import BallotChoice, Candidate

pytestmark = pytest.mark.usefixtures("demo_module", "db")


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out, stderr=out)
    return out.getvalue()


def _refused() -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match="not as thidua left it"):
        call_command("verify_audit", stdout=out, stderr=out)
    return out.getvalue()


def test_the_demo_as_played_is_intact_and_says_how_much_it_checked() -> None:
    checked = check_data()
    assert checked.findings == []
    assert checked.rows > 1000 and checked.tables == len(seals.tables())
    told = _verify()
    assert "The audit trail is intact" in told
    found = re.search(r"The data is intact: (\d+) rows in (\d+) tables", told)
    assert found and int(found.group(1)) == checked.rows


def test_a_score_edited_in_the_database_is_named() -> None:
    score = Score.objects.order_by("id").first()
    assert score is not None
    _sql("UPDATE scoring_score SET points = 1.5 WHERE id = %s", [score.pk])
    assert check_data().findings == [Finding("scoring_score", str(score.pk), CHANGED)]
    assert f"scoring_score id {score.pk}: changed outside thidua" in _refused()


def test_a_ballot_choice_edited_in_a_sealed_box_is_named() -> None:
    assert check_data().unsealed == 0  # the demo's polls are closed: each close sealed its box
    choice = BallotChoice.objects.order_by("pk").first()
    assert choice is not None
    taken = BallotChoice.objects.filter(ballot=choice.ballot_id).values("candidate")
    other = Candidate.objects.filter(poll=choice.candidate.poll_id).exclude(pk__in=taken).first()
    assert other is not None
    _sql(
        "UPDATE voting_ballotchoice SET candidate_id = %s WHERE id = %s",
        [other.pk, choice.pk.hex if connection.vendor == "sqlite" else choice.pk],
    )
    assert check_data().findings == [Finding("voting_ballotchoice", choice.pk.hex, CHANGED)]


def test_an_award_record_edited_or_deleted_in_the_database_is_named() -> None:
    first, second = AwardRecord.objects.order_by("id")[:2]
    _sql("UPDATE awards_awardrecord SET year = year - 1 WHERE id = %s", [first.pk])
    _sql("DELETE FROM awards_awardrecord WHERE id = %s", [second.pk])
    assert check_data().findings == [
        Finding("awards_awardrecord", str(first.pk), CHANGED),
        Finding("awards_awardrecord", str(second.pk), REMOVED),
    ]


def test_an_organisations_new_name_is_named() -> None:
    org = Organization.objects.filter(name__contains="Cao Bằng").order_by("id").first()
    assert org is not None
    _sql("UPDATE orgs_organization SET name = %s WHERE id = %s", ["Sở Khác", org.pk])
    assert check_data().findings == [Finding("orgs_organization", str(org.pk), CHANGED)]


def test_an_inserted_row_is_named() -> None:
    org = Organization.objects.order_by("id").first()
    assert org is not None
    new_id = Organization.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
    columns = [f.column for f in Organization._meta.concrete_fields if f.column != "id"]
    values = [
        getattr(org, f.attname) for f in Organization._meta.concrete_fields if f.column != "id"
    ]
    marks = ", ".join(["%s"] * (len(columns) + 1))
    with connection.cursor() as cursor:  # the driver's own cursor, as another client's
        sql = f"INSERT INTO orgs_organization (id, {', '.join(columns)}) VALUES ({marks})"
        raw = cursor.cursor
        if connection.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        raw.execute(sql, [new_id, *values])
    assert check_data().findings == [Finding("orgs_organization", str(new_id), ADDED)]


def test_a_row_removed_with_its_seal_is_still_seen() -> None:
    record_ = AwardRecord.objects.order_by("-id").first()
    assert record_ is not None
    block = record_.pk // seals.BLOCK
    _sql("DELETE FROM awards_awardrecord WHERE id >= %s", [block * seals.BLOCK])
    _sql(
        'DELETE FROM audit_blockseal WHERE "table" = %s AND block = %s',
        ["awards_awardrecord", block],
    )
    findings = check_data().findings
    assert (
        Finding("awards_awardrecord", None, "seals were removed or changed outside thidua")
        in findings
    )


def test_seals_made_without_the_key_are_refused() -> None:
    seals.settle_locked(connection)  # what this transaction wrote, as its commit would
    with override_settings(THIDUA_AUDIT_KEY="another key"):
        findings = check_data().findings
    assert Finding("audit_sealstate", None, "the seal state does not match its code") in findings


def test_thidua_own_bulk_writes_keep_the_seals() -> None:
    org = Organization.objects.order_by("id").first()
    assert org is not None
    with transaction.atomic():
        Organization.objects.filter(pk=org.pk).update(short_name="Khác")
        Score.objects.filter(pk__in=Score.objects.order_by("id").values("id")[:3]).update(
            explanation="x"
        )
        record("organization.change", org, actor=None)
    assert check_data().findings == []
