"""Writing to the audit trail and reading an object back as plain values."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from typing import Any

from django.db import connections, models, transaction

from thidua.lib import clock

from . import seals
from .models import AuditEntry, ChainHead

GENESIS = "0" * 64


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values as JSON-safe data (foreign keys by id)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if fields is not None and field.name not in fields and name not in fields:
            continue
        data[field.name] = _jsonable(getattr(obj, name))
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def entry_digest(previous_hash: str, fields: dict[str, Any]) -> str:
    """The hash of one entry: its content chained to the entry before it."""
    canonical = json.dumps(
        {"previous": previous_hash, **fields}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.astimezone(dt.UTC).isoformat(),  # as the database gives it back
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "cluster": entry.cluster_id,
        "year": entry.year_id,
        "before": entry.before,
        "after": entry.after,
    }


@transaction.atomic
def record(
    action: str,
    obj: models.Model,
    *,
    actor: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    year: Any = None,
    cluster: Any = None,
) -> AuditEntry:
    """Append one entry for `obj`; call inside the action's transaction, after its writes
    (the blocks they touched are sealed again here, signed with the new head)."""
    if year is not None and cluster is None:
        cluster = year.cluster
    head, _created = ChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        at=clock.now(),
        actor=actor_user,
        actor_name=(str(actor_user) if actor_user else "system")[:150],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        cluster=cluster,
        year=year,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        previous_hash=head.last_hash,
    )
    entry.entry_hash = entry_digest(head.last_hash, hashed_fields(entry))
    entry.save()
    head.last_hash = entry.entry_hash
    head.save(update_fields=["last_hash"])
    seals.settle(connections[ChainHead.objects.db], head=entry.entry_hash)
    return entry


def has_history(obj: models.Model) -> bool:
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).exists()
