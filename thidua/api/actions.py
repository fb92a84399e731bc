"""Creating and revoking API tokens."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.audit.record import record
from thidua.errors import ActionRefused, Refusal
from thidua.lib.text import normalize

from .models import ApiToken, digest, new_key

if TYPE_CHECKING:
    from thidua.orgs.models import User


@transaction.atomic
def do_create_token(
    *,
    name: str,
    acting_user: User,
    scope: str = ApiToken.Scope.WRITE,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the acting user, living `days` (the administrator's default when
    None, never more than the administrator's maximum); the key is returned once and never
    stored."""
    name = normalize(name)
    if not name:
        raise ActionRefused(
            _("Give the token a name, such as the program that will use it."), kind=Refusal.MISSING
        )
    if scope not in ApiToken.Scope.values:
        raise ActionRefused(_("Choose what the token may do."), kind=Refusal.INVALID)
    longest = settings.THIDUA_API_TOKEN_MAX_DAYS
    days = settings.THIDUA_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= longest:
        raise ActionRefused(
            _("A token lives from 1 to %(days)s days.") % {"days": longest},
            kind=Refusal.INVALID,
        )
    if ApiToken.objects.filter(user=acting_user, name=name, revoked_at__isnull=True).exists():
        raise ActionRefused(
            _("You already have a token named %(name)s.") % {"name": name}, kind=Refusal.DUPLICATE
        )
    key = new_key()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=acting_user,
        name=name,
        key_hash=digest(key),
        hint=key[:10],
        scope=scope,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    record(
        "api_token.create",
        token,
        actor=acting_user,
        after={
            "name": name,
            "hint": token.hint,
            "scope": scope,
            "expires_at": token.expires_at,
        },
    )
    return token, key


@transaction.atomic
def do_revoke_token(token: ApiToken, *, acting_user: User) -> ApiToken:
    """Revoke a token at once; only its owner (or the administrator) may."""
    if token.user_id != acting_user.pk and not acting_user.is_superuser:
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ActionRefused(_("This token has already been revoked."), kind=Refusal.WRONG_STATUS)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record("api_token.revoke", token, actor=acting_user, after={"name": token.name})
    return token
