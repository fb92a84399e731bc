"""Award history: the titles and awards there are, those granted (as written on their
decisions), yearly task ratings, initiatives, and the Excel files the history came from.

The tables keep the names they had in awards (`db_table`): the models moved, the data did not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from thidua.cycle.models import EmulationYear
from thidua.lib import clock
from thidua.orgs.models import Organization, Person


class AwardLevel(models.TextChoices):
    """Who grants the title or award."""

    GRASSROOTS = "grassroots", _("Head of the agency (grassroots)")
    MINISTRY_PROVINCE = "ministry_province", _("Minister or provincial chair")
    PRIME_MINISTER = "prime_minister", _("Prime Minister")
    PRESIDENT = "president", _("President")


class NomineeKind(models.TextChoices):
    INDIVIDUAL = "individual", pgettext_lazy("awards", "Individual")
    COLLECTIVE = "collective", pgettext_lazy("awards", "Collective")
    BOTH = "both", _("Individual or collective")


class AwardType(models.Model):
    """An emulation title (danh hiệu thi đua) or a form of commendation (hình thức khen thưởng)."""

    class Category(models.TextChoices):
        TITLE = "title", _("Emulation title")
        FORM = "form", _("Form of commendation")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    category = models.CharField(_("category"), max_length=8, choices=Category.choices)
    level = models.CharField(_("level"), max_length=20, choices=AwardLevel.choices)
    nominee_kind = models.CharField(_("for"), max_length=12, choices=NomineeKind.choices)
    rank = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        db_table = "awards_awardtype"
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name


class HistoryImport(models.Model):
    """One Excel file of award history, imported whole."""

    file_name = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=clock.now, editable=False)

    class Meta:
        db_table = "awards_historyimport"
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")

    def __str__(self) -> str:
        return self.file_name


class Decision(models.Model):
    """A decision granting awards (quyết định khen thưởng), numbered in its issuer's register:
    `sequence` of the year of `date` ("15" of "15/QĐ-BKHĐT")."""

    class Authority(models.TextChoices):
        """Who decides; `thidua.awards.rules.COMPETENCE` says which levels each decides."""

        MINISTER = "minister", _("Minister")
        AGENCY_HEAD = "agency_head", _("Head of the agency")

    year = models.ForeignKey(
        EmulationYear, on_delete=models.PROTECT, related_name="award_decisions"
    )
    number = models.CharField(_("number"), max_length=50)
    sequence = models.PositiveIntegerField(_("number in the register"), null=True, blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    authority = models.CharField(
        _("deciding authority"),
        max_length=20,
        choices=Authority.choices,
        default=Authority.MINISTER,
    )
    issuer_name = models.CharField(_("issuer"), max_length=255)
    signer_title = models.CharField(_("signer's position"), max_length=150, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=150)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "awards_decision"
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_name", "number", "date"], name="one_decision_per_number"
            ),
            models.UniqueConstraint(
                "issuer_name",
                ExtractYear("date"),
                "sequence",
                condition=Q(sequence__isnull=False),
                name="one_decision_per_register_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number


def one_nominee(prefix: str, person: str, org: str) -> models.CheckConstraint:
    """A row names a person or an organisation: one of them, never both."""
    return models.CheckConstraint(
        name=f"{prefix}_exactly_one_nominee",
        condition=(Q(**{f"{person}__isnull": False}) & Q(**{f"{org}__isnull": True}))
        | (Q(**{f"{person}__isnull": True}) & Q(**{f"{org}__isnull": False})),
    )


class AwardRecord(models.Model):
    """A title or award actually granted, as written on its decision."""

    class Source(models.TextChoices):
        IMPORT = "import", pgettext_lazy("awards", "Imported")
        MANUAL = "manual", _("Entered by hand")
        DECISION = "decision", pgettext_lazy("awards", "Decision")

    # A holder's records are found through the unique constraints' indexes, which begin with
    # the holder: a second index on the holder alone would only slow every write.
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_records",
        db_index=False,
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_records",
        db_index=False,
    )
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="records")
    year = models.PositiveSmallIntegerField(_("year"))
    decision_number = models.CharField(_("decision number"), max_length=50)
    decision_date = models.DateField(_("decision date"))
    issuer_name = models.CharField(_("issuer"), max_length=255)
    unit_name = models.CharField(_("unit at the time"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    decision = models.ForeignKey(
        Decision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,  # indexed below where set: history rows have none
    )
    history_import = models.ForeignKey(
        HistoryImport, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )

    class Meta:
        db_table = "awards_awardrecord"
        verbose_name = _("award record")
        verbose_name_plural = _("award records")
        ordering = ["year", "pk"]
        constraints = [
            one_nominee("award_record", "person", "organization"),
            models.UniqueConstraint(
                fields=["person", "award_type", "year"],
                condition=Q(person__isnull=False),
                name="award_once_per_person_per_year",
            ),
            models.UniqueConstraint(
                fields=["organization", "award_type", "year"],
                condition=Q(organization__isnull=False),
                name="award_once_per_unit_per_year",
            ),
            models.CheckConstraint(
                name="award_record_year_in_range", condition=Q(year__gte=1945) & Q(year__lte=2100)
            ),
        ]
        indexes = [
            # Eligibility reads a collective's members' titles of one year (see eligibility.py).
            models.Index(fields=["year", "person"], name="award_record_year_person"),
            models.Index(
                fields=["decision"],
                condition=Q(decision__isnull=False),
                name="award_record_decision",
            ),
            # A unit's records of one year: SQLite's planner takes the year's index over the
            # unit constraint's (organization, award type, year) one; this one holds only the
            # units' rows (about 1 %), so it costs a person's record nothing.
            models.Index(
                fields=["organization"],
                condition=Q(organization__isnull=False),
                name="award_record_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} {self.year}"


class TaskRating(models.Model):
    """A person's or a unit's yearly task rating (xếp loại mức độ hoàn thành nhiệm vụ)."""

    class Rating(models.TextChoices):
        EXCELLENT = "htxsnv", _("Completed tasks excellently")
        GOOD = "httnv", _("Completed tasks well")
        COMPLETED = "htnv", _("Completed tasks")
        NOT_COMPLETED = "khtnv", _("Did not complete tasks")

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="task_ratings"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="task_ratings"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)

    class Meta:
        db_table = "awards_taskrating"
        verbose_name = _("task rating")
        verbose_name_plural = _("task ratings")
        constraints = [
            one_nominee("task_rating", "person", "organization"),
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=Q(person__isnull=False),
                name="one_rating_per_person_per_year",
            ),
            models.UniqueConstraint(
                fields=["organization", "year"],
                condition=Q(organization__isnull=False),
                name="one_rating_per_unit_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.rating}"


class Initiative(models.Model):
    """A recognised initiative (sáng kiến); a title or award uses it up, once."""

    class Level(models.TextChoices):
        GRASSROOTS = "grassroots", _("Grassroots")
        MINISTRY_PROVINCE = "ministry_province", _("Ministry or province")
        NATIONAL = "national", _("National")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="initiatives")
    title = models.CharField(_("title"), max_length=500)
    level = models.CharField(_("recognised at"), max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    used_by = models.ForeignKey(
        AwardRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="initiatives"
    )

    class Meta:
        db_table = "awards_initiative"
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "title", "year"], name="initiative_once_per_person_year"
            ),
        ]

    def __str__(self) -> str:
        return self.title
