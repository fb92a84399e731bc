"""The award-history import and a nomination's evidence: over the limit or on a full disk,
the user reads why and nothing is stored."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from thidua.audit.models import AuditEntry
from thidua.award_history.importing import COLUMNS
from thidua.award_history.models import AwardRecord
from thidua.award_history.views import IMPORT_INLINE_BYTES
from thidua.awards.models import EvidenceFile
from thidua.jobs.models import Job
from thidua.lib.tests import full_disk
from thidua.lib.uploads import MB
from thidua.orgs.models import User
from thidua.testing.personas import World

UNIT = "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
IMPORT = "/awards/history/import/"


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    return tmp_path


def stored(root: Any) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def history_file(people: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for number in range(people):
        sheet.append(
            [f"Người thứ {number}", 1970 + number % 30, "Nam", UNIT, "Lao động tiên tiến",
             2015, f"{number}/QĐ-SKHĐT", dt.date(2016, 1, 10), UNIT]
        )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def limit(settings: Any, **kinds: int) -> None:
    settings.THIDUA_UPLOAD_LIMITS = {**settings.THIDUA_UPLOAD_LIMITS, **kinds}


def test_a_history_file_over_the_default_limit_is_refused_and_no_job_is_created(
    as_user: Callable[[User], Client], world: World, media: Any
) -> None:
    big = SimpleUploadedFile("lich-su.xlsx", b"PK" + b"0" * (21 * MB))
    response = as_user(world.supervisor).post(IMPORT, {"upload": big})
    assert response.status_code == 400
    assert "Tệp “lich-su.xlsx” lớn hơn 20 MB, vượt quá dung lượng cho phép tải lên." in (
        response.content.decode()
    )
    assert not Job.objects.exists()
    assert stored(media) == []  # nothing under MEDIA_ROOT, nothing left in the spool


def test_a_history_file_at_its_limit_is_queued_and_one_byte_more_is_not(
    as_user: Callable[[User], Client],
    world: World,
    media: Any,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    content = history_file(8000)
    assert len(content) > IMPORT_INLINE_BYTES  # large enough for the background job
    limit(settings, history=len(content) - 1)
    client = as_user(world.supervisor)
    refused = client.post(IMPORT, {"upload": SimpleUploadedFile("lich-su.xlsx", content)})
    assert refused.status_code == 400
    assert "vượt quá dung lượng cho phép tải lên" in refused.content.decode()
    assert not Job.objects.exists()
    assert stored(media) == []

    limit(settings, history=len(content))
    with django_capture_on_commit_callbacks():
        queued = client.post(IMPORT, {"upload": SimpleUploadedFile("lich-su.xlsx", content)})
    job = Job.objects.get()
    assert queued["Location"] == f"/awards/jobs/{job.pk}/"
    assert stored(media / "media") == [job.upload.name]


def test_a_small_history_file_over_a_lowered_limit_is_refused_before_it_is_imported(
    as_user: Callable[[User], Client], world: World, media: Any, settings: Settings
) -> None:
    content = history_file(3)
    limit(settings, history=len(content) - 1)
    response = as_user(world.supervisor).post(
        IMPORT, {"upload": SimpleUploadedFile("lich-su.xlsx", content)}
    )
    assert response.status_code == 400
    assert not AwardRecord.objects.exists()
    limit(settings, history=len(content))
    response = as_user(world.supervisor).post(
        IMPORT, {"upload": SimpleUploadedFile("lich-su.xlsx", content)}
    )
    assert response.status_code == 302
    assert AwardRecord.objects.count() == 3


def test_a_full_disk_while_the_job_stores_its_file_leaves_no_job_and_no_file(
    as_user: Callable[[User], Client], world: World, media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = history_file(8000)
    full_disk.while_storing(monkeypatch)
    response = as_user(world.supervisor).post(
        IMPORT, {"upload": SimpleUploadedFile("lich-su.xlsx", content)}
    )
    assert response.status_code == 507
    assert "Máy chủ đã hết chỗ lưu trữ nên chưa lưu được tệp" in response.content.decode()
    assert not Job.objects.exists()
    assert not AuditEntry.objects.filter(action="job.start").exists()
    assert stored(media) == []


def test_a_full_spool_disk_is_told_before_anything_starts(
    as_user: Callable[[User], Client],
    world: World,
    media: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    full_disk.while_spooling(monkeypatch, room=1024)
    content = history_file(3)
    response = as_user(world.supervisor).post(
        IMPORT, {"upload": SimpleUploadedFile("lich-su.xlsx", content)}
    )
    assert response.status_code == 400
    assert "Máy chủ đã hết chỗ lưu trữ" in response.content.decode()
    assert not Job.objects.exists() and not AwardRecord.objects.exists()
    assert stored(media) == []


# --- a nomination's evidence ------------------------------------------------------------------


@pytest.fixture
def evidence_url(proposals: Any, lai_chau_person: Any, award: Any) -> Any:
    from thidua.awards import actions

    draft = actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["lai_chau"],
        award_type=award("cstd_bo"),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=lai_chau_person,
        acting_user=proposals.lai_chau_officer,
    )
    return f"/awards/c/{proposals.cluster.slug}/2016/nominations/{draft.pk}/evidence/"


def pdf(size: int, name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-" + b"0" * (size - 5), "application/pdf")


def test_evidence_over_its_limit_is_refused_and_evidence_at_it_is_attached(
    as_user: Callable[[User], Client],
    proposals: Any,
    evidence_url: Any,
    media: Any,
    settings: Settings,
) -> None:
    limit(settings, nomination_evidence=300 * 1024)
    client = as_user(proposals.lai_chau_officer)
    response = client.post(evidence_url, {"upload": pdf(300 * 1024 + 1)})
    assert response.status_code == 400
    assert "Tệp “bao-cao.pdf” lớn hơn 300 KB, vượt quá dung lượng cho phép tải lên." in (
        response.content.decode()
    )
    assert not EvidenceFile.objects.exists()
    assert stored(media) == []

    assert client.post(evidence_url, {"upload": pdf(300 * 1024)}).status_code == 302
    evidence = EvidenceFile.objects.get()
    assert stored(media / "media") == [evidence.file.name]


def test_evidence_past_every_limit_is_not_spooled_in_full(
    as_user: Callable[[User], Client],
    proposals: Any,
    evidence_url: Any,
    media: Any,
    settings: Settings,
) -> None:
    limit(settings, **dict.fromkeys(settings.THIDUA_UPLOAD_LIMITS, 100 * 1024))
    response = as_user(proposals.lai_chau_officer).post(evidence_url, {"upload": pdf(5 * MB)})
    assert response.status_code == 400
    assert "lớn hơn 100 KB" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored(media) == []


def test_a_full_disk_while_evidence_is_stored_attaches_nothing(
    as_user: Callable[[User], Client],
    proposals: Any,
    evidence_url: Any,
    media: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full_disk.while_storing(monkeypatch)
    response = as_user(proposals.lai_chau_officer).post(evidence_url, {"upload": pdf(2048)})
    assert response.status_code == 507
    assert "Máy chủ đã hết chỗ lưu trữ" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert not AuditEntry.objects.filter(action="nomination.evidence").exists()
    assert stored(media) == []
