"""Every change to a year's indicators, values, reminders and results wording."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.cycle.actions import lock_year
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.cycle.rules import shift_year_references
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock
from thidua.lib.text import normalize

from . import excel, reads, rules
from .models import Indicator, IndicatorValue, Reminder, ResultsTemplate
from .problems import describe_template_problem, describe_value_problem

if TYPE_CHECKING:
    from thidua.orgs.models import User

_CODE = re.compile(rules.CODE_PATTERN)
# The largest order every database keeps (a small integer).
_MAX_ORDER = 32767


class WorkbookRefused(ActionRefused):
    """An uploaded workbook was refused whole; `errors` name each bad row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            _(
                "The workbook was not imported and nothing was stored. "
                "Correct it and upload it again."
            ),
            kind=Refusal.WORKBOOK_REFUSED,
            details=errors,
        )
        self.errors = errors


def _require_phase(year: EmulationYear, phases: Sequence[str], refusal: str) -> None:
    if year.phase == Phase.CLOSED:
        raise ActionRefused(
            _("The year is closed and can no longer be changed."), kind=Refusal.CLOSED
        )
    if year.phase not in phases:
        raise ActionRefused(refusal, kind=Refusal.WRONG_PHASE)


# --- defining indicators (the secretariat) -------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    """What the secretariat says about one indicator."""

    code: str
    name: str
    unit: str
    decimals: int
    method: str
    weight_code: str = ""
    denominator_code: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    order: int = 0


def _refuse_defining(year: EmulationYear) -> None:
    _require_phase(
        year,
        reads.DEFINING_PHASES,
        _("Indicators can only be defined until the self-assessment starts."),
    )


def _reference(year: EmulationYear, code: str, *, itself: Indicator | None) -> Indicator:
    found = Indicator.objects.filter(year=year, code=normalize(code).upper()).first()
    if found is None or (itself is not None and found.pk == itself.pk):
        raise ActionRefused(
            _("Choose another indicator of the year for %(code)s.") % {"code": code or "—"},
            kind=Refusal.INVALID,
        )
    return found


@transaction.atomic
def do_save_indicator(
    year: EmulationYear,
    spec: IndicatorSpec,
    *,
    indicator: Indicator | None = None,
    acting_user: User,
) -> Indicator:
    """Add an indicator to the year, or change one, while the year is being prepared."""
    access.require(acting_user, "indicators.manage", year)
    year = lock_year(year)
    _refuse_defining(year)
    code = normalize(spec.code).upper()
    if not _CODE.fullmatch(code):
        raise ActionRefused(
            _(
                "The code must start with a capital letter and hold only capital letters "
                "without accents, digits and underscores (e.g. GRDP_TANG)."
            ),
            kind=Refusal.INVALID,
        )
    if code in rules.RESERVED_PLACEHOLDERS:
        raise ActionRefused(
            _("The code %(code)s is reserved.") % {"code": code}, kind=Refusal.INVALID
        )
    clash = Indicator.objects.filter(year=year, code=code)
    if indicator is not None:
        clash = clash.exclude(pk=indicator.pk)
    if clash.exists():
        raise ActionRefused(
            _("The year already has an indicator with the code %(code)s.") % {"code": code},
            kind=Refusal.EXISTS,
        )
    name = normalize(spec.name)
    if not name:
        raise ActionRefused(_("Give the indicator a name."), kind=Refusal.MISSING)
    if not 0 <= spec.decimals <= rules.MAX_DECIMALS:
        raise ActionRefused(
            _("Decimals must be between 0 and %(count)s.") % {"count": rules.MAX_DECIMALS},
            kind=Refusal.INVALID,
        )
    # The limits are stored as values are: 18 digits before the decimal point, 6 after it.
    for label, limit in (
        (_("Smallest allowed value"), spec.min_value),
        (_("Largest allowed value"), spec.max_value),
    ):
        problem = None if limit is None else rules.check_value(limit, decimals=rules.MAX_DECIMALS)
        if problem is not None:
            said = describe_value_problem(problem, replace(spec, decimals=rules.MAX_DECIMALS))
            raise ActionRefused(
                _("%(indicator)s: %(problem)s") % {"indicator": label, "problem": said},
                kind=Refusal.INVALID,
            )
    if spec.order > _MAX_ORDER:
        raise ActionRefused(
            _("%(indicator)s: %(problem)s")
            % {"indicator": _("Order"), "problem": _("the value is too large.")},
            kind=Refusal.INVALID,
        )
    if (
        spec.min_value is not None
        and spec.max_value is not None
        and spec.min_value > spec.max_value
    ):
        raise ActionRefused(
            _("The smallest allowed value is above the largest."), kind=Refusal.INVALID
        )
    method = Indicator.Method(spec.method)
    before = None
    if indicator is None:
        indicator = Indicator(year=year)
    else:
        if indicator.year_id != year.pk:
            raise ActionRefused(_("This indicator belongs to another year."), kind=Refusal.INVALID)
        before = snapshot(indicator)
        if indicator.code != code and indicator.values.exists():
            raise ActionRefused(
                _("The code of an indicator cannot change once members have reported it."),
                kind=Refusal.LOCKED,
            )
    indicator.code = code
    indicator.name = name
    indicator.unit = normalize(spec.unit)
    indicator.decimals = spec.decimals
    indicator.method = method
    indicator.weight_indicator = (
        _reference(year, spec.weight_code, itself=indicator)
        if method == Indicator.Method.WEIGHTED_MEAN
        else None
    )
    indicator.denominator_indicator = (
        _reference(year, spec.denominator_code, itself=indicator)
        if method == Indicator.Method.RATIO
        else None
    )
    indicator.min_value = spec.min_value
    indicator.max_value = spec.max_value
    indicator.order = spec.order
    indicator.save()
    record(
        "indicator.save" if before else "indicator.add",
        indicator,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(indicator),
    )
    return indicator


@transaction.atomic
def do_copy_indicators(year: EmulationYear, *, acting_user: User) -> list[Indicator]:
    """Copy last year's indicators whose code this year does not have yet."""
    access.require(acting_user, "indicators.manage", year)
    year = lock_year(year)
    _refuse_defining(year)
    source = reads.previous_year(year)
    if source is None:
        raise ActionRefused(
            _("The cluster has no earlier year to copy indicators from."), kind=Refusal.NOTHING
        )
    created = copy_indicators(source, year, acting_user=acting_user)
    if not created:
        raise ActionRefused(
            _("Every indicator of %(year)s is already in this year.") % {"year": source.year},
            kind=Refusal.EXISTS,
        )
    return created


def copy_indicators(
    source: EmulationYear, year: EmulationYear, *, acting_user: User
) -> list[Indicator]:
    """Copy into `year` the indicators of `source` whose code it does not have, their names
    written for the new year ("năm 2016" → "năm 2017"); audited, unchecked.

    `do_copy_indicators` and the opening of a year (whose permission covers it) call it.
    """
    existing = {i.code: i for i in Indicator.objects.filter(year=year)}
    pending = [
        i
        for i in Indicator.objects.filter(year=source).select_related(
            "weight_indicator", "denominator_indicator"
        )
        if i.code not in existing
    ]
    created: list[Indicator] = []
    # An indicator refers to its weight or total by code; create those it refers to first.
    while pending:
        ready = [i for i in pending if all(ref in existing for ref in _references(i))]
        if not ready:
            raise ActionRefused(
                _("The indicators of the earlier year refer to each other."), kind=Refusal.REFUSED
            )
        for old in ready:
            new = Indicator.objects.create(
                year=year,
                code=old.code,
                name=shift_year_references(old.name, source.year, year.year),
                unit=old.unit,
                decimals=old.decimals,
                method=old.method,
                weight_indicator=existing.get(old.weight_indicator.code)
                if old.weight_indicator
                else None,
                denominator_indicator=existing.get(old.denominator_indicator.code)
                if old.denominator_indicator
                else None,
                min_value=old.min_value,
                max_value=old.max_value,
                order=old.order,
            )
            existing[new.code] = new
            created.append(new)
        pending = [i for i in pending if i not in ready]
    if created:
        record(
            "indicator.copy",
            year,
            actor=acting_user,
            year=year,
            after={"from_year": source.year, "codes": [i.code for i in created]},
        )
    return created


def _references(indicator: Indicator) -> list[str]:
    refs = [indicator.weight_indicator, indicator.denominator_indicator]
    return [ref.code for ref in refs if ref is not None]


# --- reporting values (each member unit) ---------------------------------------------


def _refuse_reporting(year: EmulationYear) -> None:
    _require_phase(
        year,
        reads.REPORTING_PHASES,
        _("Values can be reported only while the year is in progress or in self-assessment."),
    )


def _store(
    membership: Membership,
    entries: Mapping[str, rules.Entry],
    *,
    source: str,
    acting_user: User,
) -> int:
    """Validate every entry, then write the changed ones; returns how many changed."""
    indicators = {i.code: i for i in Indicator.objects.filter(year=membership.year)}
    errors: list[str] = []
    for code, entry in entries.items():
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(_("The year has no indicator with the code %(code)s.") % {"code": code})
            continue
        if entry.value is None:
            continue
        problem = rules.check_value(
            entry.value,
            decimals=indicator.decimals,
            minimum=indicator.min_value,
            maximum=indicator.max_value,
        )
        if problem is not None:
            errors.append(
                _("%(indicator)s: %(problem)s")
                % {
                    "indicator": indicator.name,
                    "problem": describe_value_problem(problem, indicator),
                }
            )
    if errors:
        raise ActionRefused(" ".join(errors), kind=Refusal.INVALID_VALUES)
    current = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            indicator__year=membership.year, organization_id=membership.organization_id
        )
    }
    now = clock.now()
    new: list[IndicatorValue] = []
    changed: list[IndicatorValue] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for code, entry in entries.items():
        indicator = indicators[code]
        note = normalize(entry.note)
        old = current.get(indicator.pk)
        if old is None:
            if entry.value is None and not note:
                continue
            new.append(
                IndicatorValue(
                    indicator=indicator,
                    organization_id=membership.organization_id,
                    value=entry.value,
                    note=note,
                    entered_by=acting_user,
                    entered_at=now,
                    source=source,
                )
            )
            before[code] = None
        else:
            if old.value == entry.value and old.note == note:
                continue
            before[code] = {"value": old.value, "note": old.note}
            old.value, old.note = entry.value, note
            old.entered_by, old.entered_at, old.source = acting_user, now, source
            changed.append(old)
        after[code] = {"value": entry.value, "note": note}
    if not after:
        return 0
    IndicatorValue.objects.bulk_create(new)
    IndicatorValue.objects.bulk_update(
        changed, ["value", "note", "entered_by", "entered_at", "source"]
    )
    record(
        "indicator.report",
        membership,
        actor=acting_user,
        year=membership.year,
        before=before,
        after={**after, "source": source},
    )
    return len(after)


@transaction.atomic
def do_report_values(
    membership: Membership,
    *,
    entries: Mapping[str, rules.Entry],
    acting_user: User,
) -> int:
    """The unit's officer or leader enters its values; all are stored, or none."""
    access.require(acting_user, "indicators.report", membership)
    _refuse_reporting(lock_year(membership.year))
    return _store(membership, entries, source=IndicatorValue.Source.FORM, acting_user=acting_user)


@transaction.atomic
def do_import_workbook(
    membership: Membership, *, content: bytes, filename: str, acting_user: User
) -> int:
    """The unit uploads its filled-in workbook; any problem refuses the whole file."""
    access.require(acting_user, "indicators.report", membership)
    _refuse_reporting(lock_year(membership.year))
    try:
        entries = excel.read(
            content,
            filename=filename,
            unit_name=membership.organization.name,
            year=membership.year.year,
            rows=workbook_rows(membership),
        )
    except excel.WorkbookError as error:
        raise WorkbookRefused(error.errors) from None
    return _store(membership, entries, source=IndicatorValue.Source.EXCEL, acting_user=acting_user)


def workbook_rows(membership: Membership) -> list[excel.Row]:
    """The year's indicators with the unit's current values, as the workbook lists them."""
    values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            indicator__year=membership.year, organization_id=membership.organization_id
        )
    }
    rows = []
    for indicator in Indicator.objects.filter(year=membership.year):
        value = values.get(indicator.pk)
        rows.append(
            excel.Row(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                decimals=indicator.decimals,
                min_value=indicator.min_value,
                max_value=indicator.max_value,
                value=value.value if value else None,
                note=value.note if value else "",
            )
        )
    return rows


# --- reminding late members (the secretariat) ----------------------------------------


@transaction.atomic
def do_remind_late(
    year: EmulationYear,
    *,
    organization_ids: Sequence[int] | None = None,
    acting_user: User,
) -> list[Reminder]:
    """Remind the members (all late ones, or those given) that still have values to report."""
    access.require(acting_user, "indicators.manage", year)
    year = lock_year(year)
    _refuse_reporting(year)
    gaps = reads.load(year).gaps()
    wanted = gaps.keys() if organization_ids is None else set(organization_ids) & gaps.keys()
    if not wanted:
        raise ActionRefused(
            _("No member chosen has values left to report."), kind=Refusal.NONE_LATE
        )
    now = clock.now()
    reminders = Reminder.objects.bulk_create(
        Reminder(
            year=year,
            organization_id=org,
            reminded_by=acting_user,
            reminded_at=now,
            missing=[i.code for i in gaps[org]],
        )
        for org in sorted(wanted)
    )
    for reminder in reminders:
        record(
            "indicator.remind",
            reminder,
            actor=acting_user,
            year=year,
            after=snapshot(reminder),
        )
    return reminders


# --- the results paragraph (the secretariat) -----------------------------------------


@transaction.atomic
def do_set_results_template(
    year: EmulationYear, *, text: str, acting_user: User
) -> ResultsTemplate:
    """Save the wording of the results paragraph, once every placeholder names an indicator."""
    access.require(acting_user, "indicators.manage", year)
    year = lock_year(year)
    if year.phase == Phase.CLOSED:
        raise ActionRefused(
            _("The year is closed and can no longer be changed."), kind=Refusal.CLOSED
        )
    text = "\n".join(normalize(line) for line in text.strip().splitlines()).strip()
    if not text:
        raise ActionRefused(_("Write the paragraph's template."), kind=Refusal.MISSING)
    codes = Indicator.objects.filter(year=year).values_list("code", flat=True)
    problems = rules.template_problems(text, codes)
    if problems:
        raise ActionRefused(
            " ".join(describe_template_problem(p) for p in problems), kind=Refusal.BAD_TEMPLATE
        )
    stored = ResultsTemplate.objects.filter(year=year).first()
    before = snapshot(stored) if stored else None
    if stored is None:
        stored = ResultsTemplate(year=year)
    stored.text = text
    stored.updated_by = acting_user
    stored.updated_at = clock.now()
    stored.save()
    record(
        "indicator.results_template",
        stored,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(stored),
    )
    return stored
