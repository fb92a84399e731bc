"""The audit trail: who changed what, when, with the values before and after, hash-chained."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One remembered change; written once by `thidua.audit.record`, never edited."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The name is kept as it was, so a renamed or removed account still reads right.
    actor_name = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    cluster = models.ForeignKey(
        "orgs.Cluster", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.ForeignKey(
        "cycle.EmulationYear",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are written once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are never deleted.")


class ChainHead(models.Model):
    """A single row holding the newest hash; locking it serialises writers of the chain."""

    last_hash = models.CharField(max_length=64)
    # The keyed code of the seal state with this head (thidua.audit.seals).
    seals_mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return self.last_hash


class BlockSeal(models.Model):
    """The keyed seal of one block of a table's rows, kept by `thidua.audit.seals`.

    `mac` covers every row of the block; `tags` holds each row's key and short tag, so that a
    block that no longer matches names the rows that changed.
    """

    table = models.CharField(max_length=63)
    block = models.BigIntegerField()
    rows = models.PositiveIntegerField()
    mac = models.CharField(max_length=32)
    tags = models.TextField()

    class Meta:
        verbose_name = _("sealed block")
        constraints = [
            models.UniqueConstraint(fields=["table", "block"], name="one_seal_per_block"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.block}"


class SealState(models.Model):
    """A single row: each sealed table's totals, signed with the chain's head on the chain
    head's row, so that seals removed or restored from an older copy are seen."""

    tables = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("seal state")

    def __str__(self) -> str:
        return f"{len(self.tables)} tables"
