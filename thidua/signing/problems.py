"""The user's words for what signing finds: a verification's outcome, a signature's state."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .verification import PdfReport, SignatureReport


def verdict(report: PdfReport) -> str:
    if not report.signatures:
        return _("The file carries no digital signature.")
    if report.ok:
        return _("Every signature is intact and trusted; the file was not changed after signing.")
    return _("The file does not pass verification.")


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def changed_after(signature: SignatureReport) -> str:
    if not signature.intact or not signature.unchanged_after:
        return _("Yes: changed after signing")
    return _("No")
