"""A backup of the demo (its database and its uploaded files) comes back whole, or not at all."""

import errno
import hashlib
import io
import json
import os
import sqlite3
import stat
import tarfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoDbBlocker, Settings

from thidua.audit.models import AuditEntry, ChainHead
from thidua.audit.stamp import StampedCache, stamp
from thidua.awards.models import EvidenceFile
from thidua.conference import actions as conference_actions
from thidua.conference import documents
from thidua.conference.models import DocumentTemplate
from thidua.cycle.models import EmulationYear
from thidua.jobs.models import Job
from thidua.jobs.tasks import run_job
from thidua.maintenance import backup as backup_module
from thidua.notifications import tasks as notification_tasks
from thidua.orgs import actions
from thidua.orgs.models import Organization, User
from thidua.scoring.models import Evidence
from thidua.testing.demo import PlayedDemo
from thidua.testing.snapshot import Snapshot

pytestmark = pytest.mark.django_db(transaction=True)

NOBODY = 65534
NEW_UNIT = "Một đơn vị mới sau khi sao lưu"


def _every_table() -> dict[str, list[tuple]]:
    tables = {}
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = model._default_manager.order_by("pk").values_list(*fields)
        tables[model._meta.db_table] = list(rows)
    return tables


def _every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _uploads() -> list[Evidence | EvidenceFile]:
    return [*Evidence.objects.all(), *EvidenceFile.objects.all()]


def _member(tar: tarfile.TarFile, member: str | tarfile.TarInfo) -> bytes:
    """The bytes of a regular file in the archive."""
    file = tar.extractfile(member)
    assert file is not None, f"{member} is not a regular file"
    return file.read()


@pytest.fixture(scope="module")
def demo_snapshot(
    demo_played: PlayedDemo,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Snapshot]:
    """The demo, with its evidence uploaded, a Word template and a job's files, built once.

    The demo is the one played for the test process (thidua.testing.demo), copied into the
    test database. Each test starts from a copy of what is built here (`demo`): these tests
    commit, so they cannot share one rolled-back transaction, and playing the demo again for
    each took most of their time.
    """
    folder = tmp_path_factory.mktemp("backup-demo")
    media = folder / "built-media"
    with django_db_blocker.unblock():
        demo_played.snapshot(folder / "played").restore(media=media)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        assert Evidence.objects.exists() and EvidenceFile.objects.exists()
        # What `thidua load_demo` queues after its commits, which the shared play leaves out:
        # the jobs' runs and the notifications' delivery, so the tasks' table is backed up too.
        for job in Job.objects.filter(status=Job.Status.QUEUED):
            run_job.enqueue(str(job.pk))
        notification_tasks.schedule()
        assert DBTaskResult.objects.exists()
        year = EmulationYear.objects.get()
        conference_actions.do_upload_template(
            year,
            kind="minutes",
            filename="mẫu biên bản.docx",
            data=documents.starter_template(),
            acting_user=User.objects.get(username="admin"),
        )
        (media / "jobs" / "in" / "2016").mkdir(parents=True)
        (media / "jobs" / "in" / "2016" / "danh sách.xlsx").write_bytes(b"PK\x03\x04 a workbook")
        (media / "jobs" / "progress").mkdir(parents=True)
        (media / "jobs" / "progress" / "7.json").write_text('{"done": 1, "total": 2}')
        (media / "jobs" / "workers").mkdir(parents=True)
        (media / "jobs" / "workers" / "w1.json").write_text('{"beat": "at backup time"}')
        snapshot = Snapshot.take(folder, media=media)
    yield snapshot


@pytest.fixture
def demo(
    demo_snapshot: Snapshot, transactional_db: None, settings: Settings, tmp_path: Path
) -> Path:
    """The demo as built above, in the database and in this test's own MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_snapshot.restore(media=settings.MEDIA_ROOT)
    return settings.MEDIA_ROOT


def _backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def _restore(path: Path) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)
    return out.getvalue()


def _change_everything(media: Path) -> None:
    admin = User.objects.get(username="admin")
    actions.do_create_organization(name=NEW_UNIT, acting_user=admin)
    for evidence in _uploads():
        Path(evidence.file.path).write_bytes(b"%PDF- overwritten after the backup")
    (media / "after-the-backup.pdf").write_bytes(b"%PDF- new")
    (media / "jobs" / "workers" / "w1.json").write_text('{"beat": "after the backup"}')


def test_backup_and_restore_round_trip_the_database_and_every_uploaded_file(
    demo: Path, tmp_path: Path
) -> None:
    before, files = _every_table(), _every_file(demo)
    demo.chmod(0o750)
    if os.geteuid() == 0:  # the site's user owns MEDIA_ROOT; root runs the restore
        os.chown(demo, NOBODY, NOBODY)
    path = tmp_path / "thidua.tar"
    told = _backup(path)
    count = Evidence.objects.count() + EvidenceFile.objects.count() + 1  # + the job's input
    assert (
        f"uploaded files: {count} file(s)" in told and "left out: 2 progress or heartbeat" in told
    )
    _change_everything(demo)
    assert _every_table() != before and _every_file(demo) != files

    told = _restore(path)

    assert "every SHA-256 matches" in told and f"{count} uploaded file(s)" in told
    after = _every_table()
    entries, entries_after = (t.pop(AuditEntry._meta.db_table) for t in (before, after))
    assert entries_after[: len(entries)] == entries
    assert [entry[4] for entry in entries_after[len(entries) :]] == ["maintenance.restore"]
    before.pop(ChainHead._meta.db_table), after.pop(ChainHead._meta.db_table)
    assert after == before
    assert not Organization.objects.filter(name=NEW_UNIT).exists()
    template = DocumentTemplate.objects.get()  # its content is compared with the tables'
    assert template.filename == "mẫu biên bản.docx" and bytes(template.content)[:2] == b"PK"
    # A running worker's heartbeat and job's progress are theirs, not the backup's.
    files["jobs/workers/w1.json"] = b'{"beat": "after the backup"}'
    assert _every_file(demo) == files
    for evidence in _uploads():
        assert evidence.file.read().startswith(b"%PDF-1")
    assert not list(demo.parent.glob(".media.restore-*"))
    assert stat.S_IMODE(demo.stat().st_mode) == 0o750
    if os.geteuid() == 0:
        assert {p.stat().st_uid for p in [demo, *demo.rglob("*")]} == {NOBODY}


def test_the_archive_is_a_tar_with_a_manifest_of_every_member(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "thidua.tar"
    _backup(path)
    with tarfile.open(path) as tar:
        names = tar.getnames()
        manifest = json.loads(_member(tar, "manifest.json"))
        contents = {name: _member(tar, name) for name in names[:-1]}
    database = "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"
    assert names[0] == database and names[-1] == "manifest.json"
    assert "media/jobs/in/2016/danh sách.xlsx" in names
    assert not [name for name in names if "progress" in name or "workers" in name]
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["thidua_version"] == backup_module.version()
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["audit_chain_head"] == ChainHead.objects.get().last_hash
    assert [m["path"] for m in manifest["members"]] == names[:-1]
    for member in manifest["members"]:
        data = contents[member["path"]]
        assert (member["size"], member["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert not (tmp_path / "thidua.tar.partial").exists()


def test_a_failed_write_leaves_no_file_and_says_why(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: Any, size: Any = -1) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module._Reader, "read", full_disk)
    path = tmp_path / "thidua.tar"
    with pytest.raises(CommandError, match=r"No space left on device\. Nothing was written"):
        _backup(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


def test_a_backup_inside_media_root_is_refused(demo: Path) -> None:
    with pytest.raises(CommandError, match="outside MEDIA_ROOT"):
        _backup(demo / "thidua.tar")


# --- refusals: each changes nothing ------------------------------------------------------------


@pytest.fixture
def backed_up(demo: Path, tmp_path: Path) -> Any:
    """A backup, then changes after it, which a refused restore must leave as they are."""
    path = tmp_path / "thidua.tar"
    _backup(path)
    _change_everything(demo)
    return path, _every_table(), _every_file(demo)


def _rewrite(source: Path, target: Path, change: Any) -> Path:
    """A copy of the archive with its members passed through `change(info, data)`."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for info in old:
            data = _member(old, info)
            for info2, data2 in change(info, data):
                info2.size = len(data2) if data2 is not None else 0
                new.addfile(info2, io.BytesIO(data2) if data2 is not None else None)
    return target


def _refused(path: Path, match: str, backed_up: Any, demo: Any) -> None:
    _, tables, files = backed_up
    with pytest.raises(CommandError, match=match):
        _restore(path)
    assert _every_table() == tables
    assert _every_file(demo) == files
    assert not list(demo.parent.glob(".media.restore-*"))


def test_a_truncated_backup_is_refused(backed_up: Any, demo: Path, tmp_path: Path) -> None:
    with tarfile.open(backed_up[0]) as tar:
        members = tar.getmembers()
    manifest = members[-1]
    cuts = {
        "in the database": members[0].offset_data + members[0].size // 2,
        "in a file": members[1].offset_data + 1,
        "before the manifest": manifest.offset,
        "in the manifest": manifest.offset_data + manifest.size // 2,
    }
    data = backed_up[0].read_bytes()
    for where, cut in cuts.items():
        path = tmp_path / f"cut {where}.tar"
        path.write_bytes(data[:cut])
        _refused(path, "cut short", backed_up, demo)


def test_an_altered_file_is_refused(backed_up: Any, demo: Path, tmp_path: Path) -> None:
    def alter(info: Any, data: Any) -> Iterator[Any]:
        if info.name.startswith("media/scoring/"):
            data = data.replace(b"Catalog", b"Catalug")
        yield info, data

    path = _rewrite(backed_up[0], tmp_path / "altered.tar", alter)
    _refused(path, "differing from their checksum, e.g. media/scoring/", backed_up, demo)


def test_a_missing_or_added_file_is_refused(backed_up: Any, demo: Path, tmp_path: Path) -> None:
    def drop(info: Any, data: Any) -> Iterator[Any]:
        if not info.name.startswith("media/jobs/"):
            yield info, data

    _refused(
        _rewrite(backed_up[0], tmp_path / "a.tar", drop), r"1 file\(s\) missing", backed_up, demo
    )

    def add(info: Any, data: Any) -> Iterator[Any]:
        if info.name == "manifest.json":
            yield tarfile.TarInfo("media/planted.pdf"), b"%PDF- planted"
        yield info, data

    _refused(
        _rewrite(backed_up[0], tmp_path / "b.tar", add), "not in the manifest", backed_up, demo
    )


@pytest.mark.parametrize(
    "name, kind",
    [
        ("media/../../outside.pdf", tarfile.REGTYPE),
        ("/etc/cron.d/outside", tarfile.REGTYPE),
        ("media/link.pdf", tarfile.SYMTYPE),
        ("media/hard.pdf", tarfile.LNKTYPE),
    ],
)
def test_a_member_outside_media_root_or_a_link_is_refused(
    backed_up: Any, demo: Path, tmp_path: Path, name: str, kind: Any
) -> None:
    def plant(info: Any, data: Any) -> Iterator[Any]:
        if info.name == "manifest.json":
            planted = tarfile.TarInfo(name)
            planted.type, planted.linkname = kind, "/etc/passwd"
            yield planted, None if kind != tarfile.REGTYPE else b"x"
        yield info, data

    path = _rewrite(backed_up[0], tmp_path / "planted.tar", plant)
    _refused(path, r"unsafe path|not a plain file", backed_up, demo)
    assert not (tmp_path.parent / "outside.pdf").exists()


def test_a_file_that_is_not_a_backup_is_refused(backed_up: Any, demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "not-a-backup.xlsx"
    path.write_bytes(b"PK\x03\x04 something else" * 100)
    _refused(path, "not a thidua backup", backed_up, demo)
    other = tmp_path / "other.tar"
    with tarfile.open(other, "w") as tar:
        tar.add(__file__, arcname="notes.txt")
    _refused(other, "not a thidua backup", backed_up, demo)
    with pytest.raises(CommandError, match="no backup file"):
        _restore(tmp_path / "missing")


def test_a_backup_of_the_other_engine_is_refused(
    backed_up: Any, demo: Path, tmp_path: Path
) -> None:
    ours, theirs = (
        ("database.sqlite3", "database.pgdump")
        if connection.vendor == "sqlite"
        else ("database.pgdump", "database.sqlite3")
    )

    def to_other_engine(info: Any, data: Any) -> Iterator[Any]:
        if info.name == ours:
            info.name = theirs
        if info.name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"]["engine"] = "postgresql" if ours.endswith("sqlite3") else "sqlite"
            manifest["members"][0]["path"] = theirs
            data = json.dumps(manifest).encode()
        yield info, data

    path = _rewrite(backed_up[0], tmp_path / "other-engine.tar", to_other_engine)
    _refused(path, "restored only into the same kind of database", backed_up, demo)
    old = tmp_path / "old-other-engine.backup"  # a database alone, as older thiduas wrote
    magic = backup_module.PG_MAGIC if ours.endswith("sqlite3") else backup_module.SQLITE_MAGIC
    old.write_bytes(magic + bytes(4096))
    _refused(old, "restored only into the same kind of database", backed_up, demo)


def _old_backup(path: Path) -> None:
    """A backup as thidua wrote it before it kept the uploaded files: the database alone."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
    else:
        backup_module._run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path)])


def test_an_old_backup_of_the_database_alone_is_still_restored(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.backup"
    _old_backup(path)
    _change_everything(demo)
    files = _every_file(demo)
    told = _restore(path)
    assert "the database alone" in told
    assert not Organization.objects.filter(name=NEW_UNIT).exists()
    assert _every_file(demo) == files
    last = AuditEntry.objects.order_by("id").last()
    assert last is not None and last.action == "maintenance.restore"
    call_command("verify_audit", stdout=io.StringIO())


# --- running servers see the restore -----------------------------------------------------------


def test_a_restore_gives_the_chain_a_new_head_and_keeps_it_intact(
    demo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "thidua.tar"
    _backup(path)
    backed_up_head = ChainHead.objects.get().last_hash
    _restore(path)
    first = ChainHead.objects.get().last_hash
    _restore(path)  # the same backup again: the same head before, yet a new head after
    second = AuditEntry.objects.order_by("id").last()
    assert second is not None
    assert second.action == "maintenance.restore" and second.previous_hash == backed_up_head
    assert len({backed_up_head, first, second.entry_hash}) == 3
    assert ChainHead.objects.get().last_hash == second.entry_hash
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def test_figures_kept_before_a_restore_are_computed_again_after_it(
    demo: Path, tmp_path: Path, elsewhere: Callable[[], AbstractContextManager[None]]
) -> None:
    """Another server kept a figure under the head the backup has; after the restore its
    request must not get that figure back (here the rows had changed without an entry, as a
    data migration or another database's restore would)."""
    path = tmp_path / "thidua.tar"
    _backup(path)
    with elsewhere():
        Organization.objects.filter(name__contains="Sơn La").update(name="Đổi tên không ghi vết")
    kept = StampedCache[int](size=4)

    def renamed() -> int:
        return Organization.objects.filter(name="Đổi tên không ghi vết").count()

    before = stamp()
    assert kept.get("renamed", renamed) > 0
    with elsewhere():  # the restore's own saves are not seen by the other server
        _restore(path)
    assert stamp()[0] == before[0] and stamp() != before
    assert kept.get("renamed", renamed) == 0
