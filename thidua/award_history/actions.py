"""Every change to award history goes through one of these: people and their posts, titles
and awards granted earlier, task ratings, initiatives, and the Excel import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.cycle.models import EmulationYear, Membership
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock
from thidua.lib.batch import collector_paused
from thidua.lib.text import normalize, same_text
from thidua.orgs.models import Organization, Person, PersonPosition

from . import hooks, import_store, importing, rules, sheets
from .models import AwardRecord, AwardType, HistoryImport, Initiative, NomineeKind, TaskRating

if TYPE_CHECKING:
    from thidua.orgs.models import User


def _membership(year: EmulationYear, unit: Organization, acting_user: User) -> Membership:
    # The membership the page's access check read, if it read it: read once per request.
    membership = access.membership_of(acting_user, year, unit.pk)
    if membership is None:
        raise ActionRefused(
            _("%(unit)s is not a member of the cluster this year.") % {"unit": unit.name},
            kind=Refusal.INVALID,
        )
    return membership


# --- people -----------------------------------------------------------------------------------


def _require_people_access(
    acting_user: User, year: EmulationYear | None, unit: Organization
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
    acting_user: User,
) -> Person:
    """Register someone working in `unit` (a member unit or one of its collectives)."""
    _require_people_access(acting_user, year, unit)
    name = normalize(full_name)
    if not name:
        raise ActionRefused(_("Enter the person's full name."), kind=Refusal.MISSING)
    if birth_year is not None and not rules.plausible_birth_year(birth_year, clock.today()):
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
    acting_user: User,
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


@transaction.atomic
def do_merge_people(keep: Person, duplicate: Person, *, acting_user: User) -> Person:
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
    for model in (AwardRecord, TaskRating, Initiative, PersonPosition):
        model.objects.filter(person=duplicate).update(person=keep)
    for moved in hooks.people_merged:  # what the areas above keep of people (nominations)
        moved(keep, duplicate)
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
    if not rules.history_year_in_range(year, clock.today()):
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
    acting_user: User,
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
            rules.Post(p.organization.name, p.valid_from, p.valid_to)
            for p in person.positions.select_related("organization")
        ]
        unit_name = rules.unit_in_year(positions, year)
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
    acting_user: User,
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
    person: Person, *, title: str, level: str, year: int, acting_user: User
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


# --- importing history -----------------------------------------------------------------------


@transaction.atomic
def do_import_history(
    content: bytes,
    *,
    file_name: str,
    acting_user: User,
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


# --- sheets of ratings, initiatives and members (the API's batches call these too) ----------


def _refuse_if(checked: sheets.Checked) -> None:
    if checked.problems:
        raise importing.ImportRefused(checked.problems)


def _batch(file_name: str, rows: int, acting_user: User) -> HistoryImport:
    return HistoryImport.objects.create(
        file_name=normalize(file_name)[:255], rows=rows, imported_by=acting_user
    )


@transaction.atomic
def do_import_ratings(content: bytes, *, file_name: str, acting_user: User) -> HistoryImport:
    """Import task ratings from a sheet (`sheets.RATING_COLUMNS`): every row, or none."""
    access.require(acting_user, "awards.manage_history")
    checked = sheets.check_ratings(content)
    _refuse_if(checked)
    batch = _batch(file_name, len(checked.rows), acting_user)
    try:
        with transaction.atomic():
            TaskRating.objects.bulk_create(
                TaskRating(
                    person_id=r.get("person"),
                    organization_id=r.get("organization"),
                    year=r["year"],
                    rating=r["rating"],
                )
                for r in checked.rows
            )
    except IntegrityError:  # entered at the same moment by someone else
        raise importing.ImportRefused(
            [_("A rating of the file was recorded meanwhile; nothing was imported.")]
        ) from None
    record("task_rating.import", batch, actor=acting_user, after=snapshot(batch))
    return batch


@transaction.atomic
def do_import_initiatives(content: bytes, *, file_name: str, acting_user: User) -> HistoryImport:
    """Import initiatives from a sheet (`sheets.INITIATIVE_COLUMNS`), each marked as used by
    the title or award it counted for when the sheet names one: every row, or none."""
    access.require(acting_user, "awards.manage_history")
    checked = sheets.check_initiatives(content)
    _refuse_if(checked)
    batch = _batch(file_name, len(checked.rows), acting_user)
    try:
        with transaction.atomic():
            Initiative.objects.bulk_create(
                Initiative(
                    person_id=r["person"],
                    title=r["title"],
                    level=r["level"],
                    year=r["year"],
                    used_by_id=r.get("record"),
                )
                for r in checked.rows
            )
    except IntegrityError:
        raise importing.ImportRefused(
            [_("An initiative of the file was recorded meanwhile; nothing was imported.")]
        ) from None
    record("initiative.import", batch, actor=acting_user, after=snapshot(batch))
    return batch


@transaction.atomic
def do_import_members(
    content: bytes, *, unit: Organization, file_name: str, acting_user: User
) -> list[PersonPosition]:
    """Make the people of a sheet (`sheets.MEMBER_COLUMNS`) members of a unit (a collective):
    someone on record by name and year of birth gets the post, a newcomer is registered.
    Someone already a member of the unit refuses the file, as any problem does."""
    access.require(acting_user, "awards.manage_members", unit)
    if unit.valid_to is not None and unit.valid_to < clock.today():
        raise ActionRefused(
            _("%(unit)s ended on %(date)s; add members to the unit that continues it.")
            % {"unit": unit.name, "date": unit.valid_to.strftime("%d/%m/%Y")},
            kind=Refusal.WRONG_STATUS,
        )
    checked = sheets.check_members(content, unit.pk, unit.name)
    _refuse_if(checked)
    held = []
    created = 0
    for r in checked.rows:
        person_id = r["person"]
        if person_id is None:
            person = Person(full_name=r["name"], birth_year=r["birth_year"], gender=r["gender"])
            person.save()
            person_id = person.pk
            created += 1
        held.append(
            PersonPosition(
                person_id=person_id,
                organization=unit,
                title=r["title"],
                valid_from=r["since"],
                valid_to=r["until"],
            )
        )
    PersonPosition.objects.bulk_create(held)
    record(
        "unit.members_import",
        unit,
        actor=acting_user,
        after={
            "file_name": normalize(file_name)[:255],
            "members": [p.person_id for p in held],
            "people_created": created,
        },
    )
    return held


@transaction.atomic
def do_mark_initiative_used(
    initiative: Initiative, *, award_record: AwardRecord | None, acting_user: User
) -> Initiative:
    """Mark the initiative as counted for one of its author's titles or awards (or not).

    An initiative counts once: one already used for another record is refused."""
    access.require(acting_user, "awards.manage_history")
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if award_record is not None and award_record.person_id != initiative.person_id:
        raise ActionRefused(
            _("The title or award is not the initiative's author's."), kind=Refusal.INVALID
        )
    if (
        award_record is not None
        and initiative.used_by_id is not None
        and initiative.used_by_id != award_record.pk
    ):
        raise ActionRefused(
            _("The initiative “%(title)s” has already counted for another title or award.")
            % {"title": initiative.title},
            kind=Refusal.DUPLICATE,
        )
    before = snapshot(initiative)
    initiative.used_by = award_record
    initiative.save(update_fields=["used_by"])
    record(
        "initiative.used", initiative, actor=acting_user, before=before, after=snapshot(initiative)
    )
    return initiative
