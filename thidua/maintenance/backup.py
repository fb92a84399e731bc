"""Backups of a whole installation (the database and every uploaded file) and their restoration.

A backup is one uncompressed tar archive, so that an administrator can inspect it with
`tar tf` and take it apart with `tar xf`:

    database.sqlite3 | database.pgdump   the database, as one consistent snapshot
    media/<path>                          every file under MEDIA_ROOT, as it is stored there
    manifest.json                         last: what the archive holds, with checksums

The database is copied first, then the files, which thidua adds and never changes. SQLite is copied
by the online backup API, PostgreSQL by pg_dump from a snapshot exported by a transaction
that also reads the audit chain's head, so the manifest gives the head of the very copy.

A restore reads the whole archive into a folder beside MEDIA_ROOT, checking every member
against the manifest, before it replaces anything; it then restores the database, records an
audit entry (which gives the chain a head no running process has seen, so every figure kept
per stamp is computed again, see thidua/audit/stamp.py) and swaps the folders.

The files are read after the database is copied, so every file the copy names is on disk,
unless `thidua prune_jobs` removed it in between (a job's file old enough to be pruned).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from thidua.audit.models import ChainHead
from thidua.audit.record import GENESIS, record

FORMAT = "thidua-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The running processes' state, not data: a running job's progress bar (thidua/jobs/progress.py)
# and the workers' heartbeats (thidua/jobs/heartbeat.py), rewritten every few seconds. A backup
# leaves them out (an old heartbeat restored would tell of a worker dead or alive that is not);
# a restore keeps the ones the running processes wrote.
TRANSIENT = ("jobs/progress/", "jobs/workers/")
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class Member:
    """One file of an archive, as its manifest lists it."""

    path: str
    size: int
    sha256: str


@dataclass
class Summary:
    """What a backup holds, or what a restore verified and put back."""

    engine: str
    database_bytes: int
    media_files: int
    media_bytes: int
    created_at: str
    thidua_version: str
    chain_head: str | None
    left_out: list[str] = field(default_factory=list)
    archive_bytes: int = 0
    # Only for a restore: the chain's head after the entry that records the restore.
    new_chain_head: str | None = None
    # Only for a restore of a file made by an older thidua (the database alone).
    database_only: bool = False


def version() -> str:
    try:
        return importlib.metadata.version("thidua")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- backup ------------------------------------------------------------------------------------


def backup(path: Path) -> Summary:
    """Write the database and every uploaded file to `path`, replacing it only when complete."""
    vendor = _vendor()
    path = path.absolute()
    media_root = Path(settings.MEDIA_ROOT).absolute()
    if path.is_relative_to(media_root):
        raise BackupError(
            f"Write the backup outside MEDIA_ROOT ({media_root}): it would hold itself."
        )
    partial = path.with_name(path.name + ".partial")
    try:
        summary = _write(path, partial, vendor, media_root)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"The backup could not be written to {path}: {error}. Nothing was written at {path}."
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary


def _write(path: Path, partial: Path, vendor: str, media_root: Path) -> Summary:
    created_at = timezone.now().astimezone(dt.UTC)
    members: list[Member] = []
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as work:
        database = Path(work) / DATABASE_MEMBERS[vendor]
        head = _copy_database(vendor, database)
        files, left_out = _media_files(media_root)
        with open(partial, "wb") as out:
            with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                members.append(_add(tar, DATABASE_MEMBERS[vendor], database))
                for relative, file in files:
                    members.append(_add(tar, MEDIA + relative, file))
                summary = Summary(
                    engine=vendor,
                    database_bytes=members[0].size,
                    media_files=len(members) - 1,
                    media_bytes=sum(m.size for m in members[1:]),
                    created_at=created_at.isoformat(timespec="seconds"),
                    thidua_version=version(),
                    chain_head=head,
                    left_out=left_out,
                )
                data = json.dumps(_manifest(summary, members), indent=1, ensure_ascii=False)
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = (
                    len(data.encode()),
                    int(created_at.timestamp()),
                    0o644,
                )
                tar.addfile(info, io.BytesIO(data.encode()))
            out.flush()
            os.fsync(out.fileno())
            summary.archive_bytes = out.tell()
    return summary


def _manifest(summary: Summary, members: list[Member]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "thidua_version": summary.thidua_version,
        "created_at": summary.created_at,
        "database": {"engine": summary.engine, "member": DATABASE_MEMBERS[summary.engine]},
        "audit_chain_head": summary.chain_head,
        "media_root": str(Path(settings.MEDIA_ROOT).absolute()),
        "left_out": list(TRANSIENT),
        "members": [{"path": m.path, "size": m.size, "sha256": m.sha256} for m in members],
    }


def _copy_database(vendor: str, target: Path) -> str | None:
    """Copy the database to `target`; the chain head of the copy."""
    table = ChainHead._meta.db_table
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            row = copy.execute(f'SELECT last_hash FROM "{table}" WHERE id = 1').fetchone()
        finally:
            copy.close()
        return row[0] if row else None
    # One transaction exports its snapshot to pg_dump and reads the head in that snapshot.
    database: Any = connection.Database  # type: ignore[attr-defined]  # psycopg, on PostgreSQL
    raw = database.connect(**connection.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(f'SELECT last_hash FROM "{table}" WHERE id = 1')
            row = cursor.fetchone()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
            ]
        )
    finally:
        raw.close()
    return row[0] if row else None


def _media_files(media_root: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """Every regular file under MEDIA_ROOT by its path there, and what was left out and why."""
    files: list[tuple[str, Path]] = []
    transient = links = 0
    if not media_root.is_dir():
        return files, []
    for folder, dirs, names in os.walk(media_root):
        here = Path(folder)
        for name in list(dirs):
            if (here / name).is_symlink():
                links += 1
                dirs.remove(name)
        dirs.sort()
        for name in sorted(names):
            file = here / name
            relative = file.relative_to(media_root).as_posix()
            if relative.startswith(TRANSIENT):
                transient += 1
            elif file.is_symlink() or not file.is_file():
                links += 1
            else:
                files.append((relative, file))
    left_out = []
    if transient:
        left_out.append(
            f"{transient} progress or heartbeat file(s) of running jobs and workers "
            "(jobs/progress/, jobs/workers/)"
        )
    if links:
        left_out.append(f"{links} symbolic link(s) or special file(s), which thidua never writes")
    return files, left_out


def _add(tar: tarfile.TarFile, name: str, file: Path) -> Member:
    with open(file, "rb") as source:
        status = os.fstat(source.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o644
        reader = _Reader(source)
        tar.addfile(info, reader)  # reads exactly info.size bytes, or fails
    return Member(name, info.size, reader.sha256.hexdigest())


class _Reader:
    """A file read through, hashing what is read."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.sha256.update(data)
        return data


# --- restore -----------------------------------------------------------------------------------


def restore(path: Path) -> Summary:
    """Replace the database and the uploaded files with the backup at `path`, once verified."""
    vendor = _vendor()
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with open(path, "rb") as file:
        magic = file.read(16)
    if magic.startswith((SQLITE_MAGIC, PG_MAGIC)):
        return _restore_database_only(path, magic, vendor)
    media_root = Path(settings.MEDIA_ROOT).absolute()
    if os.path.ismount(media_root):
        raise BackupError(
            f"MEDIA_ROOT ({media_root}) is a mount point, which cannot be swapped for the "
            "restored folder: mount its parent folder instead. Nothing was changed."
        )
    try:
        media_root.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}.restore-"))
    except OSError as error:
        raise BackupError(f"No folder to unpack the backup in: {error}.") from error
    try:
        try:
            summary = _unpack(path, work, vendor)
        except OSError as error:
            raise BackupError(
                f"The backup could not be unpacked into {work} ({error}). Nothing was changed."
            ) from error
        _restore_database(vendor, work / DATABASE_MEMBERS[vendor])
        summary.new_chain_head = _record_restore(path, summary)
        _swap(work / "media", media_root, work / "replaced")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary


def _unpack(path: Path, work: Path, vendor: str) -> Summary:
    """Read every member into `work`, checked against the manifest; the manifest's summary."""
    (work / "media").mkdir()
    found: dict[str, Member] = {}
    manifest: dict[str, Any] | None = None
    try:
        with _open_archive(path) as tar:
            for info in tar:
                if manifest is not None:
                    raise BackupError(f"{path} holds {info.name!r} after its manifest: refused.")
                if not found and info.name not in DATABASE_MEMBERS.values():
                    raise BackupError(_not_a_backup(path))
                if info.name == MANIFEST:
                    manifest = _read_manifest(tar, info, path)
                    continue
                target = _target(work, info, path, vendor)
                if info.name in found or target.exists():
                    raise BackupError(f"{path} holds {info.name!r} twice: refused.")
                found[info.name] = _extract(tar, info, target)
    except (tarfile.TarError, EOFError) as error:
        # A tar cut short at a header's boundary ends quietly: its manifest is missing.
        raise BackupError(
            f"{path} is damaged or cut short ({error}). Nothing was changed."
        ) from error
    if manifest is None:
        raise BackupError(
            f"{path} has no manifest: it was cut short, or it is not a thidua backup. "
            "Nothing was changed."
        )
    return _check(path, manifest, found, vendor)


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except tarfile.TarError as error:
        raise BackupError(_not_a_backup(path)) from error


def _not_a_backup(path: Path) -> str:
    return (
        f"{path} is not a thidua backup (made by `thidua backup`): "
        "it does not start with a database copy. Nothing was changed."
    )


def _target(work: Path, info: tarfile.TarInfo, path: Path, vendor: str) -> Path:
    """Where a member is unpacked, for a plain file at a safe path; anything else is refused."""
    name = info.name
    if name in DATABASE_MEMBERS.values():
        if name != DATABASE_MEMBERS[vendor]:
            raise BackupError(_other_engine(path, _engine_of(name), vendor))
        target = work / name
    else:
        relative = PurePosixPath(name[len(MEDIA) :])
        if (
            not name.startswith(MEDIA)
            or relative.is_absolute()
            or not relative.parts
            or any(part in ("", ".", "..") for part in relative.parts)
            or "\x00" in name
        ):
            raise BackupError(f"{path} holds a file at an unsafe path, {name!r}: refused.")
        target = work / "media" / relative
    if not info.isreg():
        raise BackupError(f"{path} holds {name!r}, which is not a plain file (a link?): refused.")
    return target


def _extract(tar: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> Member:
    source = tar.extractfile(info)
    assert source is not None  # a regular file always has content
    target.parent.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256()
    size = 0
    with source, open(target, "xb") as out:
        while chunk := source.read(CHUNK):
            sha256.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return Member(info.name, size, sha256.hexdigest())


def _read_manifest(tar: tarfile.TarFile, info: tarfile.TarInfo, path: Path) -> dict[str, Any]:
    source = tar.extractfile(info)
    if source is None or info.size > MAX_MANIFEST_BYTES:
        raise BackupError(_not_a_backup(path))
    try:
        manifest = json.loads(source.read().decode())
    except ValueError as error:
        raise BackupError(f"{path} has a damaged manifest ({error}): refused.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_not_a_backup(path))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup of format {manifest.get('format_version')}; this thidua "
            f"({version()}) reads format {FORMAT_VERSION}. Nothing was changed."
        )
    return manifest


def _check(path: Path, manifest: dict[str, Any], found: dict[str, Member], vendor: str) -> Summary:
    """The archive's content is exactly what its manifest lists, for this database engine."""
    try:
        engine = manifest["database"]["engine"]
        listed = {
            m["path"]: Member(m["path"], int(m["size"]), str(m["sha256"]))
            for m in manifest["members"]
        }
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"{path} has a damaged manifest (no {error}): refused.") from error
    if engine != vendor:
        raise BackupError(_other_engine(path, engine, vendor))
    missing = sorted(set(listed) - set(found))
    extra = sorted(set(found) - set(listed))
    changed = sorted(name for name in set(listed) & set(found) if listed[name] != found[name])
    problems = []
    if missing:
        problems.append(f"{len(missing)} file(s) missing, e.g. {missing[0]} (cut short?)")
    if extra:
        problems.append(f"{len(extra)} file(s) not in the manifest, e.g. {extra[0]}")
    if changed:
        problems.append(f"{len(changed)} file(s) differing from their checksum, e.g. {changed[0]}")
    if problems:
        raise BackupError(
            f"{path} does not match its manifest: {'; '.join(problems)}. Nothing was changed."
        )
    media = [m for name, m in found.items() if name.startswith(MEDIA)]
    return Summary(
        engine=vendor,
        database_bytes=found[DATABASE_MEMBERS[vendor]].size,
        media_files=len(media),
        media_bytes=sum(m.size for m in media),
        created_at=str(manifest.get("created_at")),
        thidua_version=str(manifest.get("thidua_version")),
        chain_head=manifest.get("audit_chain_head"),
        archive_bytes=path.stat().st_size,
    )


def _engine_of(member: str) -> str:
    return next(engine for engine, name in DATABASE_MEMBERS.items() if name == member)


def _other_engine(path: Path, engine: str, vendor: str) -> str:
    return (
        f"{path} is a backup of a {ENGINE_NAMES.get(engine, engine)} database, and this thidua "
        f"runs on {ENGINE_NAMES[vendor]}: a backup is restored only into the same kind of "
        "database. Nothing was changed."
    )


def _swap(staged: Path, media_root: Path, replaced: Path) -> None:
    """Put the unpacked files in MEDIA_ROOT's place, with the running processes' own files
    (TRANSIENT) carried over: renames on one filesystem."""
    try:
        if media_root.exists():
            for folder in TRANSIENT:
                if (media_root / folder).is_dir():
                    (staged / folder).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(media_root / folder, staged / folder)
            _take_owner(staged, media_root)
            os.rename(media_root, replaced)
        try:
            os.rename(staged, media_root)
        except OSError:
            if replaced.exists():
                os.rename(replaced, media_root)
            raise
    except OSError as error:
        raise BackupError(
            f"The database was restored, but the uploaded files could not be put in place "
            f"({error}); MEDIA_ROOT ({media_root}) still holds the files it held before."
        ) from error


def _take_owner(staged: Path, media_root: Path) -> None:
    """Give the unpacked files MEDIA_ROOT's mode and owner, so that the site can still write
    there when the restore ran as root."""
    shutil.copymode(media_root, staged)
    owner = media_root.stat()
    if os.geteuid() != 0 or (owner.st_uid, owner.st_gid) == (0, 0):
        return
    for folder, dirs, files in os.walk(staged):
        for name in [".", *dirs, *files]:
            os.chown(os.path.join(folder, name), owner.st_uid, owner.st_gid)


def _restore_database_only(path: Path, magic: bytes, vendor: str) -> Summary:
    """A backup made by an older thidua: the database alone, restored as it was then."""
    engine = "sqlite" if magic.startswith(SQLITE_MAGIC) else "postgresql"
    if engine != vendor:
        raise BackupError(_other_engine(path, engine, vendor))
    if engine == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = source.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            verdict = str(error)
        finally:
            source.close()
        if verdict != "ok":
            raise BackupError(f"{path} is a damaged SQLite file ({verdict}): refused.")
    _restore_database(vendor, path)
    summary = Summary(
        engine=vendor,
        database_bytes=path.stat().st_size,
        media_files=0,
        media_bytes=0,
        created_at="unknown",
        thidua_version="unknown (a backup of the database alone)",
        chain_head=None,
        archive_bytes=path.stat().st_size,
        database_only=True,
    )
    summary.new_chain_head = _record_restore(path, summary)
    return summary


def _restore_database(vendor: str, file: Path) -> None:
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    # pg_restore needs the tables free of this process's locks.
    connection.close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _dbname(),
            str(file),
        ]
    )


def _record_restore(path: Path, summary: Summary) -> str:
    """Append the restore to the audit chain, giving it a head no running process has seen.

    Processes keep figures per chain head; the restored head may be one a process kept figures
    for from another history (the same head before rows written without an entry, or another
    database's), so the restore itself must move the head.
    """
    head = ChainHead.objects.filter(pk=1).first() or ChainHead(pk=1, last_hash=GENESIS)
    entry = record(
        "maintenance.restore",
        head,
        actor=None,
        after={
            "archive": path.name,
            "backup_created_at": summary.created_at,
            "backup_chain_head": summary.chain_head,
            "thidua_version": summary.thidua_version,
            "media_files": summary.media_files,
            "database_only": summary.database_only,
        },
    )
    return entry.entry_hash


# --- both --------------------------------------------------------------------------------------


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    return vendor


def _dbname() -> str:
    return str(connection.settings_dict["NAME"])


def _run(command: list[str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    settings_dict = connection.settings_dict
    env: dict[str, Any] = {**os.environ, "PGDATABASE": _dbname()}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    result = subprocess.run([program, *command[1:]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def size(count: int) -> str:
    """A byte count as an administrator reads it: 512 bytes, 3.4 MB."""
    if count < 1000:
        return f"{count} bytes"
    value = count / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
