"""Agencies with their history, the people who work in them, and emulation clusters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thidua.lib.text import fold, normalize


class Organization(models.Model):
    """An agency as it existed between two dates; a rename or merger starts a new record."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        MINISTRY_DEPARTMENT = "ministry_department", _("Ministry department")
        PROVINCIAL_DEPARTMENT = "provincial_department", _("Provincial department")
        PROVINCIAL_COMMITTEE = "provincial_committee", _("Provincial People's Committee")
        OTHER = "other", _("Other agency")

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    province = models.CharField(_("province"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="organization_valid_period_ordered",
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Succession(models.Model):
    """One agency continuing another from a date: a rename, a merger or a split."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("Renamed")
        MERGER = "merger", _("Merged into")
        SPLIT = "split", _("Split into")

    predecessor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="successions_in"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    effective = models.DateField(_("effective from"))
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["effective", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_once_per_pair"
            ),
            models.CheckConstraint(
                name="succession_not_to_itself", condition=~Q(predecessor=models.F("successor"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective})"


class User(AbstractUser):
    """An account; its organisation and position decide what it may do in each cluster year."""

    class Position(models.TextChoices):
        OFFICER = "officer", _("Emulation and commendation officer")
        LEADER = "leader", _("Unit leader")

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    position = models.CharField(
        _("position"), max_length=16, choices=Position.choices, default=Position.OFFICER
    )

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_leader(self) -> bool:
        return self.position == self.Position.LEADER


class Cluster(models.Model):
    """An emulation cluster (cụm / khối thi đua): agencies that compete and review together."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255)
    supervisor = models.ForeignKey(
        Organization,
        verbose_name=_("supervising organisation"),
        on_delete=models.PROTECT,
        related_name="supervised_clusters",
    )
    description = models.TextField(_("description"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("emulation cluster")
        verbose_name_plural = _("emulation clusters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone whose titles and awards are recorded; matched across years by a folded name.

    Two records may turn out to be the same person: they are listed for a human to merge
    (the duplicate then points at the person it was merged into), never merged silently.
    """

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    full_name = models.CharField(_("full name"), max_length=150)
    name_key = models.CharField(_("name key"), max_length=150, db_index=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_key", "birth_year", "pk"]
        constraints = [
            models.CheckConstraint(
                name="person_birth_year_plausible",
                condition=Q(birth_year__isnull=True)
                | (Q(birth_year__gte=1900) & Q(birth_year__lte=2100)),
            ),
            models.CheckConstraint(
                name="person_not_merged_into_itself", condition=~Q(merged_into=models.F("pk"))
            ),
        ]
        indexes = [
            # Matching an imported row to someone on record: (folded name, year of birth)
            # among the people not merged into another, without reading every namesake.
            models.Index(
                fields=["name_key", "birth_year"],
                name="person_current_name_birth",
                condition=Q(merged_into__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The key is derived, so that NFC/NFD and hòa/hoà spellings meet.
        self.full_name = normalize(self.full_name)
        self.name_key = fold(self.full_name)
        super().save(*args, **kwargs)


class PersonPosition(models.Model):
    """A person's post in an organisation between two dates."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="person_positions"
    )
    title = models.CharField(_("position"), max_length=150, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("position held")
        verbose_name_plural = _("positions held")
        ordering = ["person", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                name="person_position_period_ordered",
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
            ),
        ]
        indexes = [
            # A unit's staff in a year (eligibility of collectives): read from the index
            # alone, without visiting a row per person.
            models.Index(
                fields=["organization", "person", "valid_from", "valid_to"],
                name="position_staff_of_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.title} ({self.organization})"
