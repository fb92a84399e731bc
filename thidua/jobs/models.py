"""Long work done in the background (a task), with how far it has come."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import registry


class Job(models.Model):
    """One piece of long work a user started: what, by whom, how far, and what came of it.

    The task (django-tasks) does the work; this row is what the pages and the command line
    read to show the progress bar, the outcome and the file produced.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # A random key: the address of a job's page says nothing about other jobs.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=registry.choices)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # Deleted (and this emptied) when the job ends, unless a retry may need it: see tasks.py.
    upload = models.FileField(_("file given"), upload_to="jobs/in/%Y/", blank=True)
    output = models.FileField(_("file produced"), upload_to="jobs/out/%Y/", blank=True)
    output_name = models.CharField(_("name of the file produced"), max_length=255, blank=True)
    # The worker running the job (its id in django_tasks_db), whose heartbeat is its lease.
    worker = models.CharField(_("worker"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="job_done_within_total", condition=Q(done__lte=F("total"))),
            models.CheckConstraint(
                name="job_finished_has_a_time",
                condition=Q(status__in=["queued", "running"]) | Q(finished_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def takes_input(self) -> bool:
        """Whether the work reads a file the user gave (and cannot be done without it)."""
        kind = registry.KINDS.get(self.kind)
        return kind is not None and kind.takes_input

    @property
    def retryable(self) -> bool:
        """Whether to offer a retry: the job failed, and kept its file if it takes one."""
        return self.status == self.Status.FAILED and (not self.takes_input or bool(self.upload))
