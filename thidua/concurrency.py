"""Optimistic concurrency: a save made over someone else's newer save is refused, not lost.

An edit form carries, in a hidden field, the version of the record the user saw: a hash of
its content (`version_of`). The action re-reads the record under a row lock and compares
(`require_version`); if another person saved in between, the versions differ and the second
save is refused with a message asking to reload. No column is added to the models, and the
token changes whenever the content does, whichever action changed it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext as _

from thidua.audit.record import snapshot
from thidua.errors import ActionRefused, Refusal


def version_of(obj: models.Model | None, *parts: Any) -> str:
    """The version of a record (None: not created yet) and of any parts saved with it."""
    content = [snapshot(obj) if obj is not None else None, *parts]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def require_version(expected: str | None, current: str, *, what: str) -> None:
    """Refuse the save if the record is no longer the version the user edited.

    `expected` is None for callers that act on the record as it stands (the demo, imports,
    scripts); a form always passes what it carried, and an empty one counts as out of date.
    """
    if expected is None or expected == current:
        return
    raise ActionRefused(
        _(
            "%(what)s was changed by someone else after you opened this page. Reload the page "
            "to see the changes, then make yours again."
        )
        % {"what": what},
        kind=Refusal.STALE,
    )


class VersionField(forms.CharField):
    """The hidden field that carries the version a form was filled in from."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)
