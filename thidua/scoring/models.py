"""The criteria table of a year, self-assessments, cross-checks, disputes and the ranking snapshot.

Points are Decimal with two places (as on the paper forms). A score row copies its leaf's
range (minimum, maximum) when it is written, so the database itself refuses points outside it:
the table is locked by then, so the copy can never go stale.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from thidua.cycle.models import EmulationYear, Membership

from . import rules


class CriteriaTable(models.Model):
    """The year's criteria table (bảng tiêu chí chấm điểm); locked when self-assessment opens."""

    year = models.OneToOneField(
        EmulationYear, on_delete=models.PROTECT, related_name="criteria_table"
    )
    title = models.CharField(_("title"), max_length=500)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("criteria table")
        verbose_name_plural = _("criteria tables")

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Criterion(models.Model):
    """A node of the table: a section, an item with maximum points, a bonus or a penalty."""

    class Kind(models.TextChoices):
        SECTION = rules.Kind.SECTION.value, _("Section")
        ITEM = rules.Kind.ITEM.value, _("Criterion")
        BONUS = rules.Kind.BONUS.value, _("Bonus")
        PENALTY = rules.Kind.PENALTY.value, _("Penalty")

    table = models.ForeignKey(CriteriaTable, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    number = models.CharField(_("number"), max_length=20)  # "I", "I.2", "V.1"
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    max_points = models.DecimalField(
        _("maximum points"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["table", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="one_criterion_per_number"),
            models.CheckConstraint(
                name="criterion_max_points_positive",
                condition=Q(max_points__isnull=True) | Q(max_points__gt=0),
            ),
            models.CheckConstraint(
                name="criterion_leaf_has_max_points",
                condition=Q(kind="section") | Q(max_points__isnull=False),
            ),
            models.CheckConstraint(
                name="criterion_not_its_own_parent", condition=~Q(parent=F("pk"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def is_leaf(self) -> bool:
        return self.kind != self.Kind.SECTION

    @property
    def minimum(self) -> Decimal:
        assert self.max_points is not None
        return -self.max_points if self.kind == self.Kind.PENALTY else Decimal(0)

    @property
    def maximum(self) -> Decimal:
        assert self.max_points is not None
        return Decimal(0) if self.kind == self.Kind.PENALTY else self.max_points


class Classification(models.TextChoices):
    XUAT_SAC = rules.Classification.XUAT_SAC.value, _("Completed tasks excellently")
    TOT = rules.Classification.TOT.value, _("Completed tasks well")
    HOAN_THANH = rules.Classification.HOAN_THANH.value, _("Completed tasks")
    KHONG_HOAN_THANH = rules.Classification.KHONG_HOAN_THANH.value, _("Did not complete tasks")


class Band(models.Model):
    """A threshold of the cluster's classification: a total of at least min_total earns it."""

    table = models.ForeignKey(CriteriaTable, on_delete=models.CASCADE, related_name="bands")
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices
    )
    min_total = models.DecimalField(_("minimum total"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("classification band")
        verbose_name_plural = _("classification bands")
        ordering = ["table", "-min_total"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "classification"], name="one_band_per_classification"
            ),
            models.CheckConstraint(
                name="band_not_for_failing", condition=~Q(classification="khong_hoan_thanh")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_classification_display()} ≥ {self.min_total}"


class SelfAssessment(models.Model):
    """One member's self-assessment for the year; read-only once submitted."""

    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="self_assessment"
    )
    table = models.ForeignKey(CriteriaTable, on_delete=models.PROTECT, related_name="assessments")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.CheckConstraint(
                name="assessment_submitted_by_someone",
                condition=Q(submitted_at__isnull=True, submitted_by__isnull=True)
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.membership.organization)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    """A member's self-score for one leaf, with its explanation; points empty while a draft."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("points"), null=True, blank=True, max_digits=6, decimal_places=2)
    explanation = models.TextField(_("explanation"), blank=True)
    minimum = models.DecimalField(
        max_digits=6, decimal_places=2
    )  # the leaf's range, copied from the locked table
    maximum = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_score_per_leaf_per_assessment"
            ),
            models.CheckConstraint(
                name="score_within_its_range",
                condition=Q(points__isnull=True)
                | Q(points__gte=F("minimum"), points__lte=F("maximum")),
            ),
            models.CheckConstraint(
                name="score_range_ordered", condition=Q(minimum__lte=F("maximum"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.criterion.number}: {self.points}"


def evidence_path(instance: Evidence, filename: str) -> str:
    membership = instance.score.assessment.membership
    return f"scoring/{membership.year_id}/{membership.organization_id}/{filename}"


class Evidence(models.Model):
    """A file that backs a self-score; downloaded only through a permission-checking view."""

    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["score", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ReviewAssignment(models.Model):
    """A member assigned to cross-check another member's self-assessment; never itself."""

    reviewed = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="review_assignment"
    )
    reviewer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="reviews_to_do")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("cross-check assignment")
        verbose_name_plural = _("cross-check assignments")
        constraints = [
            models.CheckConstraint(
                name="reviewer_is_not_the_reviewed", condition=~Q(reviewer=F("reviewed"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.reviewed}"


class Review(models.Model):
    """The assigned reviewer's points for one self-score; a reason whenever they differ."""

    score = models.OneToOneField(Score, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("reviewed points"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.score}: {self.points}"


class Dispute(models.Model):
    """The reviewed member disagrees with a review; the secretariat settles it with points."""

    score = models.OneToOneField(Score, on_delete=models.PROTECT, related_name="dispute")
    reason = models.TextField(_("reason"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))
    settled_points = models.DecimalField(
        _("settled points"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    settlement_reason = models.TextField(_("settlement reason"), blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.CheckConstraint(name="dispute_has_a_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="dispute_settled_completely",
                condition=Q(
                    settled_points__isnull=True, settled_at__isnull=True, settled_by__isnull=True
                )
                | (
                    Q(
                        settled_points__isnull=False,
                        settled_at__isnull=False,
                        settled_by__isnull=False,
                    )
                    & ~Q(settlement_reason="")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}"

    @property
    def is_settled(self) -> bool:
        return self.settled_at is not None


class RankingSnapshot(models.Model):
    """The ranking as it stood when the year left cross-check: a frozen copy, labelled so."""

    year = models.OneToOneField(
        EmulationYear, on_delete=models.PROTECT, related_name="ranking_snapshot"
    )
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("data"))

    class Meta:
        verbose_name = _("ranking snapshot")
        verbose_name_plural = _("ranking snapshots")

    def __str__(self) -> str:
        return f"{self.year} — {self.taken_at:%Y-%m-%d}"
