"""The review conference, the summary report and its versions, comments, templates and news."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused, Refusal
from thidua.orgs.models import Cluster, Organization


class Conference(models.Model):
    """The year-end review conference (hội nghị tổng kết) of one cluster year."""

    year = models.OneToOneField(EmulationYear, on_delete=models.PROTECT, related_name="conference")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    # The time of day on the last day the conference closed: the minutes state it.
    closed_at = models.TimeField(_("closing time"), null=True, blank=True)
    host = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="hosted_conferences"
    )
    venue = models.CharField(_("venue"), max_length=300)
    agenda = models.TextField(_("agenda"), blank=True)  # one item a line
    decisions = models.TextField(_("decisions"), blank=True)  # one decision a line
    directions = models.TextField(_("next year's directions"), blank=True)

    class Meta:
        verbose_name = _("review conference")
        verbose_name_plural = _("review conferences")
        constraints = [
            models.CheckConstraint(
                name="conference_ends_after_it_starts", condition=Q(ends_on__gte=F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.venue}"

    @property
    def agenda_items(self) -> list[str]:
        return [line for line in self.agenda.splitlines() if line.strip()]

    @property
    def decision_items(self) -> list[str]:
        return [line for line in self.decisions.splitlines() if line.strip()]


class Attendee(models.Model):
    """Someone at the conference, with the position and unit as they were that day."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair (opens the conference, presents the report)")
        SUPERVISOR = "supervisor", _("Supervisor's representative")
        DELEGATE = "delegate", _("Member unit's delegate")
        SECRETARY = "secretary", _("Secretary (takes the minutes)")
        GUEST = "guest", _("Guest")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("full name"), max_length=150)
    position = models.CharField(_("position"), max_length=200)
    unit = models.CharField(_("unit"), max_length=255)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.DELEGATE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["conference", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference"], condition=Q(role="chair"), name="one_chair_per_conference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.position}"


class Report(models.Model):
    """The year's summary report (báo cáo tổng kết): a chain of versions, then a final one."""

    year = models.OneToOneField(EmulationYear, on_delete=models.PROTECT, related_name="report")
    final_version = models.OneToOneField(
        "ReportVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("summary report")
        verbose_name_plural = _("summary reports")
        constraints = [
            models.CheckConstraint(
                name="report_final_version_with_its_date",
                condition=Q(final_version__isnull=True, finalised_at__isnull=True)
                | Q(final_version__isnull=False, finalised_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A final report is immutable, whatever path tries to change it.
        if self.pk and Report.objects.filter(pk=self.pk, final_version__isnull=False).exists():
            raise ActionRefused(
                gettext("The report is final and can no longer be changed."), kind=Refusal.FINAL
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ActionRefused(
            gettext("A report with versions cannot be deleted."), kind=Refusal.LOCKED
        )

    @property
    def is_final(self) -> bool:
        return self.final_version_id is not None


class ReportVersion(models.Model):
    """One version of the report, as written; never changed once saved."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    # [{"key": ..., "title": ..., "text": ..., "edited": bool}], in the report's order.
    sections = models.JSONField(_("sections"))
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(_("author"), max_length=150)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="one_report_version_number"),
            models.CheckConstraint(name="report_version_from_one", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ActionRefused(
                gettext("A report version is kept as written and cannot be changed."),
                kind=Refusal.FINAL,
            )
        if Report.objects.filter(pk=self.report_id, final_version__isnull=False).exists():
            raise ActionRefused(
                gettext("The report is final and can no longer be changed."), kind=Refusal.FINAL
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ActionRefused(
            gettext("A report version is kept as written and cannot be changed."),
            kind=Refusal.FINAL,
        )


class Comment(models.Model):
    """A member unit's comment on one section of one version, or a proposed addition."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        ADDITION = "addition", _("Proposed addition")

    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="comments")
    section = models.CharField(_("section"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("text"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(_("author"), max_length=150)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["version", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.organization} — {self.section}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if Report.objects.filter(versions=self.version_id, final_version__isnull=False).exists():
            raise ActionRefused(
                gettext("The report is final and can no longer be changed."), kind=Refusal.FINAL
            )
        super().save(*args, **kwargs)


class DocumentKind(models.TextChoices):
    REPORT = "report", _("Summary report")
    MINUTES = "minutes", _("Minutes of the conference")
    PROPOSAL = "proposal", _("Proposal letter")
    PLEDGE = "pledge", _("Signed pledge")
    NEWS = "news", _("News article")


class DecisionDocumentKind(models.TextChoices):
    """The documents of an award decision (awards/documents.py), which the deciding authority
    may also have printed through its own Word template."""

    DECISION = "decision", _("Award decision")
    CERTIFICATES = "certificates", _("Certificates")


TEMPLATE_KINDS = [*DocumentKind.choices, *DecisionDocumentKind.choices]


class DocumentTemplate(models.Model):
    """A Word template (docxtpl) a cluster uploaded for one kind of document."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("document"), max_length=12, choices=TEMPLATE_KINDS)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["cluster", "kind", "-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.kind} — {self.filename}"


class NewsArticle(models.Model):
    """News of the cluster; public once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="news")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="news")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))  # paragraphs separated by blank lines
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_conference_article = models.BooleanField(_("conference article"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="news_published_with_its_date",
                condition=Q(status="draft") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]
