"""Checking the audit trail's hash chain, entry by entry, in id order."""

from __future__ import annotations

from dataclasses import dataclass

from .models import AuditEntry, ChainHead
from .record import GENESIS, entry_digest, hashed_fields


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    entry_id: int | None
    reason: str


def first_break(batch_size: int = 2000) -> Break | None:
    """The first broken link of the chain, or None when every entry is as it was written."""
    previous = GENESIS
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.previous_hash != previous:
                return Break(entry.pk, "previous_hash does not match the entry before it")
            if entry.entry_hash != entry_digest(previous, hashed_fields(entry)):
                return Break(entry.pk, "the entry's content does not match its hash")
            previous = entry.entry_hash
            last_id = entry.pk
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return Break(None, "entries were removed from the end of the chain")
    return None
