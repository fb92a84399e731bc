"""The e-mail that carries a person's notifications, and handing it to the mail server."""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from .models import Notification

SUBJECT_LENGTH = 200


def site_url() -> str:
    """The site's address, which the e-mail's links start with.

    `THIDUA_SITE_URL` when set; otherwise https:// and the first of the site's host names.
    """
    configured = str(getattr(settings, "THIDUA_SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"]
    return f"https://{hosts[0]}" if hosts else ""


def compose(recipient: Any, told: Sequence[Notification]) -> EmailMessage:
    """One e-mail listing the notifications, in Vietnamese, with a link to each."""
    site = site_url()
    with override(settings.LANGUAGE_CODE):
        if len(told) == 1:
            subject = told[0].text
        else:
            subject = ngettext(
                "%(count)s new notification", "%(count)s new notifications", len(told)
            ) % {"count": len(told)}
        if len(subject) > SUBJECT_LENGTH:
            subject = subject[: SUBJECT_LENGTH - 1].rstrip() + "…"
        body = render_to_string(
            "notifications/email.txt",
            {
                "name": str(recipient),
                "items": [{"text": n.text, "url": site + n.url if n.url else ""} for n in told],
                "list_url": site + reverse("notifications:list"),
                "preferences_url": site + reverse("notifications:preferences"),
                "count": len(told),
            },
        )
    return EmailMessage(subject=f"[thidua] {subject}", body=body, to=[recipient.email])


@contextlib.contextmanager
def opened(connection: BaseEmailBackend) -> Iterator[BaseEmailBackend]:
    """The connection, open for several e-mails if the server answers (each send says why not)."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.open()
    try:
        yield connection
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()


def send(connection: BaseEmailBackend, message: EmailMessage) -> str | None:
    """Hand the e-mail to the server: None when it took it, else what went wrong."""
    try:
        sent = connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as refused:
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in refused.recipients.items()
        )
    except (smtplib.SMTPException, OSError) as error:
        # The connection may be broken: the next e-mail opens a new one.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
        return f"{type(error).__name__}: {error}"
    return None if sent else _("The mail server did not take the e-mail.")
