"""Every change to the catalogue, award history and nominations goes through one of these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.errors import ActionRefused
from thidua.lib.text import fold, normalize, strip_accents
from thidua.orgs.models import Organization, Person, PersonPosition

from . import importing, rules
from .eligibility import judge_nominations
from .models import (
    AwardRecord,
    AwardRule,
    AwardType,
    Decision,
    EvidenceFile,
    HistoryImport,
    Initiative,
    Nomination,
    NomineeKind,
    TaskRating,
)
from .reasons import describe_data_error

Status = Nomination.Status


def search_key(name: str) -> str:
    """What a name is searched by: folded, without accents (Hòa, hoà and hoa all meet)."""
    return strip_accents(fold(name))


def _locked(year: EmulationYear) -> EmulationYear:
    return EmulationYear.objects.select_for_update().select_related("cluster").get(pk=year.pk)


def _require_proposals_phase(year: EmulationYear) -> None:
    if year.phase == Phase.CLOSED:
        raise ActionRefused(_("The year is closed and can no longer be changed."), code="closed")
    if year.phase != Phase.PROPOSALS:
        raise ActionRefused(
            _("Nominations are handled in the proposals phase; the year is in %(phase)s.")
            % {"phase": year.get_phase_display()},
            code="wrong_phase",
        )


def _membership(year: EmulationYear, unit: Organization) -> Membership:
    membership = Membership.objects.filter(year=year, organization=unit).first()
    if membership is None:
        raise ActionRefused(
            _("%(unit)s is not a member of the cluster this year.") % {"unit": unit.name}
        )
    return membership


def _require_status(nomination: Nomination, *allowed: str) -> None:
    if nomination.status not in allowed:
        raise ActionRefused(
            _("This cannot be done to a nomination that is %(status)s.")
            % {"status": nomination.get_status_display().lower()},
            code="wrong_status",
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
    acting_user: Any,
) -> AwardRule:
    """Add a version of an award's rule, in force from `effective_from`; earlier ones stay."""
    access.require(acting_user, "awards.manage_catalogue")
    codes = set(AwardType.objects.values_list("code", flat=True))
    try:
        rules.requirements_from_data(requirements, awards=codes)
    except rules.RuleDataError as error:
        raise ActionRefused(describe_data_error(error), code="bad_rule") from None
    if AwardRule.objects.filter(award_type=award_type, effective_from=effective_from).exists():
        raise ActionRefused(
            _("%(award)s already has a version in force from %(date)s; choose another date.")
            % {"award": award_type.name, "date": effective_from.strftime("%d/%m/%Y")},
            code="exists",
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


# --- people ----------------------------------------------------------------------------------


def _require_people_access(
    acting_user: Any, year: EmulationYear | None, unit: Organization
) -> None:
    """The supervisor keeps everyone's history; a unit's officer registers its own people."""
    if acting_user.has_perm("awards.manage_history"):
        return
    if year is None:
        access.require(acting_user, "awards.manage_history")
        return
    member = unit.parent if unit.parent is not None else unit
    access.require(acting_user, "awards.draft", _membership(year, member))


@transaction.atomic
def do_register_person(
    *,
    full_name: str,
    birth_year: int | None,
    gender: str,
    unit: Organization,
    position: str = "",
    since: dt.date | None = None,
    year: EmulationYear | None = None,
    acting_user: Any,
) -> Person:
    """Register someone working in `unit` (a member unit or one of its collectives)."""
    _require_people_access(acting_user, year, unit)
    name = normalize(full_name)
    if not name:
        raise ActionRefused(_("Enter the person's full name."))
    person = Person(full_name=name, birth_year=birth_year, gender=gender)
    person.full_clean()
    person.save()
    PersonPosition.objects.create(
        person=person, organization=unit, title=normalize(position), valid_from=since
    )
    record("person.create", person, actor=acting_user, year=year, after=snapshot(person))
    return person


def possible_duplicates(people: Iterable[Person]) -> list[tuple[Person, Person]]:
    """Pairs that may be one person: same folded name and birth year, or same name and unit."""
    by_key: dict[tuple[str, Any], list[Person]] = {}
    for person in people:
        if person.merged_into_id is not None:
            continue
        units = {p.organization_id for p in person.positions.all()}
        keys = {(person.name_key, ("born", person.birth_year))} if person.birth_year else set()
        keys |= {(person.name_key, ("unit", unit)) for unit in units}
        for key in keys:
            by_key.setdefault(key, []).append(person)
    pairs: dict[tuple[int, int], tuple[Person, Person]] = {}
    for group in by_key.values():
        group = sorted(group, key=lambda p: p.pk)
        for later in group[1:]:
            pairs[(group[0].pk, later.pk)] = (group[0], later)
    return [pairs[k] for k in sorted(pairs)]


@transaction.atomic
def do_merge_people(keep: Person, duplicate: Person, *, acting_user: Any) -> Person:
    """Move the duplicate's history to `keep`; the duplicate stays, pointing at `keep`."""
    access.require(acting_user, "awards.manage_history")
    if keep.pk == duplicate.pk or duplicate.merged_into_id is not None:
        raise ActionRefused(_("Choose two different people who have not been merged yet."))
    clash = AwardRecord.objects.filter(person=keep).values_list("award_type_id", "year")
    if (
        AwardRecord.objects.filter(person=duplicate)
        .filter(_pairs(clash, "award_type_id", "year"))
        .exists()
    ):
        raise ActionRefused(
            _("Both records hold the same award in the same year; correct the history first.")
        )
    years = TaskRating.objects.filter(person=keep).values_list("year", flat=True)
    if TaskRating.objects.filter(person=duplicate, year__in=list(years)).exists():
        raise ActionRefused(
            _("Both records have a task rating for the same year; correct the history first.")
        )
    before = {
        "records": list(AwardRecord.objects.filter(person=duplicate).values_list("pk", flat=True))
    }
    for model in (AwardRecord, TaskRating, Initiative, Nomination, PersonPosition):
        model.objects.filter(person=duplicate).update(person=keep)
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into"])
    record(
        "person.merge",
        keep,
        actor=acting_user,
        before={"duplicate": duplicate.pk, **before},
        after={"kept": keep.pk, "merged": duplicate.pk},
    )
    return keep


def _pairs(pairs: Iterable[tuple[Any, Any]], a: str, b: str) -> Q:
    q = Q(pk__in=[])
    for x, y in pairs:
        q |= Q(**{a: x, b: y})
    return q


# --- history ---------------------------------------------------------------------------------


@transaction.atomic
def do_record_award(
    *,
    award_type: AwardType,
    year: int,
    person: Person | None = None,
    organization: Organization | None = None,
    decision_number: str,
    decision_date: dt.date,
    issuer_name: str,
    unit_name: str = "",
    acting_user: Any,
) -> AwardRecord:
    """Enter a title or award granted earlier, as written on its decision."""
    access.require(acting_user, "awards.manage_history")
    if decision_date > timezone.localdate():
        raise ActionRefused(_("The decision date is in the future."))
    rec = AwardRecord(
        person=person,
        organization=organization,
        award_type=award_type,
        year=year,
        decision_number=normalize(decision_number),
        decision_date=decision_date,
        issuer_name=normalize(issuer_name),
        unit_name=normalize(unit_name or (organization.name if organization else "")),
        source=AwardRecord.Source.MANUAL,
    )
    try:
        with transaction.atomic():
            rec.save()
    except IntegrityError:
        raise ActionRefused(
            _("This award for %(year)s is already recorded.") % {"year": year}, code="duplicate"
        ) from None
    record("award_record.create", rec, actor=acting_user, after=snapshot(rec))
    return rec


@transaction.atomic
def do_record_rating(
    *,
    year: int,
    rating: str,
    person: Person | None = None,
    organization: Organization | None = None,
    acting_user: Any,
) -> TaskRating:
    """Record a person's or a unit's task rating for a year (replacing an earlier entry)."""
    access.require(acting_user, "awards.manage_history")
    if (person is None) == (organization is None):
        raise ActionRefused(_("Choose either a person or a unit."))
    existing = TaskRating.objects.filter(
        year=year, person=person, organization=organization
    ).first()
    before = snapshot(existing) if existing else None
    entry = existing or TaskRating(year=year, person=person, organization=organization)
    entry.rating = TaskRating.Rating(rating).value
    entry.save()
    record("task_rating.set", entry, actor=acting_user, before=before, after=snapshot(entry))
    return entry


@transaction.atomic
def do_record_initiative(
    person: Person, *, title: str, level: str, year: int, acting_user: Any
) -> Initiative:
    access.require(acting_user, "awards.manage_history")
    initiative = Initiative(
        person=person, title=normalize(title), level=Initiative.Level(level).value, year=year
    )
    try:
        with transaction.atomic():
            initiative.save()
    except IntegrityError:
        raise ActionRefused(_("This initiative is already recorded."), code="duplicate") from None
    record("initiative.create", initiative, actor=acting_user, after=snapshot(initiative))
    return initiative


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
    acting_user: Any,
) -> Nomination:
    """A unit's officer proposes one of the unit's people or collectives for an award."""
    access.require(acting_user, "awards.draft", _membership(year, unit))
    year = _locked(year)
    _require_proposals_phase(year)
    if (person is None) == (collective is None):
        raise ActionRefused(_("Choose either a person or a collective."))
    kind = NomineeKind.INDIVIDUAL if person is not None else NomineeKind.COLLECTIVE
    if award_type.nominee_kind not in (kind, NomineeKind.BOTH):
        raise ActionRefused(
            _("%(award)s is not granted to this kind of nominee.") % {"award": award_type.name}
        )
    if person is not None:
        units = {unit.pk, *unit.children.values_list("pk", flat=True)}
        if (
            person.merged_into_id is not None
            or not person.positions.filter(organization_id__in=units).exists()
        ):
            raise ActionRefused(
                _("%(name)s does not work in %(unit)s.") % {"name": person, "unit": unit.name}
            )
    if collective is not None and collective.pk != unit.pk and collective.parent_id != unit.pk:
        raise ActionRefused(
            _("%(name)s is not a collective of %(unit)s.")
            % {"name": collective.name, "unit": unit.name}
        )
    text = "\n".join(normalize(line) for line in summary.strip().splitlines())
    if not text:
        raise ActionRefused(_("Summarise the achievements."))
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
            code="duplicate",
        ) from None
    record("nomination.draft", nomination, actor=acting_user, year=year, after=snapshot(nomination))
    return nomination


@transaction.atomic
def do_update_nomination(
    nomination: Nomination, *, summary: str, clean_record: bool | None, acting_user: Any
) -> Nomination:
    """Correct a draft or a returned nomination; a returned one becomes a draft again."""
    access.require(acting_user, "awards.draft", _membership(nomination.year, nomination.unit))
    year = _locked(nomination.year)
    _require_proposals_phase(year)
    nomination = _reload(nomination)
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
def do_attach_evidence(nomination: Nomination, *, upload: Any, acting_user: Any) -> EvidenceFile:
    access.require(acting_user, "awards.draft", _membership(nomination.year, nomination.unit))
    year = _locked(nomination.year)
    _require_proposals_phase(year)
    _require_status(_reload(nomination), Status.DRAFT, Status.RETURNED)
    evidence = EvidenceFile.objects.create(
        nomination=nomination, file=upload, name=normalize(upload.name)
    )
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
    acting_user: Any,
    reason: str = "",
) -> Nomination:
    access.require(acting_user, perm, perm_obj)
    year = _locked(nomination.year)
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
def do_submit_nomination(nomination: Nomination, *, acting_user: Any) -> Nomination:
    """The unit's leader submits the unit's nomination to the cluster."""
    return _move(
        nomination,
        perm="awards.submit",
        perm_obj=_membership(nomination.year, nomination.unit),
        allowed=[Status.DRAFT],
        target=Status.SUBMITTED,
        action="nomination.submit",
        acting_user=acting_user,
    )


@transaction.atomic
def do_compile_proposal(year: EmulationYear, *, acting_user: Any) -> list[Nomination]:
    """The secretariat puts every submitted nomination into the cluster's proposal."""
    access.require(acting_user, "awards.compile", year)
    submitted = list(year.nominations.filter(status=Status.SUBMITTED).order_by("pk"))
    if not submitted:
        raise ActionRefused(_("No unit has submitted a nomination yet."), code="nothing")
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
def do_approve_nomination(nomination: Nomination, *, acting_user: Any) -> Nomination:
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
def do_return_nomination(nomination: Nomination, *, reason: str, acting_user: Any) -> Nomination:
    """The supervisor sends a nomination back to its unit, saying why."""
    text = normalize(reason)
    if not text:
        raise ActionRefused(_("Say why the nomination is returned."), code="no_reason")
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


@transaction.atomic
def do_record_decision(
    year: EmulationYear,
    *,
    number: str,
    date: dt.date,
    issuer_name: str,
    signer_name: str,
    acting_user: Any,
) -> Decision:
    """A decision grants every approved nomination: each becomes award history."""
    access.require(acting_user, "awards.decide", year)
    year = _locked(year)
    _require_proposals_phase(year)
    if date > timezone.localdate():
        raise ActionRefused(_("The decision date is in the future."))
    approved = list(
        Nomination.objects.select_for_update(of=("self",))
        .filter(year=year, status=Status.APPROVED)
        .select_related("award_type", "unit", "collective", "person")
        .order_by("pk")
    )
    if not approved:
        raise ActionRefused(_("No nomination has been approved."), code="nothing")
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                year=year,
                number=normalize(number),
                date=date,
                issuer_name=normalize(issuer_name),
                signer_name=normalize(signer_name),
                recorded_by=acting_user,
            )
    except IntegrityError:
        raise ActionRefused(
            _("The decision %(number)s is already recorded.") % {"number": number},
            code="duplicate",
        ) from None
    judgements = judge_nominations(approved)
    for nomination in approved:
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


# --- importing history -----------------------------------------------------------------------


@transaction.atomic
def do_import_history(content: bytes, *, file_name: str, acting_user: Any) -> HistoryImport:
    """Import award history from Excel: every row, or none (each problem named)."""
    access.require(acting_user, "awards.manage_history")
    table = importing.read_sheet(content)
    awards: dict[str, int] = {}
    for pk, code, name in AwardType.objects.values_list("pk", "code", "name"):
        awards[fold(code)] = pk
        awards[fold(name)] = pk
    organizations: dict[str, list[int]] = {}
    for pk, name in Organization.objects.values_list("pk", "name"):
        organizations.setdefault(fold(name), []).append(pk)
    lookups = importing.Lookups(awards, organizations, timezone.localdate())
    rows, problems = importing.check_rows(table, lookups)

    # People: one query for every name in the file; a name may match one person only.
    keys = {r.person_key for r in rows if r.person_key is not None}
    people: dict[tuple[str, int | None], list[int]] = {}
    for pk, key, born in Person.objects.filter(
        name_key__in={k for k, _born in keys}, merged_into__isnull=True
    ).values_list("pk", "name_key", "birth_year"):
        if (key, born) in keys:
            people.setdefault((key, born), []).append(pk)
    for r in rows:
        if r.person_key is not None and len(people.get(r.person_key, [])) > 1:
            problems.append(importing.ambiguous_person(r.number, r.full_name))

    # Duplicates of records already stored: one query per kind of nominee.
    known_people = {pks[0] for pks in people.values() if len(pks) == 1}
    stored_people = set(
        AwardRecord.objects.filter(person_id__in=known_people).values_list(
            "person_id", "award_type_id", "year"
        )
    )
    stored_units = set(
        AwardRecord.objects.filter(
            organization_id__in={r.organization_id for r in rows if r.person_key is None}
        ).values_list("organization_id", "award_type_id", "year")
    )
    for r in rows:
        if r.person_key is None:
            clash = (r.organization_id, r.award_id, r.year) in stored_units
        else:
            pks = people.get(r.person_key, [])
            clash = len(pks) == 1 and (pks[0], r.award_id, r.year) in stored_people
        if clash:
            problems.append(importing.duplicate_of_existing(r.number, r.year))
    if problems:
        raise importing.ImportRefused(problems)

    batch = HistoryImport.objects.create(
        file_name=normalize(file_name)[:255], rows=len(rows), imported_by=acting_user
    )
    new_people: dict[tuple[str, int | None], tuple[Person, int]] = {}
    for r in rows:
        if (
            r.person_key is not None
            and r.person_key not in people
            and r.person_key not in new_people
        ):
            new_people[r.person_key] = (
                Person(
                    full_name=r.full_name,
                    name_key=r.person_key[0],
                    birth_year=r.birth_year,
                    gender=r.gender,
                ),
                r.organization_id,
            )
    created = Person.objects.bulk_create([p for p, _unit in new_people.values()], batch_size=500)
    PersonPosition.objects.bulk_create(
        [PersonPosition(person=p, organization_id=unit) for p, unit in new_people.values()],
        batch_size=500,
    )
    for person_key, person in zip(new_people, created, strict=True):
        people[person_key] = [person.pk]
    AwardRecord.objects.bulk_create(
        [
            AwardRecord(
                person_id=people[r.person_key][0] if r.person_key is not None else None,
                organization_id=r.organization_id if r.person_key is None else None,
                award_type_id=r.award_id,
                year=r.year,
                decision_number=r.decision_number,
                decision_date=r.decision_date,
                issuer_name=r.issuer_name,
                unit_name=r.unit_name,
                source=AwardRecord.Source.IMPORT,
                history_import=batch,
            )
            for r in rows
        ],
        batch_size=500,
    )
    record(
        "award_history.import",
        batch,
        actor=acting_user,
        after={**snapshot(batch), "people_created": len(created)},
    )
    return batch
