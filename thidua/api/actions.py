"""Creating and revoking API tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.audit.record import record
from thidua.errors import ActionRefused, Refusal
from thidua.lib.text import normalize

from .models import ApiToken, digest, new_key


@transaction.atomic
def do_create_token(*, name: str, acting_user: Any) -> tuple[ApiToken, str]:
    """A new token for the acting user; the key is returned once and never stored."""
    name = normalize(name)
    if not name:
        raise ActionRefused(
            _("Give the token a name, such as the program that will use it."), kind=Refusal.MISSING
        )
    if ApiToken.objects.filter(user=acting_user, name=name, revoked_at__isnull=True).exists():
        raise ActionRefused(
            _("You already have a token named %(name)s.") % {"name": name}, kind=Refusal.DUPLICATE
        )
    key = new_key()
    token = ApiToken.objects.create(
        user=acting_user,
        name=name,
        key_hash=digest(key),
        hint=key[:10],
        created_at=timezone.now(),
    )
    record("api_token.create", token, actor=acting_user, after={"name": name, "hint": token.hint})
    return token, key


@transaction.atomic
def do_revoke_token(token: ApiToken, *, acting_user: Any) -> ApiToken:
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
