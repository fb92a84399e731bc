"""Every change the signed dossier makes: the leader's signature on the Tờ trình, the export
the cluster sends, the import the supervisor receives, the return and the cluster's reading of
it. Each is atomic and audited; a refused package is audited too, outside the transaction it
rolled back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record
from thidua.awards import achievement
from thidua.awards import exports as award_exports
from thidua.awards.models import Nomination
from thidua.conference import dossier as conference_dossier
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock, pdf
from thidua.lib.text import normalize
from thidua.orgs.models import Organization
from thidua.signing import actions as signing
from thidua.signing.models import SignedDocument, SigningIdentity
from thidua.voting import documents as voting_documents
from thidua.voting import reads as voting_reads
from thidua.voting.models import Poll

from . import documents, package, reads, rules
from .models import ReceivedDossier, ReceivedFile, ReceivedNomination, SentDossier
from .problems import describe, refusal_message
from .rules import Finding, Role

if TYPE_CHECKING:
    from thidua.jobs.progress import Progress
    from thidua.orgs.models import User

PROPOSAL_KIND = "dossier.proposal"
Status = Nomination.Status


def reference(year: EmulationYear) -> str:
    return f"{year.cluster.slug}/{year.year}"


def sender_of(year: EmulationYear) -> Organization:
    """The sending agency: the year's cluster head, whose leader signs the Tờ trình."""
    head = (
        Membership.objects.select_related("organization")
        .filter(year=year, role=Membership.Role.HEAD)
        .first()
    )
    if head is None:
        raise ActionRefused(_("The year has no cluster head."), kind=Refusal.MISSING)
    return head.organization


def _proposals(year: EmulationYear) -> list[Nomination]:
    found = list(
        Nomination.objects.filter(year=year, status=Status.COMPILED)
        .select_related("award_type", "unit", "person", "collective", "year__cluster")
        .prefetch_related("files")
        .order_by("unit__name", "award_type__rank", "pk")
    )
    if not found:
        raise ActionRefused(
            _("The cluster's proposal holds no nomination yet: compile it first."),
            kind=Refusal.NOTHING,
        )
    return found


def _require_phase(year: EmulationYear) -> None:
    if year.phase != Phase.PROPOSALS:
        raise ActionRefused(
            _("The dossier is sent in the proposals phase; the year is in %(phase)s.")
            % {"phase": year.get_phase_display()},
            kind=Refusal.WRONG_PHASE,
        )


def _read(signed: SignedDocument) -> bytes:
    with signed.file.open("rb") as stored:
        return stored.read()


def proposal_pdf(year: EmulationYear) -> bytes:
    """The year's Tờ trình as PDF (the conference's proposal letter, made by LibreOffice)."""
    return pdf.pdf_of(conference_dossier.build(year, "proposal"))


def do_sign_proposal(
    *,
    year: EmulationYear,
    identity: SigningIdentity,
    secret: str | None,
    acting_user: User,
    document: bytes | None = None,
) -> SignedDocument:
    """The cluster head's leader signs the year's Tờ trình with their own certificate.

    `document` is the PDF to sign when the caller already made it; otherwise it is made now.
    """
    access.require(acting_user, "dossier.sign_proposal", year)
    _require_phase(year)
    _proposals(year)
    data = document if document is not None else proposal_pdf(year)
    return signing.do_sign_pdf(
        acting_user=acting_user,
        identity=identity,
        pdf=data,
        secret=secret,
        role="person",
        kind=PROPOSAL_KIND,
        reference=reference(year),
    )


def leader_signed_proposal(year: EmulationYear) -> SignedDocument | None:
    """The latest Tờ trình the leader signed for the year, not yet countersigned."""
    return (
        SignedDocument.objects.filter(
            kind=PROPOSAL_KIND, reference=reference(year), role=SignedDocument.Role.PERSON
        )
        .select_related("identity")
        .order_by("-version", "-pk")
        .first()
    )


@dataclass(frozen=True)
class _Part:
    path: str
    role: str
    data: bytes
    nominee: str = ""
    title: str = ""
    sign: bool = False


def _nominee_ref(nomination: Nomination) -> str:
    return f"N{nomination.pk}"


def _parts(year: EmulationYear, nominations: list[Nomination], steps: _Steps) -> list[_Part]:
    """The package's files before signing: every PDF made (LibreOffice) outside any lock."""
    parts: list[_Part] = []
    polls = Poll.objects.filter(year=year, status=Poll.Status.CLOSED).order_by("pk")
    for poll in polls:
        candidates = voting_reads.candidates_of(poll)
        result = voting_reads.count(poll, candidates)
        if result is None:
            continue
        minutes = voting_documents.minutes(poll, voting_reads.shown(poll, result, candidates))
        parts.append(
            _Part(
                f"bien-ban/bien-ban-kiem-phieu-{poll.pk}.pdf",
                Role.MINUTES,
                pdf.pdf_of(minutes),
                title=poll.title,
                sign=True,
            )
        )
        steps.step()
    parts.append(
        _Part(
            "danh-sach-de-nghi.xlsx",
            Role.LIST,
            award_exports.proposal_workbook(year),
            title=_("Proposal list"),
        )
    )
    steps.step()
    for nomination in nominations:
        ref = _nominee_ref(nomination)
        report = achievement.lay_out(achievement.load(nomination))
        parts.append(
            _Part(
                f"{ref}/bao-cao-thanh-tich.pdf",
                Role.ACHIEVEMENT,
                pdf.pdf_of(report),
                nominee=ref,
                title=nomination.nominee_name,
                sign=True,
            )
        )
        steps.step()
        for index, evidence in enumerate(nomination.files.order_by("pk"), start=1):
            with evidence.file.open("rb") as stored:
                content = stored.read()
            suffix = evidence.name.rpartition(".")[2].lower() or "bin"
            parts.append(
                _Part(
                    f"{ref}/minh-chung-{index}.{suffix}",
                    Role.EVIDENCE,
                    content,
                    nominee=ref,
                    title=evidence.name,
                )
            )
    return parts


def _nominee_data(nomination: Nomination) -> dict[str, Any]:
    return {
        "ref": _nominee_ref(nomination),
        "name": nomination.nominee_name,
        "collective": nomination.collective_id is not None,
        "unit": nomination.unit.name,
        "award_code": nomination.award_type.code,
        "award": nomination.award_type.name,
        "summary": nomination.summary,
    }


def check_export(
    *, year: EmulationYear, identity: SigningIdentity, acting_user: User
) -> tuple[Organization, SignedDocument]:
    """What an export needs, checked before any work: the secretariat's right, the phase, the
    cluster head's certificate, the leader's signed Tờ trình. Returns the sender and that
    Tờ trình."""
    access.require(acting_user, "dossier.export", year)
    _require_phase(year)
    sender = sender_of(year)
    if identity.owner_org_id != sender.pk:
        raise ActionRefused(
            _("The package is signed with the certificate of %(agency)s, the cluster head.")
            % {"agency": sender.name},
            kind=Refusal.NOT_YOURS,
        )
    leader_signed = leader_signed_proposal(year)
    if leader_signed is None:
        raise ActionRefused(
            _("The leader of %(agency)s has not signed the proposal letter yet.")
            % {"agency": sender.name},
            kind=Refusal.INCOMPLETE,
        )
    return sender, leader_signed


def do_export_dossier(
    *,
    year: EmulationYear,
    identity: SigningIdentity,
    secret: str | None,
    acting_user: User,
    progress: Progress | None = None,
) -> SentDossier:
    """The secretariat sends the year's proposal as one package signed by its agency.

    Long work (a PDF and a signature per nominee): the background job `export_dossier` runs
    it (export_job.py); `progress` is told (done, total) as each file is made and signed.
    """
    sender, leader_signed = check_export(year=year, identity=identity, acting_user=acting_user)
    nominations = _proposals(year)
    steps = _Steps(progress, total=2 * len(nominations) + 3)
    parts = _parts(year, nominations, steps)  # LibreOffice's work, before any signature
    steps.total = steps.done + sum(1 for part in parts if part.sign) + 2
    catalogue_draft = _draft(year, sender, leader_signed, parts)
    # Each signature is kept as the signing area's own record (a wrong PIN is counted there);
    # the package itself is stored, and audited, in one transaction at the end, or not at all.
    sent = _export(
        year=year,
        sender=sender,
        identity=identity,
        secret=secret,
        acting_user=acting_user,
        nominations=nominations,
        leader_signed=leader_signed,
        parts=parts,
        catalogue_draft=catalogue_draft,
        steps=steps,
    )
    steps.finish()
    return sent


class _Steps:
    """The export's progress: a step per file made, and one per signature."""

    def __init__(self, progress: Progress | None, *, total: int) -> None:
        self.progress = progress
        self.done = 0
        self.total = total

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


@dataclass(frozen=True)
class _CatalogueDraft:
    dossier_id: str
    created_at: str
    receiver: str
    leader: str


def _draft(
    year: EmulationYear, sender: Organization, leader_signed: SignedDocument, parts: list[_Part]
) -> _CatalogueDraft:
    return _CatalogueDraft(
        dossier_id=str(uuid.uuid4()),
        created_at=timezone.localtime(clock.now()).isoformat(timespec="seconds"),
        receiver=year.cluster.supervisor.name,
        leader=leader_signed.identity.subject_name,
    )


def _sign(
    data: bytes,
    *,
    identity: SigningIdentity,
    secret: str | None,
    acting_user: User,
    kind: str,
    ref: str,
) -> bytes:
    signed = signing.do_sign_pdf(
        acting_user=acting_user,
        identity=identity,
        pdf=data,
        secret=secret,
        role="agency",
        kind=kind,
        reference=ref,
    )
    return _read(signed)


def _export(
    *,
    year: EmulationYear,
    sender: Organization,
    identity: SigningIdentity,
    secret: str | None,
    acting_user: User,
    nominations: list[Nomination],
    leader_signed: SignedDocument,
    parts: list[_Part],
    catalogue_draft: _CatalogueDraft,
    steps: _Steps,
) -> SentDossier:
    ref = reference(year)
    signed_parts = [
        _Part(
            "to-trinh.pdf",
            Role.PROPOSAL,
            _sign(
                _read(leader_signed),
                identity=identity,
                secret=secret,
                acting_user=acting_user,
                kind=PROPOSAL_KIND,
                ref=ref,
            ),
            title=_("Proposal letter"),
        )
    ]
    steps.step()
    for part in parts:
        data = part.data
        if part.sign:
            data = _sign(
                data,
                identity=identity,
                secret=secret,
                acting_user=acting_user,
                kind=f"dossier.{part.role}",
                ref=f"{ref}/{part.path}",
            )
            steps.step()
        signed_parts.append(_Part(part.path, part.role, data, part.nominee, part.title))
    entries = [
        rules.Entry(
            path=p.path,
            role=p.role,
            size=len(p.data),
            sha256=rules.sha256(p.data),
            nominee=p.nominee,
            title=p.title,
        )
        for p in signed_parts
    ]
    manifest = rules.Manifest(
        format=rules.FORMAT,
        dossier_id=catalogue_draft.dossier_id,
        sender=sender.name,
        leader=catalogue_draft.leader,
        receiver=catalogue_draft.receiver,
        cluster=year.cluster.name,
        cluster_slug=year.cluster.slug,
        year=year.year,
        created_at=catalogue_draft.created_at,
        files=entries,
        nominees=[_nominee_data(n) for n in nominations],
    )
    manifest_raw = rules.manifest_bytes(manifest)
    catalogue_docx = documents.catalogue(
        sender=sender.name,
        receiver=manifest.receiver,
        cluster=manifest.cluster,
        year=year.year,
        dossier_id=manifest.dossier_id,
        leader=manifest.leader,
        entries=entries,
        manifest_sha256=rules.sha256(manifest_raw),
        place=sender.province or "",
        date=timezone.localdate(clock.now()),
    )
    catalogue = package.embed_json(
        pdf.pdf_of(catalogue_docx),
        rules.MANIFEST,
        manifest_raw,
        "Danh mục hồ sơ (manifest.json)",
    )
    catalogue = _sign(
        catalogue,
        identity=identity,
        secret=secret,
        acting_user=acting_user,
        kind="dossier.catalogue",
        ref=f"{ref}/{manifest.dossier_id}",
    )
    files = {
        rules.MANIFEST: manifest_raw,
        rules.CATALOGUE: catalogue,
        **{p.path: p.data for p in signed_parts},
    }
    zipped = package.write_zip(files)
    with transaction.atomic():
        return _store_sent(
            year, sender, manifest, manifest_raw, zipped, nominations, acting_user, len(files)
        )


def _store_sent(
    year: EmulationYear,
    sender: Organization,
    manifest: rules.Manifest,
    manifest_raw: bytes,
    zipped: bytes,
    nominations: list[Nomination],
    acting_user: User,
    count: int,
) -> SentDossier:
    sent = SentDossier(
        dossier_id=manifest.dossier_id,
        year=year,
        sender=sender,
        receiver_name=manifest.receiver,
        package_sha256=rules.sha256(zipped),
        manifest_sha256=rules.sha256(manifest_raw),
        manifest=_json_of(manifest_raw),
        created_by=acting_user,
    )
    sent.package.save(f"ho-so-{year.cluster.slug}-{year.year}.zip", ContentFile(zipped), save=False)
    sent.save()
    sent.nominations.set(nominations)
    record(
        "dossier.send",
        sent,
        actor=acting_user,
        year=year,
        after={
            "dossier_id": sent.dossier_id,
            "receiver": sent.receiver_name,
            "files": count,
            "nominations": [n.pk for n in nominations],
            "sha256": sent.package_sha256,
        },
    )
    return sent


def _json_of(raw: bytes) -> Any:
    return json.loads(raw)


# --- receiving ----------------------------------------------------------------------------


def _refused(findings: list[Finding], *, kind: Refusal = Refusal.INVALID) -> ActionRefused:
    found = rules.unique(findings)
    return ActionRefused(refusal_message(found), kind=kind, details=[describe(f) for f in found])


@dataclass(frozen=True)
class Checked:
    """A package that passed every check, with what verifying its signatures found."""

    manifest: rules.Manifest
    manifest_raw: bytes
    files: dict[str, bytes]
    verification: list[dict[str, Any]]


def check_package(content: bytes, *, receiver: Organization | None) -> Checked:
    """Every check of a package, before anything is stored; refused whole, naming why."""
    try:
        files = package.read_zip(content)
    except package.PackageRefused as refused:
        raise _refused(refused.findings) from None
    if rules.MANIFEST not in files:
        raise _refused([Finding("manifest_missing")])
    manifest_raw = files[rules.MANIFEST]
    try:
        manifest = rules.parse_manifest(manifest_raw)
    except rules.ManifestError as error:
        raise _refused([error.finding]) from None
    findings = rules.check_files(manifest, files)
    if findings:
        raise _refused(findings)
    if receiver is not None and not rules.same_name(manifest.receiver, receiver.name):
        raise _refused([Finding("not_for_you", detail=manifest.receiver)], kind=Refusal.NOT_YOURS)
    catalogue = files[rules.CATALOGUE]
    if package.embedded(catalogue, rules.MANIFEST) != manifest_raw:
        findings.append(Finding("catalogue_mismatch", rules.CATALOGUE))
    verification: list[dict[str, Any]] = []
    signed = [(rules.CATALOGUE, None)] + [
        (e.path, manifest.leader if e.role == Role.PROPOSAL else None)
        for e in manifest.files
        if e.role in rules.SIGNED_ROLES
    ]
    for path, leader in signed:
        facts = reads.signature_facts(files[path])
        if facts is None:
            findings.append(Finding("not_a_pdf", path))
            continue
        findings += rules.check_signatures(path, facts, sender=manifest.sender, leader=leader)
        verification.append(
            {
                "path": path,
                "signatures": [
                    {
                        "signer": f.signer,
                        "organization": f.organization,
                        "intact": f.intact,
                        "trusted": f.trusted,
                        "covers_whole_file": f.covers_whole_file,
                        "fingerprint": f.fingerprint,
                        "time": f.time,
                    }
                    for f in facts
                ],
            }
        )
    if findings:
        raise _refused(findings)
    return Checked(manifest, manifest_raw, files, verification)


def _record_refusal(
    acting_user: User, receiver: Any, refused: ActionRefused, content: bytes
) -> None:
    obj = receiver if receiver is not None else acting_user
    with transaction.atomic():
        record(
            "dossier.refuse",
            obj,
            actor=acting_user,
            after={
                "sha256": rules.sha256(content),
                "size": len(content),
                "reasons": [refused.message, *refused.details],
            },
        )


def do_import_dossier(*, content: bytes, acting_user: User) -> ReceivedDossier:
    """The supervising department imports a package: every file and signature checked, then
    the nominations for review with their documents, all at once or nothing."""
    access.require(acting_user, "dossier.receive")
    receiver = getattr(acting_user, "organization", None)
    stored: list[str] = []
    try:
        if receiver is None:
            raise ActionRefused(
                _("Your account belongs to no agency, so it cannot receive a dossier."),
                kind=Refusal.NOT_YOURS,
            )
        checked = check_package(content, receiver=receiver)
        with transaction.atomic():
            return _receive(checked, content, receiver, acting_user, stored)
    except ActionRefused as refused:
        _remove(stored)
        _record_refusal(acting_user, receiver, refused, content)
        raise
    except BaseException:
        _remove(stored)
        raise


def _remove(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def _receive(
    checked: Checked, content: bytes, receiver: Organization, acting_user: User, stored: list[str]
) -> ReceivedDossier:
    manifest = checked.manifest
    # One import at a time per receiver, until it commits: its dossiers' ids are then in commit
    # order, so a mirror reading the received list by cursor misses none (docs/api.md).
    Organization.objects.select_for_update(no_key=True).filter(pk=receiver.pk).first()
    earlier = (
        ReceivedDossier.objects.select_for_update().filter(dossier_id=manifest.dossier_id).first()
    )
    if earlier is not None:
        same = earlier.manifest_sha256 == rules.sha256(checked.manifest_raw)
        raise _refused(
            [Finding("received_again" if same else "resent_different", detail=manifest.dossier_id)],
            kind=Refusal.DUPLICATE,
        )
    local_year = EmulationYear.objects.filter(
        cluster__slug=manifest.cluster_slug, year=manifest.year, cluster__supervisor=receiver
    ).first()
    dossier = ReceivedDossier(
        dossier_id=manifest.dossier_id,
        receiver=receiver,
        sender_name=manifest.sender,
        leader_name=manifest.leader,
        cluster_name=manifest.cluster,
        cluster_slug=manifest.cluster_slug,
        year=manifest.year,
        sent_at=manifest.created_at,
        package_sha256=rules.sha256(content),
        manifest_sha256=rules.sha256(checked.manifest_raw),
        manifest=_json_of(checked.manifest_raw),
        verification=checked.verification,
        received_by=acting_user,
        local_year=local_year,
    )
    dossier.package.save(f"{manifest.dossier_id}.zip", ContentFile(content), save=False)
    stored.append(dossier.package.name)
    dossier.save()
    by_ref: dict[str, ReceivedNomination] = {}
    for nominee in manifest.nominees:
        ref = str(nominee["ref"])
        local = None
        if local_year is not None and ref.startswith("N") and ref[1:].isdigit():
            local = Nomination.objects.filter(pk=int(ref[1:]), year=local_year).first()
        by_ref[ref] = ReceivedNomination.objects.create(
            dossier=dossier,
            ref=ref,
            nominee_name=normalize(str(nominee.get("name", "")))[:255],
            collective=bool(nominee.get("collective")),
            unit_name=normalize(str(nominee.get("unit", "")))[:255],
            award_code=str(nominee.get("award_code", ""))[:40],
            award_name=normalize(str(nominee.get("award", "")))[:255],
            summary=str(nominee.get("summary", "")),
            nomination=local,
        )
    for entry in manifest.files:
        kept = ReceivedFile(
            dossier=dossier,
            nomination=by_ref.get(entry.nominee),
            path=entry.path,
            role=entry.role,
            title=entry.title[:255],
            size=entry.size,
            sha256=entry.sha256,
        )
        kept.file.save(
            entry.path.replace("/", "-"), ContentFile(checked.files[entry.path]), save=False
        )
        stored.append(kept.file.name)
        kept.save()
    record(
        "dossier.receive",
        dossier,
        actor=acting_user,
        year=local_year,
        after={
            "dossier_id": dossier.dossier_id,
            "sender": dossier.sender_name,
            "cluster": dossier.cluster_name,
            "year": dossier.year,
            "nominations": len(by_ref),
            "files": len(manifest.files),
            "sha256": dossier.package_sha256,
        },
    )
    return dossier


# --- returning --------------------------------------------------------------------------


def do_return_dossier(
    dossier: ReceivedDossier,
    *,
    reason: str,
    reasons: Mapping[int, str],
    identity: SigningIdentity,
    secret: str | None,
    acting_user: User,
) -> ReceivedDossier:
    """The supervisor returns the dossier with reasons, as a reply signed by its agency.

    `reasons` gives a nomination's own reason by its pk; every nomination of the dossier is
    returned, with its own reason where given and the dossier's otherwise.
    """
    access.require(acting_user, "dossier.return", dossier)
    text = normalize(reason)
    if not text:
        raise ActionRefused(_("Say why the dossier is returned."), kind=Refusal.NO_REASON)
    if dossier.status == ReceivedDossier.Status.RETURNED:
        raise ActionRefused(_("The dossier has already been returned."), kind=Refusal.WRONG_STATUS)
    if identity.owner_org_id != dossier.receiver_id:
        raise ActionRefused(
            _("The reply is signed with the certificate of %(agency)s.")
            % {"agency": dossier.receiver.name},
            kind=Refusal.NOT_YOURS,
        )
    nominations = list(dossier.nominations.order_by("pk"))
    own = {pk: normalize(why) for pk, why in reasons.items() if normalize(why)}
    lines = [(n.nominee_name, own.get(n.pk, text)) for n in nominations]
    reply_data = {
        "format": rules.REPLY_FORMAT,
        "dossier_id": dossier.dossier_id,
        "manifest_sha256": dossier.manifest_sha256,
        "supervisor": dossier.receiver.name,
        "reason": text,
        "nominations": [
            {"ref": n.ref, "name": n.nominee_name, "reason": own.get(n.pk, text)}
            for n in nominations
        ],
        "returned_at": timezone.localtime(clock.now()).isoformat(timespec="seconds"),
    }
    reply_raw = json.dumps(reply_data, ensure_ascii=False, indent=2, sort_keys=True).encode()
    letter = documents.return_letter(
        supervisor=dossier.receiver.name,
        sender=dossier.sender_name,
        cluster=dossier.cluster_name,
        year=dossier.year,
        dossier_id=dossier.dossier_id,
        manifest_sha256=dossier.manifest_sha256,
        reason=text,
        nominations=lines,
        signer=str(getattr(acting_user, "full_name", "") or acting_user),
        date=timezone.localdate(clock.now()),
    )
    letter_pdf = package.embed_json(
        pdf.pdf_of(letter), rules.REPLY, reply_raw, "Phiếu trả lại hồ sơ (reply.json)"
    )
    signed = _sign(
        letter_pdf,
        identity=identity,
        secret=secret,
        acting_user=acting_user,
        kind="dossier.return",
        ref=dossier.dossier_id,
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            dossier = ReceivedDossier.objects.select_for_update().get(pk=dossier.pk)
            if dossier.status == ReceivedDossier.Status.RETURNED:
                raise ActionRefused(
                    _("The dossier has already been returned."), kind=Refusal.WRONG_STATUS
                )
            zipped = package.write_zip({rules.REPLY: reply_raw, rules.REPLY_LETTER: signed})
            dossier.reply.save(f"tra-lai-{dossier.dossier_id}.zip", ContentFile(zipped), save=False)
            stored.append(dossier.reply.name)
            dossier.status = ReceivedDossier.Status.RETURNED
            dossier.return_reason = text
            dossier.returned_at = clock.now()
            dossier.returned_by = acting_user
            dossier.save()
            for nomination in nominations:
                nomination.status = ReceivedNomination.Status.RETURNED
                nomination.return_reason = own.get(nomination.pk, text)
                nomination.save(update_fields=["status", "return_reason"])
            record(
                "dossier.return",
                dossier,
                actor=acting_user,
                year=dossier.local_year,
                before={"status": ReceivedDossier.Status.REVIEW},
                after={
                    "status": ReceivedDossier.Status.RETURNED,
                    "reason": text,
                    "nominations": {n.ref: own.get(n.pk, text) for n in nominations},
                    "sha256": rules.sha256(zipped),
                },
            )
            return dossier
    except BaseException:
        _remove(stored)
        raise


def check_reply(
    content: bytes, sent: SentDossier | None = None
) -> tuple[dict[str, Any], SentDossier]:
    """A reply package: safe, its reply.json the one its signed letter carries, signed by the
    supervising agency, about a dossier this installation sent."""
    try:
        files = package.read_zip(content)
    except package.PackageRefused as refused:
        raise _refused(refused.findings) from None
    extra = sorted(set(files) - {rules.REPLY, rules.REPLY_LETTER})
    missing = sorted({rules.REPLY, rules.REPLY_LETTER} - set(files))
    findings = [Finding("added", p) for p in extra] + [Finding("missing", p) for p in missing]
    if findings:
        raise _refused(findings)
    try:
        data = json.loads(files[rules.REPLY].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _refused([Finding("manifest_unreadable", rules.REPLY)]) from None
    if not isinstance(data, dict) or data.get("format") != rules.REPLY_FORMAT:
        raise _refused([Finding("manifest_format", rules.REPLY, str(data)[:40])])
    if package.embedded(files[rules.REPLY_LETTER], rules.REPLY) != files[rules.REPLY]:
        raise _refused([Finding("catalogue_mismatch", rules.REPLY_LETTER)])
    found = SentDossier.objects.filter(dossier_id=str(data.get("dossier_id", ""))).first()
    if found is None or (sent is not None and found.pk != sent.pk):
        raise ActionRefused(
            _("The reply is about a dossier this installation did not send."),
            kind=Refusal.INVALID,
        )
    facts = reads.signature_facts(files[rules.REPLY_LETTER])
    if facts is None:
        raise _refused([Finding("not_a_pdf", rules.REPLY_LETTER)])
    problems = rules.check_signatures(
        rules.REPLY_LETTER, facts, sender=found.receiver_name, leader=None
    )
    if data.get("manifest_sha256") != found.manifest_sha256:
        problems.append(Finding("catalogue_mismatch", rules.REPLY))
    if problems:
        raise _refused(problems)
    return data, found


def do_import_reply(*, year: EmulationYear, content: bytes, acting_user: User) -> SentDossier:
    """The cluster reads the supervisor's signed reply: the dossier's nominations show as
    returned, each with its reason."""
    access.require(acting_user, "dossier.export", year)
    try:
        data, sent = check_reply(content)
        if sent.year_id != year.pk:
            raise ActionRefused(
                _("The reply is about a dossier of another year."), kind=Refusal.INVALID
            )
        with transaction.atomic():
            return _apply_reply(year, sent, data, acting_user)
    except ActionRefused as refused:
        _record_refusal(acting_user, year.cluster, refused, content)
        raise


def _apply_reply(
    year: EmulationYear, sent: SentDossier, data: dict[str, Any], acting_user: User
) -> SentDossier:
    from thidua.cycle.actions import lock_year

    year = lock_year(year)
    if year.phase != Phase.PROPOSALS:
        raise ActionRefused(
            _("The year is no longer in its proposals phase; the reply cannot be applied."),
            kind=Refusal.WRONG_PHASE,
        )
    sent = SentDossier.objects.select_for_update().get(pk=sent.pk)
    if sent.status == SentDossier.Status.RETURNED:
        raise ActionRefused(_("This reply has already been read."), kind=Refusal.DUPLICATE)
    reason = normalize(str(data.get("reason", "")))
    reasons = {
        str(item.get("ref")): normalize(str(item.get("reason", ""))) or reason
        for item in data.get("nominations", [])
        if isinstance(item, dict)
    }
    included = {f"N{n.pk}": n for n in sent.nominations.select_for_update()}
    for ref, nomination in sorted(included.items()):
        why = reasons.get(ref, reason) or reason
        if nomination.status not in (Status.COMPILED, Status.APPROVED):
            continue
        before = {"status": nomination.status}
        nomination.status = Status.RETURNED
        nomination.return_reason = why
        nomination.save(update_fields=["status", "return_reason"])
        record(
            "nomination.return",
            nomination,
            actor=acting_user,
            year=year,
            before=before,
            after={"status": Status.RETURNED, "reason": why, "dossier": sent.dossier_id},
        )
    sent.status = SentDossier.Status.RETURNED
    sent.reply_reason = reason
    sent.reply_signer = str(data.get("supervisor", ""))[:255]
    sent.reply_imported_at = clock.now()
    sent.save()
    record(
        "dossier.reply_read",
        sent,
        actor=acting_user,
        year=year,
        before={"status": SentDossier.Status.SENT},
        after={"status": SentDossier.Status.RETURNED, "reason": reason},
    )
    return sent
