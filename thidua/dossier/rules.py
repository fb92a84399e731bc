"""The signed proposal dossier's format and its checks, without Django.

A package is a zip holding the cluster's proposal files, `manifest.json` (every file's path,
role, nominee, size and SHA-256) and `danh-muc-ho-so.pdf` (the same list for people, with the
manifest embedded, signed by the sending agency). docs/dossier.md describes the format.
The checks here return findings; `problems.py` says them in the user's words.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FORMAT = "thidua-dossier/1"
REPLY_FORMAT = "thidua-dossier-reply/1"
MANIFEST = "manifest.json"
CATALOGUE = "danh-muc-ho-so.pdf"
REPLY = "reply.json"
REPLY_LETTER = "phieu-tra-lai-ho-so.pdf"
MAX_FILES = 500
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*(/[A-Za-z0-9][A-Za-z0-9._\-]*)*$")


class Role(StrEnum):
    PROPOSAL = "proposal"  # the Tờ trình: signed by the leader and the agency
    MINUTES = "minutes"  # the minutes of a vote: signed by the agency
    LIST = "list"  # the proposal list (Excel): covered by the catalogue's hashes
    ACHIEVEMENT = "achievement"  # a nominee's achievement report: signed by the agency
    EVIDENCE = "evidence"  # an evidence file as the unit uploaded it


SIGNED_ROLES = frozenset({Role.PROPOSAL, Role.MINUTES, Role.ACHIEVEMENT})


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a package: `code` says what, `path` which file, `detail` more."""

    code: str
    path: str = ""
    detail: str = ""


@dataclass(frozen=True)
class SignatureFacts:
    """What verifying one signature found (from the signing area's report)."""

    signer: str
    organization: str
    intact: bool
    trusted: bool
    covers_whole_file: bool
    fingerprint: str
    time: str = ""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    path: str
    role: str
    size: int
    sha256: str
    nominee: str = ""
    title: str = ""


@dataclass
class Manifest:
    format: str
    dossier_id: str
    sender: str
    leader: str
    receiver: str
    cluster: str
    cluster_slug: str
    year: int
    created_at: str
    files: list[Entry]
    nominees: list[dict[str, Any]] = field(default_factory=list)


class ManifestError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def same_name(a: str, b: str) -> bool:
    """Two names of one agency or person, however their letters were composed or spaced."""

    def folded(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return bool(a.strip()) and folded(a) == folded(b)


# A member's path is kept (ReceivedFile.path) and names a file on disk: no longer than this.
MAX_PATH = 200


def path_finding(name: str) -> Finding | None:
    """A member name that could climb out of the folder, or is not one of ours."""
    if (
        name.startswith(("/", "\\"))
        or "\\" in name
        or ".." in name.split("/")
        or re.match(r"^[A-Za-z]:", name)
    ):
        return Finding("climbs_out", name)
    if len(name) > MAX_PATH or not _PATH.match(name):
        return Finding("bad_name", name[:MAX_PATH])
    return None


def manifest_bytes(manifest: Manifest) -> bytes:
    data = {
        "format": manifest.format,
        "dossier_id": manifest.dossier_id,
        "sender": manifest.sender,
        "leader": manifest.leader,
        "receiver": manifest.receiver,
        "cluster": manifest.cluster,
        "cluster_slug": manifest.cluster_slug,
        "year": manifest.year,
        "created_at": manifest.created_at,
        "nominees": manifest.nominees,
        "files": [
            {
                "path": e.path,
                "role": e.role,
                "nominee": e.nominee,
                "title": e.title,
                "size": e.size,
                "sha256": e.sha256,
            }
            for e in manifest.files
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ManifestError(Finding("manifest_field", MANIFEST, key))
    return value


def parse_manifest(raw: bytes) -> Manifest:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestError(Finding("manifest_unreadable", MANIFEST)) from None
    if not isinstance(data, dict):
        raise ManifestError(Finding("manifest_unreadable", MANIFEST))
    if data.get("format") != FORMAT:
        raise ManifestError(Finding("manifest_format", MANIFEST, str(data.get("format", ""))))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise ManifestError(Finding("manifest_field", MANIFEST, "year"))
    files = data.get("files")
    nominees = data.get("nominees", [])
    if not isinstance(files, list) or not isinstance(nominees, list):
        raise ManifestError(Finding("manifest_field", MANIFEST, "files"))
    entries = []
    for item in files:
        if not isinstance(item, dict):
            raise ManifestError(Finding("manifest_field", MANIFEST, "files"))
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ManifestError(Finding("manifest_field", MANIFEST, "size"))
        entries.append(
            Entry(
                path=_text(item, "path"),
                role=_text(item, "role"),
                size=size,
                sha256=_text(item, "sha256").lower(),
                nominee=str(item.get("nominee", "")),
                title=str(item.get("title", "")),
            )
        )
    for nominee in nominees:
        if not isinstance(nominee, dict) or not isinstance(nominee.get("ref"), str):
            raise ManifestError(Finding("manifest_field", MANIFEST, "nominees"))
    return Manifest(
        format=FORMAT,
        dossier_id=_text(data, "dossier_id"),
        sender=_text(data, "sender"),
        leader=_text(data, "leader"),
        receiver=_text(data, "receiver"),
        cluster=_text(data, "cluster"),
        cluster_slug=_text(data, "cluster_slug"),
        year=year,
        created_at=_text(data, "created_at"),
        files=entries,
        nominees=nominees,
    )


def check_members(names: Sequence[str]) -> list[Finding]:
    """The zip's member names: no more than MAX_FILES, none climbing out, none twice."""
    if len(names) > MAX_FILES:
        return [Finding("too_many_files", detail=str(len(names)))]
    findings = [f for f in (path_finding(n) for n in names) if f is not None]
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            findings.append(Finding("twice", name))
        seen.add(name.casefold())
    return findings


def check_files(manifest: Manifest, present: Mapping[str, bytes]) -> list[Finding]:
    """Every file the manifest lists is there, unchanged, and nothing else is."""
    findings: list[Finding] = []
    listed: dict[str, Entry] = {}
    refs = {str(n["ref"]) for n in manifest.nominees}
    for entry in manifest.files:
        if entry.path in listed or entry.path in (MANIFEST, CATALOGUE):
            findings.append(Finding("listed_twice", entry.path))
        listed[entry.path] = entry
        if entry.role not in Role.__members__.values():
            findings.append(Finding("unknown_role", entry.path, entry.role))
        if entry.nominee and entry.nominee not in refs:
            findings.append(Finding("unknown_nominee", entry.path, entry.nominee))
    for path, entry in listed.items():
        if path not in present:
            findings.append(Finding("missing", path))
            continue
        data = present[path]
        if len(data) != entry.size or sha256(data) != entry.sha256:
            findings.append(Finding("changed", path))
    for path in present:
        if path not in listed and path not in (MANIFEST, CATALOGUE):
            findings.append(Finding("added", path))
    if CATALOGUE not in present:
        findings.append(Finding("missing", CATALOGUE))
    proposals = [e for e in manifest.files if e.role == Role.PROPOSAL]
    if len(proposals) != 1:
        findings.append(Finding("one_proposal", detail=str(len(proposals))))
    return findings


def check_signatures(
    path: str,
    signatures: Sequence[SignatureFacts],
    *,
    sender: str,
    leader: str | None,
) -> list[Finding]:
    """A signed file: every signature intact and trusted, nothing added after the last one,
    each key once, the sending agency's own signature, and (the Tờ trình) its leader's."""
    if not signatures:
        return [Finding("unsigned", path)]
    findings: list[Finding] = []
    for facts in signatures:
        if not facts.intact:
            findings.append(Finding("not_intact", path, facts.signer))
        elif not facts.trusted:
            findings.append(Finding("not_trusted", path, facts.signer))
        if not same_name(facts.organization, sender):
            findings.append(Finding("foreign_signer", path, facts.signer))
    if not signatures[-1].covers_whole_file:
        findings.append(Finding("changed_after_signing", path))
    prints = [s.fingerprint for s in signatures]
    if len(set(prints)) != len(prints):
        findings.append(Finding("signed_twice", path))
    if not any(same_name(s.signer, sender) for s in signatures):
        findings.append(Finding("no_agency_signature", path, sender))
    if leader is not None and not any(same_name(s.signer, leader) for s in signatures):
        findings.append(Finding("no_leader_signature", path, leader))
    return findings


def unique(findings: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))
