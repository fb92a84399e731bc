"""Every change to the catalogue, award history and nominations goes through one of these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.concurrency import require_version, version_of
from thidua.cycle.actions import lock_year
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock, uploads
from thidua.lib.batch import collector_paused
from thidua.lib.text import fold, normalize, same_text, strip_accents
from thidua.orgs.models import Organization, Person, PersonPosition

from . import evidence_files, import_store, importing, manual_history, rule_data, rules
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
from .problems import describe_data_error

Status = Nomination.Status


def search_key(name: str) -> str:
    """What a name is searched by: folded, without accents (Hòa, hoà and hoa all meet)."""
    return strip_accents(fold(name))


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


def _membership(year: EmulationYear, unit: Organization, acting_user: Any) -> Membership:
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
    acting_user: Any,
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
    access.require(acting_user, "awards.draft", _membership(year, member, acting_user))


@transaction.atomic
def do_register_person(
    *,
    full_name: str,
    birth_year: int | None,
    gender: str,
    unit: Organization,
    position: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    year: EmulationYear | None = None,
    acting_user: Any,
) -> Person:
    """Register someone working in `unit` (a member unit or one of its collectives)."""
    _require_people_access(acting_user, year, unit)
    name = normalize(full_name)
    if not name:
        raise ActionRefused(_("Enter the person's full name."), kind=Refusal.MISSING)
    if birth_year is not None and not manual_history.plausible_birth_year(
        birth_year, clock.today()
    ):
        raise ActionRefused(
            _("%(year)s is not a plausible year of birth.") % {"year": birth_year},
            kind=Refusal.BAD_BIRTH_YEAR,
        )
    _check_period(since, until)
    person = Person(full_name=name, birth_year=birth_year, gender=gender)
    person.full_clean()
    person.save()
    held = PersonPosition.objects.create(
        person=person,
        organization=unit,
        title=normalize(position),
        valid_from=since,
        valid_to=until,
    )
    after = {**snapshot(person), "position": snapshot(held)}
    record("person.create", person, actor=acting_user, year=year, after=after)
    return person


def _check_period(since: dt.date | None, until: dt.date | None) -> None:
    if since is not None and until is not None and until < since:
        raise ActionRefused(
            _("The position ends (%(until)s) before it starts (%(since)s).")
            % {"until": until.strftime("%d/%m/%Y"), "since": since.strftime("%d/%m/%Y")},
            kind=Refusal.BAD_PERIOD,
        )


def _require_current(person: Person) -> None:
    if person.merged_into_id is not None:
        raise ActionRefused(
            _("%(name)s was merged into another record; enter the history there.")
            % {"name": person.full_name},
            kind=Refusal.MERGED,
        )


@transaction.atomic
def do_add_position(
    person: Person,
    *,
    unit: Organization,
    position: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    acting_user: Any,
) -> PersonPosition:
    """Record a post the person held (or holds) in a unit, between two dates."""
    access.require(acting_user, "awards.manage_history")
    _require_current(person)
    _check_period(since, until)
    title = normalize(position)
    if PersonPosition.objects.filter(
        person=person, organization=unit, title=title, valid_from=since, valid_to=until
    ).exists():
        raise ActionRefused(_("This position is already recorded."), kind=Refusal.DUPLICATE)
    held = PersonPosition.objects.create(
        person=person, organization=unit, title=title, valid_from=since, valid_to=until
    )
    record("person.position", person, actor=acting_user, after=snapshot(held))
    return held


def people_like(full_name: str, *, exclude: int | None = None) -> list[Person]:
    """People already registered under the same name (any Unicode form or tone placement)."""
    found = (
        Person.objects.filter(name_key=fold(normalize(full_name)), merged_into__isnull=True)
        .prefetch_related(
            Prefetch("positions", queryset=PersonPosition.objects.select_related("organization"))
        )
        .order_by("birth_year", "pk")
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return list(found)


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
        raise ActionRefused(
            _("Choose two different people who have not been merged yet."), kind=Refusal.INVALID
        )
    clash = AwardRecord.objects.filter(person=keep).values_list("award_type_id", "year")
    if (
        AwardRecord.objects.filter(person=duplicate)
        .filter(_pairs(clash, "award_type_id", "year"))
        .exists()
    ):
        raise ActionRefused(
            _("Both records hold the same award in the same year; correct the history first."),
            kind=Refusal.DUPLICATE,
        )
    years = TaskRating.objects.filter(person=keep).values_list("year", flat=True)
    if TaskRating.objects.filter(person=duplicate, year__in=list(years)).exists():
        raise ActionRefused(
            _("Both records have a task rating for the same year; correct the history first."),
            kind=Refusal.DUPLICATE,
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


def _require_one_nominee(person: Person | None, organization: Organization | None) -> None:
    if (person is None) == (organization is None):
        raise ActionRefused(_("Choose either a person or a unit."), kind=Refusal.NOMINEE)
    if person is not None:
        _require_current(person)


def _require_history_year(year: int) -> None:
    if not manual_history.history_year_in_range(year, clock.today()):
        raise ActionRefused(
            _("%(year)s is not a year the history can hold.") % {"year": year},
            kind=Refusal.BAD_YEAR,
        )


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
    _require_one_nominee(person, organization)
    _require_history_year(year)
    kind = NomineeKind.INDIVIDUAL if person is not None else NomineeKind.COLLECTIVE
    if award_type.nominee_kind not in (kind, NomineeKind.BOTH):
        raise ActionRefused(
            _("%(award)s is not granted to this kind of nominee.") % {"award": award_type.name},
            kind=Refusal.KIND,
        )
    if decision_date > clock.today():
        raise ActionRefused(_("The decision date is in the future."), kind=Refusal.BAD_DATE)
    if decision_date.year < year:
        raise ActionRefused(
            _("A decision dated %(date)s cannot grant a title or award for %(year)s.")
            % {"date": decision_date.strftime("%d/%m/%Y"), "year": year},
            kind=Refusal.BAD_DATE,
        )
    number, issuer = normalize(decision_number), normalize(issuer_name)
    if not number or not issuer:
        raise ActionRefused(_("Enter the decision's number and its issuer."), kind=Refusal.MISSING)
    if not unit_name and person is not None:
        positions = [
            manual_history.Post(p.organization.name, p.valid_from, p.valid_to)
            for p in person.positions.select_related("organization")
        ]
        unit_name = manual_history.unit_in_year(positions, year)
    nominee = person or organization
    if AwardRecord.objects.filter(
        person=person, organization=organization, award_type=award_type, year=year
    ).exists():
        raise ActionRefused(
            _("%(name)s already has %(award)s for %(year)s in the history.")
            % {"name": nominee, "award": award_type.name, "year": year},
            kind=Refusal.DUPLICATE,
        )
    rec = AwardRecord(
        person=person,
        organization=organization,
        award_type=award_type,
        year=year,
        decision_number=number,
        decision_date=decision_date,
        issuer_name=issuer,
        unit_name=normalize(unit_name or (organization.name if organization else "")),
        source=AwardRecord.Source.MANUAL,
    )
    try:
        with transaction.atomic():
            rec.save()
    except IntegrityError:  # entered at the same moment by someone else
        raise ActionRefused(
            _("%(name)s already has %(award)s for %(year)s in the history.")
            % {"name": nominee, "award": award_type.name, "year": year},
            kind=Refusal.DUPLICATE,
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
    replace: bool = False,
    acting_user: Any,
) -> TaskRating:
    """Record a person's or a unit's task rating for a year; a different one only replaces
    the stored rating when asked to (a correction), the same one twice is refused."""
    access.require(acting_user, "awards.manage_history")
    _require_one_nominee(person, organization)
    _require_history_year(year)
    value = TaskRating.Rating(rating).value
    existing = (
        TaskRating.objects.select_for_update()
        .filter(year=year, person=person, organization=organization)
        .first()
    )
    if existing is not None and existing.rating == value:
        raise ActionRefused(
            _("The task rating of %(year)s is already recorded: %(rating)s.")
            % {"year": year, "rating": existing.get_rating_display()},
            kind=Refusal.DUPLICATE,
        )
    if existing is not None and not replace:
        raise ActionRefused(
            _(
                "The task rating of %(year)s is already recorded as %(rating)s; "
                "tick “correct the stored rating” to replace it."
            )
            % {"year": year, "rating": existing.get_rating_display()},
            kind=Refusal.EXISTS,
        )
    before = snapshot(existing) if existing else None
    entry = existing or TaskRating(year=year, person=person, organization=organization)
    entry.rating = value
    entry.save()
    record("task_rating.set", entry, actor=acting_user, before=before, after=snapshot(entry))
    return entry


@transaction.atomic
def do_record_initiative(
    person: Person, *, title: str, level: str, year: int, acting_user: Any
) -> Initiative:
    """Record an initiative recognised for the person in a year (the same title once)."""
    access.require(acting_user, "awards.manage_history")
    _require_current(person)
    _require_history_year(year)
    text = normalize(title)
    if not text:
        raise ActionRefused(_("Enter the initiative's title."), kind=Refusal.MISSING)
    titles = Initiative.objects.filter(person=person, year=year).values_list("title", flat=True)
    if any(same_text(text, other) for other in titles):
        raise ActionRefused(
            _("%(name)s already has the initiative “%(title)s” in %(year)s.")
            % {"name": person.full_name, "title": text, "year": year},
            kind=Refusal.DUPLICATE,
        )
    initiative = Initiative(
        person=person, title=text, level=Initiative.Level(level).value, year=year
    )
    try:
        with transaction.atomic():
            initiative.save()
    except IntegrityError:
        raise ActionRefused(
            _("This initiative is already recorded."), kind=Refusal.DUPLICATE
        ) from None
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
    acting_user: Any,
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
def do_attach_evidence(nomination: Nomination, *, upload: Any, acting_user: Any) -> EvidenceFile:
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
    acting_user: Any,
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
def do_submit_nomination(nomination: Nomination, *, acting_user: Any) -> Nomination:
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
def do_compile_proposal(year: EmulationYear, *, acting_user: Any) -> list[Nomination]:
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
    if not approved:
        raise ActionRefused(_("No nomination has been approved."), kind=Refusal.NOTHING)
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
            kind=Refusal.DUPLICATE,
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
def do_import_history(
    content: bytes,
    *,
    file_name: str,
    acting_user: Any,
    progress: import_store.Progress | None = None,
) -> HistoryImport:
    """Import award history from Excel: every row, or none (each problem named).

    `progress(done, total)` hears how many rows are written (the import page's bar).
    """
    access.require(acting_user, "awards.manage_history")
    with collector_paused():
        sheet = importing.read_sheet(content)
        rows, problems = importing.check_rows(sheet, import_store.load_lookups(clock.today()))
        del sheet
        people, ambiguous = import_store.match_people(rows)
        problems += ambiguous
        if problems:
            raise importing.ImportRefused(problems + import_store.duplicates(rows, people))

        batch = HistoryImport.objects.create(
            file_name=normalize(file_name)[:255], rows=len(rows), imported_by=acting_user
        )
        # Written first, checked by the unique constraints: a clash (rare: the file repeats
        # what is on record) undoes the writes, and only then is the history searched.
        try:
            with transaction.atomic():
                created = import_store.store(rows, people, batch.pk, progress)
        except IntegrityError:
            raise importing.ImportRefused(
                import_store.duplicates(rows, people)
                or [_("The file repeats an award already in the history; nothing was imported.")]
            ) from None
    record(
        "award_history.import",
        batch,
        actor=acting_user,
        after={**snapshot(batch), "people_created": created},
    )
    return batch
