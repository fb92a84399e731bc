"""Bearer-token authentication for the API: `Authorization: Bearer thd_…`.

A token that is unknown, revoked or expired, or whose owner's account is disabled, is
refused with 401 and words that say which; a read-only token is refused with 403 on every
request that could change something (any method but GET, HEAD and OPTIONS).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from . import errors
from .models import ApiToken, digest

READING = frozenset({"GET", "HEAD", "OPTIONS"})
# The last use is written at most once a minute, so reading the API does not write each time.
LAST_USE_EVERY_SECONDS = 60


class TokenRefused(HttpError):
    """A token the API does not accept, with the words and status to answer."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__organization")
            .filter(key_hash=digest(token))
            .first()
        )
        now = timezone.now()
        if found is None or not found.user.is_active:
            raise TokenRefused(401, errors.token_unknown())
        if found.revoked_at is not None:
            raise TokenRefused(401, errors.token_revoked())
        if found.expires_at <= now:
            raise TokenRefused(401, errors.token_expired(found.expires_at))
        if request.method not in READING and not found.may_write:
            raise TokenRefused(403, errors.token_reads_only())
        if (
            found.last_used_at is None
            or (now - found.last_used_at).total_seconds() > LAST_USE_EVERY_SECONDS
        ):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user
