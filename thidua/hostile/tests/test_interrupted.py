"""A process killed in the middle of an import or a decision leaves nothing half-written.

The action runs in a real `thidua` process on the test database; it is killed (SIGKILL, no
chance to clean up) after it has written its award records, inside its
transaction. Afterwards none of its rows exist, the audit chain still holds, and the same
action then runs through cleanly.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from openpyxl import Workbook

from thidua.audit.models import AuditEntry
from thidua.audit.verify import first_break
from thidua.award_history import actions as history_actions
from thidua.award_history.importing import COLUMNS
from thidua.award_history.models import AwardRecord, AwardType, Decision, HistoryImport
from thidua.awards import actions
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.models import Nomination
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import EmulationYear, Phase
from thidua.orgs.models import Person
from thidua.testing.personas import build_world

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    """The live test database, as the `thidua` command reads it from DATABASE_URL."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
    return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def kill_midway(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in `thidua shell`, wait until it reports "midway", then SIGKILL it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thidua.settings.test",
        "DATABASE_URL": database_url(),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "thidua", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)  # never hang the suite
    watchdog.start()
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line.strip())
            if line.strip() == "midway":
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
    finally:
        watchdog.cancel()
    stderr = process.stderr.read() if process.stderr else ""
    assert "midway" in lines, f"the action never got midway: {lines} {stderr}"
    assert process.returncode == -signal.SIGKILL
    return subprocess.CompletedProcess(process.args, process.returncode, "\n".join(lines), stderr)


def history_workbook(units: list[str], rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for n in range(rows):
        year = 2010 + n % 6
        sheet.append(
            [
                f"Nguyễn Văn Thử Nghiệm {n:05d}",
                1970 + n % 30,
                "Nam",
                units[n % len(units)],
                "Lao động tiên tiến",
                year,
                f"{n}/QĐ-SKHĐT",
                dt.date(year + 1, 1, 15),
                "Sở Kế hoạch và Đầu tư",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_award_history_import_killed_midway_leaves_no_row(tmp_path: Path) -> None:
    ensure_catalogue()
    world = build_world()
    entries_before = AuditEntry.objects.count()
    units = [world.orgs[key].name for key in ("son_la", "cao_bang", "lai_chau")]
    content = history_workbook(units, rows=1500)
    path = tmp_path / "lich-su-khen-thuong.xlsx"
    path.write_bytes(content)

    kill_midway(
        "from thidua.hostile.tests.interrupted import import_history; "
        f"import_history({str(path)!r}, {world.supervisor.username!r})"
    )

    assert not HistoryImport.objects.exists()
    assert not AwardRecord.objects.exists()
    assert not Person.objects.exists()
    assert AuditEntry.objects.count() == entries_before
    assert first_break() is None
    # Nothing is left locked either: the same file now imports whole.
    batch = history_actions.do_import_history(
        content, file_name=path.name, acting_user=world.supervisor
    )
    assert batch.rows == AwardRecord.objects.count() == 1500


def test_a_decision_killed_midway_leaves_every_nomination_approved(tmp_path: Path) -> None:
    ensure_catalogue()
    world = build_world()
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    do_move_phase(world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer)
    # The phases in between belong to other areas; what matters here is the decision.
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    world.year.refresh_from_db()
    award = AwardType.objects.get(code="ldtt")
    for n in range(15):
        person = history_actions.do_register_person(
            full_name=f"Trần Thị Thử Nghiệm {n:02d}",
            birth_year=1985,
            gender="female",
            unit=world.orgs["lai_chau"],
            year=world.year,
            acting_user=world.lai_chau_officer,
        )
        nomination = actions.do_draft_nomination(
            world.year,
            unit=world.orgs["lai_chau"],
            award_type=award,
            summary="Hoàn thành tốt nhiệm vụ.",
            person=person,
            acting_user=world.lai_chau_officer,
        )
        actions.do_submit_nomination(nomination, acting_user=world.lai_chau_leader)
    for nomination in actions.do_compile_proposal(world.year, acting_user=world.son_la_officer):
        actions.do_approve_nomination(nomination, acting_user=world.supervisor)
    entries_before = AuditEntry.objects.count()

    kill_midway(
        "from thidua.hostile.tests.interrupted import record_decision; "
        f"record_decision({world.cluster.slug!r}, 2016, {world.supervisor.username!r})"
    )

    assert not Decision.objects.exists()
    assert not AwardRecord.objects.exists()
    assert set(Nomination.objects.values_list("status", flat=True)) == {Nomination.Status.APPROVED}
    assert AuditEntry.objects.count() == entries_before
    assert first_break() is None
    decision = actions.do_record_decision(
        world.year,
        number="125/QĐ-BKHĐT",
        date=dt.date(2017, 1, 20),
        issuer_name="Bộ Kế hoạch và Đầu tư",
        signer_name="Nguyễn Chí Dũng",
        authority="agency_head",
        acting_user=world.supervisor,
    )
    assert decision.records.count() == 15
