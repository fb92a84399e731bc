"""What the pages say when a job fails for want of its worker or its file, or may not be retried."""

from __future__ import annotations

from django.utils.translation import gettext as _


def worker_lost() -> str:
    return _(
        "The background worker stopped while doing this work, so nothing of it was kept. "
        "You can try again."
    )


def input_missing() -> str:
    return _(
        "The file given is no longer on the server, so the work could not be done. "
        "Please upload the file again."
    )


def no_worker() -> str:
    return _(
        "No background worker is running, so this work waits until one starts. "
        "Tell the administrator (the worker is started by thidua worker)."
    )


def not_failed() -> str:
    return _("Only a job that failed can be tried again.")


def input_gone() -> str:
    return _("The file given for this job is no longer kept. Please upload the file again.")
