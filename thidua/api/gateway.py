"""What every request to /api/v1 goes through before the API itself: the client's language,
and, for a write sent with an `Idempotency-Key`, its replay.

Language: the API answers in the language the client names in `Accept-Language`, among the
site's languages; without one, in the language of the pages' switch (its cookie), else in
Vietnamese (the pages themselves ignore `Accept-Language`, see `thidua.middleware`).

Idempotency: a write (any method but GET, HEAD and OPTIONS) with the header is claimed for
(the token's owner, the key) before it runs, by inserting a row the database keeps unique; a
second request with the same key finds the row and
- replays the stored answer (status and body) when it is the same request (method, path and
  body hash the same) and the first has finished, without running anything again;
- is refused with 422 when the key was used for another request;
- is refused with 409 while the first is still running, so two requests at once never both act.
An answer of 5xx is not kept (the claim is released: the client may retry with the same key).
Answers are kept `THIDUA_API_IDEMPOTENCY_HOURS` hours; an older key counts as new.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from thidua.lib import uploads

from .auth import READING
from .models import ApiToken, IdempotentRequest, digest

HEADER = "Idempotency-Key"
KEY_LENGTH = 255
REPLAYED = "Idempotent-Replayed"

View = Callable[..., HttpResponse]


def language_of(request: HttpRequest) -> str:
    """The first of the client's languages the site speaks (`en-US` is English); else the
    language chosen with the pages' switch, for a client in a browser; else Vietnamese."""
    spoken = dict(settings.LANGUAGES)
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        for candidate in (code.lower(), code.lower().split("-")[0]):
            if candidate in spoken:
                return candidate
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in spoken else str(settings.LANGUAGE_CODE)


def serve(view: View) -> View:
    """`view` (one of the API's), in the client's language and replayed by idempotency key."""

    @functools.wraps(view)
    def served(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = language_of(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = _too_large(request) or _bounded(view, request, *args, **kwargs)
        response.headers["Content-Language"] = language
        return response

    return served


def _too_large(request: HttpRequest) -> HttpResponse | None:
    """413 for a write whose declared length is past the most any API request may send,
    before a byte of it is read (with an idempotency key or without)."""
    if request.method in READING or _length(request) <= _largest_body(request):
        return None
    return _error(
        _("The request is larger than %(limit)s, the most a batch may send; split it.")
        % {"limit": uploads.format_size(_largest_body(request))},
        413,
    )


def _bounded(view: View, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The view, and a body past Django's limit for an ordinary request (which only a batch,
    or a write with a key, reads past) answered 413 in the API's words, not the pages' 400."""
    try:
        return _idempotent(view, request, *args, **kwargs)
    except RequestDataTooBig:
        return _error(
            _("The request is larger than %(limit)s, the most this operation takes.")
            % {"limit": uploads.format_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)},
            413,
        )


def wrap(patterns: Any) -> Any:
    """The API's URL patterns (ninja's `api.urls`) with every view served through `serve`."""
    urls, app_name, namespace = patterns
    return [_wrapped(p) for p in urls], app_name, namespace


def _wrapped(pattern: Any) -> Any:
    if isinstance(pattern, URLResolver):
        pattern.url_patterns[:] = [_wrapped(p) for p in pattern.url_patterns]
        return pattern
    assert isinstance(pattern, URLPattern)
    return URLPattern(pattern.pattern, serve(pattern.callback), pattern.default_args, pattern.name)


def _error(message: str, status: int) -> HttpResponse:
    return JsonResponse({"detail": message}, status=status)


def _owner(request: HttpRequest) -> Any:
    """The user of the request's token when it may write; None leaves the API to refuse it."""
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest(key.strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_active or not token.may_write or not token.user.is_active:
        return None
    return token.user


def _fingerprint_key() -> bytes:
    return hashlib.sha256(b"thidua.api.idempotency\0" + settings.SECRET_KEY.encode()).digest()


def fingerprint(request: HttpRequest) -> str:
    """A hash of what makes two requests the same: the method, the path, the body.

    Keyed with the server's secret: a body may hold a token's PIN or a certificate file's
    password, which a plain hash kept in the database would let anyone reading it guess by
    trying every PIN; the record keeps neither the body nor a hash that can be tried."""
    content = hmac.new(_fingerprint_key(), digestmod=hashlib.sha256)
    for part in (request.method or "", request.get_full_path()):
        content.update(part.encode())
        content.update(b"\0")
    if request.content_type == "multipart/form-data":
        # A form is read as Django reads it, its files spooled to disk, never whole in memory.
        try:
            parts = list(_form_parts(request))
        except MultiPartParserError:  # the view refuses it; no two such are told apart
            parts = [b"\0a form that cannot be read"]
    else:
        parts = [_body(request)]
    for field in parts:
        content.update(field)
        content.update(b"\0")
    return content.hexdigest()


def _form_parts(request: HttpRequest) -> Iterator[bytes]:
    """A multipart body's fields and files (each file by its name and its content's hash),
    not its bytes: a client draws a new boundary for each request, and the same form sent
    again under another boundary is the same request."""
    for name in sorted(request.POST):
        for value in request.POST.getlist(name):
            yield json.dumps(["field", name, value]).encode()
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            yield json.dumps(["file", name, upload.name, digest.hexdigest()]).encode()


def _length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _largest_body(request: HttpRequest) -> int:
    """The most an API request may send: a batch's limit (`THIDUA_API_BULK_MAX_MB`), or for
    a form, the largest file an upload accepts (a dossier's package) and a megabyte of form;
    each operation then holds its file to its own kind's limit, as its page does."""
    batch = int(getattr(settings, "THIDUA_API_BULK_MAX_MB", 20)) * 1024 * 1024
    if request.content_type == "multipart/form-data":
        return max(batch, max(settings.THIDUA_UPLOAD_LIMITS.values()) + 1024 * 1024)
    return batch


def _body(request: HttpRequest) -> bytes:
    """The body, read within the API's own limit (checked before): a batch may be larger
    than Django lets an ordinary request be (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    length = _length(request)
    if not hasattr(request, "_body") and length > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
        request._body = request.read(length)
    return request.body


def _kept_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.THIDUA_API_IDEMPOTENCY_HOURS)


def _idempotent(view: View, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    key = request.headers.get(HEADER)
    if key is None or request.method in READING:
        return view(request, *args, **kwargs)
    if not key.strip() or len(key) > KEY_LENGTH:
        return _error(
            _("The Idempotency-Key header must hold 1 to %(count)s characters.")
            % {"count": KEY_LENGTH},
            422,
        )
    user = _owner(request)
    if user is None:  # no valid token that may write: the API answers 401 or 403 itself
        return view(request, *args, **kwargs)
    sent = fingerprint(request)
    claim = _claim(user, key, sent)
    if claim is None:
        return _earlier_answer(user, key, sent)
    try:
        response = view(request, *args, **kwargs)
    except BaseException:
        IdempotentRequest.objects.filter(pk=claim.pk).delete()
        raise
    if response.status_code >= 500 or getattr(response, "streaming", False):
        IdempotentRequest.objects.filter(pk=claim.pk).delete()
        return response
    IdempotentRequest.objects.filter(pk=claim.pk).update(
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=bytes(response.content),
    )
    return response


def _claim(user: Any, key: str, sent: str) -> IdempotentRequest | None:
    """Claim the key for this request; None when it is already claimed (and not expired)."""
    now = timezone.now()
    with transaction.atomic():
        # An expired answer is forgotten, so its key counts as new.
        IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=_kept_since()).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=user, key=key, fingerprint=sent, created_at=now
            )
    except IntegrityError:
        return None


def _earlier_answer(user: Any, key: str, sent: str) -> HttpResponse:
    earlier = IdempotentRequest.objects.filter(user=user, key=key).first()
    if earlier is None:  # released a moment ago (its request failed): the client may retry
        return _error(_("A request with this Idempotency-Key failed; send it again."), 409)
    if earlier.fingerprint != sent:
        return _error(
            _(
                "This Idempotency-Key was already used for another request (another address "
                "or body); use a new key for a new request."
            ),
            422,
        )
    if earlier.status is None:
        return _error(
            _("A request with this Idempotency-Key is still being processed; retry later."), 409
        )
    response = HttpResponse(
        bytes(earlier.body), status=earlier.status, content_type=earlier.content_type or None
    )
    response[REPLAYED] = "true"
    return response
