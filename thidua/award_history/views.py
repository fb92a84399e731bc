"""Pages of award history: people, their posts, titles, ratings and initiatives entered by
hand, the Excel import, and the merging of duplicate people.

The supervisor keeps everyone's history; a member unit's officer registers the unit's own
people in the year's pages (to nominate them), as `actions.do_register_person` allows. The
pages are mounted with awards' (`/awards/`, names `awards:…`): their addresses stay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from thidua import access
from thidua.access import SignedInRequest
from thidua.errors import FormOutcome, refusal_told, run_form_action
from thidua.jobs.actions import do_start_job
from thidua.jobs.models import Job
from thidua.lib import uploads, xlsx
from thidua.lib.text import fold, sort_key
from thidua.orgs.models import Organization, Person, PersonPosition

from . import actions, importing, names, reads, sheets
from .forms import (
    AwardRecordForm,
    ImportForm,
    InitiativeForm,
    InitiativeUseForm,
    MergeForm,
    PeopleSearchForm,
    PersonForm,
    PositionForm,
    RatingForm,
)
from .hooks import IMPORT_HISTORY
from .models import AwardRecord, HistoryImport, Initiative, NomineeKind, TaskRating

LISTED = 100  # people shown at most on one page; the search narrows them


def _units() -> Any:
    return Organization.objects.filter(archived=False).order_by("name")


def _positions() -> Prefetch:
    return Prefetch(
        "positions",
        queryset=PersonPosition.objects.select_related("organization").order_by("valid_from"),
    )


@login_required
def people(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    form = PeopleSearchForm(request.GET or None)
    query = fold(form.cleaned_data["q"]) if form.is_valid() else ""
    found = (
        Person.objects.filter(merged_into__isnull=True)
        .prefetch_related(_positions())
        .annotate(records=Count("award_records"))
        .order_by("name_key", "birth_year", "pk")
    )
    units: list[Organization] = []
    if query:
        found = found.filter(name_key__contains=query)
        units = sorted(
            (
                u
                for u in _units().only("pk", "name", "short_name", "valid_from", "valid_to")
                if query in fold(u.name)
            ),
            key=lambda u: sort_key(u.name),
        )
    listed = sorted(found[: LISTED + 1], key=lambda p: (sort_key(p.full_name), p.pk))
    return render(
        request,
        "award_history/people.html",
        {"form": form, "people": listed[:LISTED], "more": len(listed) > LISTED, "units": units},
    )


def _register(
    request: SignedInRequest, form: PersonForm, *, year: Any = None
) -> tuple[FormOutcome[Person], list[Person]]:
    """Register the person in the form, unless people by that name need a look first."""
    similar = reads.people_like(form.cleaned_data["full_name"]) if form.is_valid() else []
    if similar and not form.cleaned_data["confirm_new"]:
        form.add_error(
            None,
            _(
                "People with this name are already registered (below). If one of them is this "
                "person, use that record; otherwise tick the last box to register anyway."
            ),
        )
        return FormOutcome(HTTPStatus.BAD_REQUEST), similar
    outcome = run_form_action(
        form,
        lambda: actions.do_register_person(
            full_name=form.cleaned_data["full_name"],
            birth_year=form.cleaned_data["birth_year"],
            gender=form.cleaned_data["gender"],
            unit=form.cleaned_data["unit"],
            position=form.cleaned_data["position"],
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
            year=year,
            acting_user=request.user,
        ),
    )
    if outcome.result is not None:
        name = outcome.result.full_name
        messages.success(request, _("%(name)s is registered.") % {"name": name})
    return outcome, similar


@login_required
def person_new(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    form = PersonForm(request.POST or None, units=_units())
    similar: list[Person] = []
    status = 200
    if request.method == "POST":
        outcome, similar = _register(request, form)
        if outcome.result is not None:
            return redirect("awards:person", pk=outcome.result.pk)
        status = outcome.status
    return render(
        request,
        "award_history/person_form.html",
        {"form": form, "similar": similar, "can_merge": True},
        status=status,
    )


@login_required
def year_person_new(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    """A member unit's officer registers one of the unit's people, to nominate them."""
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    unit_id = access.roles_in_year(request.user, emulation_year).own_member_org_id
    if unit_id is None:  # the supervisor registers people in the history pages instead
        raise PermissionDenied("awards.draft")
    membership = access.get_membership_for(request.user, emulation_year, unit_id, "awards.draft")
    unit = membership.organization
    units = Organization.objects.filter(Q(pk=unit.pk) | Q(parent=unit)).order_by("name")
    form = PersonForm(request.POST or None, units=units, initial={"unit": unit.pk})
    similar: list[Person] = []
    status = 200
    if request.method == "POST":
        outcome, similar = _register(request, form, year=emulation_year)
        if outcome.done:
            return redirect("awards:nomination_new", slug=slug, year=year)
        status = outcome.status
    return render(
        request,
        "award_history/person_form.html",
        {
            "form": form,
            "similar": similar,
            "can_merge": False,
            "unit": unit,
            "year": emulation_year,
            "cluster": emulation_year.cluster,
        },
        status=status,
    )


# --- one person's or one unit's history ------------------------------------------------------


def _history_forms(
    kind: str, data: Any = None, what: str = "", person: Person | None = None
) -> dict[str, Any]:
    def bound(name: str) -> Any:
        return data if what == name else None

    forms: dict[str, Any] = {
        "award": AwardRecordForm(bound("award"), kind=kind, prefix="award"),
        "rating": RatingForm(bound("rating"), prefix="rating"),
    }
    if kind == NomineeKind.INDIVIDUAL:
        forms["initiative"] = InitiativeForm(bound("initiative"), prefix="initiative")
        forms["position"] = PositionForm(bound("position"), units=_units(), prefix="position")
        if person is not None:
            forms["use"] = InitiativeUseForm(bound("use"), person=person, prefix="use")
    return forms


def _save(what: str, form: Any, subject: Person | Organization, user: Any) -> str:
    """Call the action for one valid form; the message to show on success."""
    data = dict(form.cleaned_data)
    nominee: dict[str, Any] = (
        {"person": subject} if isinstance(subject, Person) else {"organization": subject}
    )
    if what == "award":
        actions.do_record_award(acting_user=user, **nominee, **data)
        return _("The title or award is added to the history.")
    if what == "rating":
        actions.do_record_rating(acting_user=user, **nominee, **data)
        return _("The task rating is recorded.")
    if what == "initiative":
        assert isinstance(subject, Person)
        actions.do_record_initiative(subject, acting_user=user, **data)
        return _("The initiative is recorded.")
    if what == "use":
        actions.do_mark_initiative_used(
            data["initiative"], award_record=data["award_record"], acting_user=user
        )
        return _("The initiative is marked as counted.")
    assert isinstance(subject, Person)
    actions.do_add_position(subject, acting_user=user, **data)
    return _("The position is recorded.")


def _history_page(
    request: SignedInRequest,
    subject: Person | Organization,
    kind: str,
    what: str | None,
    *,
    page: str,
) -> HttpResponse:
    person = subject if isinstance(subject, Person) else None
    forms = _history_forms(kind, person=person)
    status = 200
    if request.method == "POST":
        if what not in forms:
            status = 404
        else:
            forms = _history_forms(kind, request.POST, what, person=person)
            form = forms[what]
            outcome = run_form_action(form, lambda: _save(what, form, subject, request.user))
            if outcome.done and outcome.result is not None:
                messages.success(request, outcome.result)
                return redirect(page, pk=subject.pk)
            status = outcome.status
    lookup: dict[str, Any] = {"person": person} if person else {"organization": subject}
    context = {
        "subject": subject,
        "person": person,
        "forms": forms,
        "records": AwardRecord.objects.filter(**lookup)
        .select_related("award_type")
        .order_by("-year", "award_type__rank"),
        "ratings": TaskRating.objects.filter(**lookup).order_by("-year"),
        "initiatives": Initiative.objects.filter(person=person)
        .select_related("used_by__award_type")
        .order_by("-year", "pk")
        if person
        else [],
        "similar": reads.people_like(person.full_name, exclude=person.pk) if person else [],
    }
    return render(request, "award_history/history.html", context, status=status)


@login_required
def person_history(request: SignedInRequest, pk: int, what: str | None = None) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    person = get_object_or_404(Person.objects.prefetch_related(_positions()), pk=pk)
    return _history_page(request, person, NomineeKind.INDIVIDUAL, what, page="awards:person")


@login_required
def unit_history(request: SignedInRequest, pk: int, what: str | None = None) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    unit = get_object_or_404(Organization, pk=pk)
    return _history_page(request, unit, NomineeKind.COLLECTIVE, what, page="awards:unit_history")


# --- the import and duplicates --------------------------------------------------------------

# Files up to this size (about 4,000 rows) are imported while the page waits; larger ones
# go to the background worker and their page shows a progress bar.
IMPORT_INLINE_BYTES = 256 * 1024


@login_required
def history_import(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":

        def start() -> Job | HistoryImport:
            upload = form.cleaned_data["upload"]
            with uploads.storing():
                if upload.size > IMPORT_INLINE_BYTES:
                    # A large file (thousands of rows) is imported in the background, with a bar.
                    return do_start_job(IMPORT_HISTORY, acting_user=request.user, upload=upload)
                return actions.do_import_history(
                    upload.read(), file_name=upload.name, acting_user=request.user
                )

        outcome = run_form_action(form, start)
        if isinstance(outcome.result, Job):
            return redirect("awards:jobs:detail", pk=outcome.result.pk)
        if outcome.result is not None:
            count = outcome.result.rows
            messages.success(request, _("%(count)s award records imported.") % {"count": count})
            return redirect("awards:history_import")
        status = outcome.status
    return render(
        request,
        "award_history/import.html",
        {
            "form": form,
            "columns": importing.COLUMNS,
            "position_columns": importing.POSITION_COLUMNS,
            "aliases": _accepted_spellings(),
        },
        status=status,
    )


def _accepted_spellings() -> list[tuple[str, list[str]]]:
    """Each award's name with the other spellings the import accepts for it."""
    from .models import AwardType

    aliases = names.award_aliases()
    return [
        (name, aliases.get(code, []))
        for code, name in AwardType.objects.order_by("rank", "code").values_list("code", "name")
    ]


@login_required
def duplicates(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    if request.method == "POST":
        form = MergeForm(request.POST)
        if form.is_valid():
            with refusal_told(request):
                actions.do_merge_people(
                    form.cleaned_data["keep"],
                    form.cleaned_data["duplicate"],
                    acting_user=request.user,
                )
                messages.success(request, _("The two records are merged."))
        return redirect("awards:duplicates")
    people = (
        Person.objects.filter(merged_into__isnull=True)
        .prefetch_related(
            Prefetch("positions", queryset=PersonPosition.objects.select_related("organization"))
        )
        .annotate(records=Count("award_records"))
    )
    keys = (
        Person.objects.filter(merged_into__isnull=True)
        .values("name_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name_key", flat=True)
    )
    pairs = reads.possible_duplicates(people.filter(Q(name_key__in=list(keys))))
    return render(request, "award_history/duplicates.html", {"pairs": pairs})


# --- sheets of ratings, initiatives and a collective's members --------------------------------


@dataclass(frozen=True)
class _SheetKind:
    title: str
    intro: str
    run: Callable[..., Any]
    done: str  # "%(count)s …" said when the file is in


def _sheet_kinds() -> dict[str, _SheetKind]:
    return {
        "ratings": _SheetKind(
            _("Import task ratings"),
            _(
                "One row per person (name and year of birth, as on record) or, with the name "
                "empty, per unit; the year and the rating."
            ),
            actions.do_import_ratings,
            _("%(count)s task ratings imported."),
        ),
        "initiatives": _SheetKind(
            _("Import initiatives"),
            _(
                "One row per initiative: its author (name and year of birth, as on record), "
                "title, level and year, and the title or award it was counted for, if any."
            ),
            actions.do_import_initiatives,
            _("%(count)s initiatives imported."),
        ),
    }


def _sheet_page(request: SignedInRequest, kind: str, template_url: str, **run: Any) -> HttpResponse:
    spec = _sheet_kinds()[kind] if kind != "members" else None
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":

        def start() -> Any:
            upload = form.cleaned_data["upload"]
            with uploads.storing():
                content = upload.read()
            if spec is None:
                return actions.do_import_members(
                    content, file_name=upload.name, acting_user=request.user, **run
                )
            return spec.run(content, file_name=upload.name, acting_user=request.user)

        outcome = run_form_action(form, start)
        if outcome.done and outcome.result is not None:
            count = outcome.result.rows if spec is not None else len(outcome.result)
            done = spec.done if spec is not None else _("%(count)s members added.")
            messages.success(request, done % {"count": count})
            return redirect(request.path)
        status = outcome.status
    columns = sheets.EXAMPLES[kind][0]
    context = {
        "form": form,
        "columns": columns,
        "template_url": template_url,
        "title": spec.title
        if spec
        else _("Import the members of %(unit)s") % {"unit": run["unit"].name},
        "intro": spec.intro
        if spec
        else _(
            "One row per person: someone on record with the same name and year of birth gets "
            "the post; anyone else is registered. Someone already a member is refused."
        ),
        "unit": run.get("unit"),
    }
    return render(request, "award_history/sheet_import.html", context, status=status)


@login_required
def ratings_import(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    return _sheet_page(request, "ratings", reverse("awards:ratings_template"))


@login_required
def initiatives_import(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    return _sheet_page(request, "initiatives", reverse("awards:initiatives_template"))


@login_required
def members_import(request: SignedInRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Organization, pk=pk)
    access.require(request.user, "awards.manage_members", unit)
    return _sheet_page(
        request, "members", reverse("awards:members_template", args=[unit.pk]), unit=unit
    )


def _template_download(kind: str, name: str) -> HttpResponse:
    columns, example = sheets.EXAMPLES[kind]
    response = HttpResponse(sheets.template(columns, example, name), content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def history_template(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    return _template_download("history", "mau-lich-su-khen-thuong")


@login_required
def ratings_template(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    return _template_download("ratings", "mau-xep-loai")


@login_required
def initiatives_template(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "awards.manage_history")
    return _template_download("initiatives", "mau-sang-kien")


@login_required
def members_template(request: SignedInRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Organization, pk=pk)
    access.require(request.user, "awards.manage_members", unit)
    return _template_download("members", "mau-thanh-vien")
