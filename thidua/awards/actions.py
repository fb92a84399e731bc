"""Every change to the catalogue's rules and to nominations goes through one of these; a
decision also writes the award history it grants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.award_history.models import AwardRecord, AwardType, Decision, Initiative, NomineeKind
from thidua.concurrency import require_version, version_of
from thidua.cycle.actions import lock_year
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock, uploads
from thidua.lib.docformat import issuer_abbreviation
from thidua.lib.text import normalize
from thidua.orgs.models import Organization, Person

from . import evidence_files, rule_data, rules
from .eligibility import judge_nominations
from .models import AwardRule, EvidenceFile, Nomination
from .problems import AUTHORITY_LABELS, describe_data_error
from .reads import search_key

if TYPE_CHECKING:
    from thidua.orgs.models import User

Status = Nomination.Status


def _require_proposals_phase(year: EmulationYear) -> None:
    if year.phase == Phase.CLOSED:
        raise ActionRefused(
            _("The year is closed and can no longer be changed."), kind=Refusal.CLOSED
        )
    if year.phase != Phase.PROPOSALS:
        raise ActionRefused(
            _("Nominations are handled in the proposals phase; the year is in %(phase)s.")
            % {"phase": year.get_phase_display()},
            kind=Refusal.WRONG_PHASE,
        )


def _membership(year: EmulationYear, unit: Organization, acting_user: User) -> Membership:
    # The membership the page's access check read, if it read it: read once per request.
    membership = access.membership_of(acting_user, year, unit.pk)
    if membership is None:
        raise ActionRefused(
            _("%(unit)s is not a member of the cluster this year.") % {"unit": unit.name},
            kind=Refusal.INVALID,
        )
    return membership


def _require_status(nomination: Nomination, *allowed: str) -> None:
    if nomination.status not in allowed:
        raise ActionRefused(
            _("This cannot be done to a nomination that is %(status)s.")
            % {"status": nomination.get_status_display().lower()},
            kind=Refusal.WRONG_STATUS,
        )


def _reload(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_for_update().select_related("award_type").get(pk=nomination.pk)


# --- the catalogue ---------------------------------------------------------------------------


@transaction.atomic
def do_save_rule_version(
    award_type: AwardType,
    *,
    effective_from: dt.date,
    requirements: Any,
    legal_source: str,
    status: str,
    note: str = "",
    acting_user: User,
) -> AwardRule:
    """Add a version of an award's rule, in force from `effective_from`; earlier ones stay."""
    access.require(acting_user, "awards.manage_catalogue")
    codes = set(AwardType.objects.values_list("code", flat=True))
    try:
        rule_data.requirements_from_data(requirements, awards=codes)
    except rule_data.RuleDataError as error:
        raise ActionRefused(describe_data_error(error), kind=Refusal.BAD_RULE) from None
    if AwardRule.objects.filter(award_type=award_type, effective_from=effective_from).exists():
        raise ActionRefused(
            _("%(award)s already has a version in force from %(date)s; choose another date.")
            % {"award": award_type.name, "date": effective_from.strftime("%d/%m/%Y")},
            kind=Refusal.EXISTS,
        )
    rule = AwardRule.objects.create(
        award_type=award_type,
        effective_from=effective_from,
        requirements=requirements,
        legal_source=normalize(legal_source),
        status=rules.RuleStatus(status).value,
        note=note.strip(),
        created_by=acting_user,
    )
    record("award_rule.create", rule, actor=acting_user, after=snapshot(rule))
    return rule


# --- nominations -----------------------------------------------------------------------------


@transaction.atomic
def do_draft_nomination(
    year: EmulationYear,
    *,
    unit: Organization,
    award_type: AwardType,
    summary: str,
    person: Person | None = None,
    collective: Organization | None = None,
    clean_record: bool | None = None,
    acting_user: User,
) -> Nomination:
    """A unit's officer proposes one of the unit's people or collectives for an award."""
    access.require(acting_user, "awards.draft", _membership(year, unit, acting_user))
    year = lock_year(year)
    _require_proposals_phase(year)
    if (person is None) == (collective is None):
        raise ActionRefused(_("Choose either a person or a collective."), kind=Refusal.NOMINEE)
    kind = NomineeKind.INDIVIDUAL if person is not None else NomineeKind.COLLECTIVE
    if award_type.nominee_kind not in (kind, NomineeKind.BOTH):
        raise ActionRefused(
            _("%(award)s is not granted to this kind of nominee.") % {"award": award_type.name},
            kind=Refusal.NOMINEE,
        )
    if person is not None:
        units = {unit.pk, *unit.children.values_list("pk", flat=True)}
        if (
            person.merged_into_id is not None
            or not person.positions.filter(organization_id__in=units).exists()
        ):
            raise ActionRefused(
                _("%(name)s does not work in %(unit)s.") % {"name": person, "unit": unit.name},
                kind=Refusal.NOMINEE,
            )
    if collective is not None and collective.pk != unit.pk and collective.parent_id != unit.pk:
        raise ActionRefused(
            _("%(name)s is not a collective of %(unit)s.")
            % {"name": collective.name, "unit": unit.name},
            kind=Refusal.NOMINEE,
        )
    text = "\n".join(normalize(line) for line in summary.strip().splitlines())
    if not text:
        raise ActionRefused(_("Summarise the achievements."), kind=Refusal.MISSING)
    nominee = person or collective
    nomination = Nomination(
        year=year,
        unit=unit,
        person=person,
        collective=collective,
        award_type=award_type,
        summary=text,
        clean_record=clean_record,
        search_key=search_key(str(nominee)),
    )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise ActionRefused(
            _("%(name)s is already nominated for %(award)s this year.")
            % {"name": nominee, "award": award_type.name},
            kind=Refusal.DUPLICATE,
        ) from None
    record("nomination.draft", nomination, actor=acting_user, year=year, after=snapshot(nomination))
    return nomination


def nomination_version(nomination: Nomination) -> str:
    return version_of(nomination)


@transaction.atomic
def do_update_nomination(
    nomination: Nomination,
    *,
    summary: str,
    clean_record: bool | None,
    version: str | None = None,
    acting_user: User,
) -> Nomination:
    """Correct a draft or a returned nomination; a returned one becomes a draft again.

    `version` is `nomination_version` of the nomination the user edited; a newer one is kept.
    """
    access.require(
        acting_user, "awards.draft", _membership(nomination.year, nomination.unit, acting_user)
    )
    year = lock_year(nomination.year)
    _require_proposals_phase(year)
    nomination = _reload(nomination)
    require_version(version, nomination_version(nomination), what=_("The nomination"))
    _require_status(nomination, Status.DRAFT, Status.RETURNED)
    before = snapshot(nomination)
    nomination.summary = "\n".join(normalize(line) for line in summary.strip().splitlines())
    nomination.clean_record = clean_record
    nomination.status = Status.DRAFT
    nomination.return_reason = ""
    nomination.save()
    record(
        "nomination.update",
        nomination,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(nomination),
    )
    return nomination


@transaction.atomic
def do_attach_evidence(nomination: Nomination, *, upload: Any, acting_user: User) -> EvidenceFile:
    access.require(
        acting_user, "awards.draft", _membership(nomination.year, nomination.unit, acting_user)
    )
    year = lock_year(nomination.year)
    _require_proposals_phase(year)
    _require_status(_reload(nomination), Status.DRAFT, Status.RETURNED)
    name = evidence_files.safe_file_name(normalize(upload.name or ""))
    if evidence_files.evidence_type(name) is None:
        raise ActionRefused(
            _("Evidence must be a PDF, JPEG, PNG, Word or Excel file."), kind=Refusal.FILE_TYPE
        )
    problem = uploads.size_problem(name, upload.size, "nomination_evidence")
    if problem:
        raise ActionRefused(problem, kind=Refusal.SIZE)
    evidence = EvidenceFile.objects.create(nomination=nomination, file=upload, name=name)
    after = {"nomination": nomination.pk, "name": evidence.name, "file": evidence.file.name}
    record("nomination.evidence", evidence, actor=acting_user, year=year, after=after)
    return evidence


def _move(
    nomination: Nomination,
    *,
    perm: str,
    perm_obj: Any,
    allowed: Sequence[str],
    target: str,
    action: str,
    acting_user: User,
    reason: str = "",
) -> Nomination:
    access.require(acting_user, perm, perm_obj)
    year = lock_year(nomination.year)
    _require_proposals_phase(year)
    nomination = _reload(nomination)
    _require_status(nomination, *allowed)
    before = {"status": nomination.status}
    nomination.status = target
    nomination.return_reason = reason
    nomination.save(update_fields=["status", "return_reason"])
    after = {"status": target, **({"reason": reason} if reason else {})}
    record(action, nomination, actor=acting_user, year=year, before=before, after=after)
    return nomination


@transaction.atomic
def do_submit_nomination(nomination: Nomination, *, acting_user: User) -> Nomination:
    """The unit's leader submits the unit's nomination to the cluster."""
    return _move(
        nomination,
        perm="awards.submit",
        perm_obj=_membership(nomination.year, nomination.unit, acting_user),
        allowed=[Status.DRAFT],
        target=Status.SUBMITTED,
        action="nomination.submit",
        acting_user=acting_user,
    )


@transaction.atomic
def do_compile_proposal(year: EmulationYear, *, acting_user: User) -> list[Nomination]:
    """The secretariat puts every submitted nomination into the cluster's proposal."""
    access.require(acting_user, "awards.compile", year)
    submitted = list(year.nominations.filter(status=Status.SUBMITTED).order_by("pk"))
    if not submitted:
        raise ActionRefused(_("No unit has submitted a nomination yet."), kind=Refusal.NOTHING)
    return [
        _move(
            n,
            perm="awards.compile",
            perm_obj=year,
            allowed=[Status.SUBMITTED],
            target=Status.COMPILED,
            action="nomination.compile",
            acting_user=acting_user,
        )
        for n in submitted
    ]


@transaction.atomic
def do_approve_nomination(nomination: Nomination, *, acting_user: User) -> Nomination:
    return _move(
        nomination,
        perm="awards.decide",
        perm_obj=nomination.year,
        allowed=[Status.COMPILED],
        target=Status.APPROVED,
        action="nomination.approve",
        acting_user=acting_user,
    )


@transaction.atomic
def do_return_nomination(nomination: Nomination, *, reason: str, acting_user: User) -> Nomination:
    """The supervisor sends a nomination back to its unit, saying why."""
    text = normalize(reason)
    if not text:
        raise ActionRefused(_("Say why the nomination is returned."), kind=Refusal.NO_REASON)
    return _move(
        nomination,
        perm="awards.decide",
        perm_obj=nomination.year,
        allowed=[Status.COMPILED, Status.APPROVED],
        target=Status.RETURNED,
        action="nomination.return",
        acting_user=acting_user,
        reason=text,
    )


def _decided_here(authority: str, nominations: Sequence[Nomination]) -> None:
    """Refuse the decision when a nomination's award is not the authority's to grant."""
    outside = rules.outside_competence(authority, {n: n.award_type.level for n in nominations})
    if not outside:
        return
    deciders = {rules.decided_by(n.award_type.level) for n in outside}
    params = {
        "authority": AUTHORITY_LABELS[Decision.Authority(authority)],
        "awards": ", ".join(sorted({n.award_type.name for n in outside})),
        "names": ", ".join(str(n.person or n.collective) for n in outside[:5]),
    }
    if None in deciders:
        message = _(
            "%(authority)s does not decide %(awards)s: for these the ministry submits a "
            "proposal to the level above. Nominations concerned: %(names)s."
        )
    else:
        params["other"] = ", ".join(
            sorted(str(AUTHORITY_LABELS[d]).lower() for d in deciders if d is not None)
        )
        message = _(
            "%(authority)s does not decide %(awards)s: record these in a decision of "
            "%(other)s. Nominations concerned: %(names)s."
        )
    raise ActionRefused(message % params, kind=Refusal.REFUSED)


def proposed_number(issuer_name: str, date: dt.date) -> str:
    """The number the issuer's register gives next in `date`'s year, e.g. "15/QĐ-BKHĐT"."""
    used = [
        sequence
        for sequence in Decision.objects.filter(
            issuer_name=normalize(issuer_name), date__year=date.year
        ).values_list("sequence", flat=True)
        if sequence is not None
    ]
    return rules.decision_number(
        rules.next_sequence(used), issuer_abbreviation(normalize(issuer_name))
    )


def _number_used(number: str) -> ActionRefused:
    return ActionRefused(
        _("Decision number %(number)s is already used in this year's register.")
        % {"number": number},
        kind=Refusal.DUPLICATE,
    )


@transaction.atomic
def do_record_decision(
    year: EmulationYear,
    *,
    number: str = "",
    date: dt.date,
    issuer_name: str,
    signer_name: str,
    signer_title: str = "",
    place: str = "",
    authority: str = Decision.Authority.MINISTER,
    nominations: Sequence[Nomination] | None = None,
    acting_user: User,
) -> Decision:
    """A decision grants the approved nominations within its authority's competence (all of
    them, or those given): each becomes award history. Without a number the issuer's register
    gives the next one; a number already used is refused."""
    access.require(acting_user, "awards.decide", year)
    year = lock_year(year)
    _require_proposals_phase(year)
    if date > clock.today():
        raise ActionRefused(_("The decision date is in the future."), kind=Refusal.BAD_DATE)
    approved = list(
        Nomination.objects.select_for_update(of=("self",))
        .filter(year=year, status=Status.APPROVED)
        .select_related("award_type", "unit", "collective", "person")
        .order_by("pk")
    )
    if nominations is not None:
        chosen = {n.pk for n in nominations}
        granted = [n for n in approved if n.pk in chosen]
        if len(granted) != len(chosen):
            raise ActionRefused(
                _("Only approved nominations of this year can be decided."),
                kind=Refusal.WRONG_STATUS,
            )
        _decided_here(authority, granted)
    else:
        granted = [n for n in approved if rules.decides(authority, n.award_type.level)]
        if approved and not granted:
            _decided_here(authority, approved)
    if not granted:
        raise ActionRefused(_("No nomination has been approved."), kind=Refusal.NOTHING)
    issuer = normalize(issuer_name)
    given = normalize(number)
    sequence = rules.sequence_of(given) if given else None
    if given and sequence is None:
        raise ActionRefused(
            _("A decision number starts with its number in the register, as in 15/QĐ-BKHĐT."),
            kind=Refusal.INVALID,
        )
    for _attempt in range(3):
        if not given:
            number = proposed_number(issuer, date)
            sequence = rules.sequence_of(number)
        else:
            number = given
            taken = Decision.objects.filter(issuer_name=issuer, date__year=date.year)
            if taken.filter(Q(sequence=sequence) | Q(number=number)).exists():
                raise _number_used(number)
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    year=year,
                    number=number,
                    sequence=sequence,
                    date=date,
                    place=normalize(place),
                    authority=Decision.Authority(authority).value,
                    issuer_name=issuer,
                    signer_title=normalize(signer_title),
                    signer_name=normalize(signer_name),
                    recorded_by=acting_user,
                )
            break
        except IntegrityError:
            if given:
                raise _number_used(number) from None
    else:  # another decision took each number the register proposed
        raise _number_used(number)
    judgements = judge_nominations(granted)
    for nomination in granted:
        rec = AwardRecord.objects.create(
            person=nomination.person,
            organization=nomination.collective,
            award_type=nomination.award_type,
            year=year.year,
            decision_number=decision.number,
            decision_date=date,
            issuer_name=decision.issuer_name,
            unit_name=(nomination.collective or nomination.unit).name,
            source=AwardRecord.Source.DECISION,
            decision=decision,
        )
        used = judgements[nomination.pk].initiatives
        Initiative.objects.filter(pk__in=used, used_by__isnull=True).update(used_by=rec)
        nomination.status = Status.DECIDED
        nomination.record = rec
        nomination.save(update_fields=["status", "record"])
        record(
            "nomination.decide",
            nomination,
            actor=acting_user,
            year=year,
            before={"status": Status.APPROVED},
            after={"status": Status.DECIDED, "record": rec.pk, "initiatives": sorted(used)},
        )
    record("decision.create", decision, actor=acting_user, year=year, after=snapshot(decision))
    return decision
