"""The dossier's export as a background job: started from the page or the API, run by the worker.

Making a PDF and a signature for each nominee takes LibreOffice and pyHanko tens of seconds for
a cluster's proposal, too long for a request. Starting checks what the export needs (the
secretariat's right, the phase, the head's certificate and that the starter may use it, the
leader's Tờ trình) and refuses a second export of the year while one waits or runs (409).
The work checks the starter's right again (it may have been lost meanwhile), refuses and
audits `dossier.export_refused` if so, then calls `actions.do_export_dossier`.

A token's PIN is needed by the worker: it is kept sealed under the signing key-encryption key
(not in the database's clear text, not in the audit trail), and removed from the job as the
work starts, so a retry of a token's export is refused without touching the token.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua import access
from thidua.audit.record import record
from thidua.cycle.actions import lock_year
from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused, Refusal
from thidua.jobs import registry
from thidua.jobs.actions import do_start_job
from thidua.jobs.models import Job
from thidua.jobs.registry import Outcome, WorkRefused
from thidua.lib.numbers import format_number
from thidua.signing import keystore
from thidua.signing.models import SigningIdentity

from . import actions

if TYPE_CHECKING:
    from thidua.jobs.progress import Progress
    from thidua.orgs.models import User

# The kind of job the dossier registers (the value stored in Job.kind).
EXPORT_DOSSIER = "export_dossier"
PIN = "pin"  # the job's parameter holding a token's sealed PIN, until the work starts


def running_export(year: EmulationYear) -> Job | None:
    """The year's export waiting or running, if any."""
    return (
        Job.objects.filter(
            kind=EXPORT_DOSSIER,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
            params__year=year.pk,
        )
        .select_related("created_by")
        .first()
    )


def _refuse_start(year: EmulationYear, identity: SigningIdentity, acting_user: User) -> None:
    """Refuse what the job would refuse at once, rather than after the wait."""
    actions.check_export(year=year, identity=identity, acting_user=acting_user)
    if not access.can_sign_with(acting_user, identity):
        message = _(
            "This signing identity belongs to someone else: only its owner, or the agency's "
            "clerk for an agency's seal, may sign with it."
        )
        _record_refusal(year, acting_user, message)
        raise ActionRefused(message, kind=Refusal.NOT_YOURS)


def do_start_export(
    *, year: EmulationYear, identity: SigningIdentity, secret: str | None, acting_user: User
) -> Job:
    """Queue the year's export; refused (409) while another export of the year waits or runs."""
    _refuse_start(year, identity, acting_user)  # its audit entry outlives the refusal
    with transaction.atomic():
        # One start at a time per year: a second waits here, then finds the first's job.
        lock_year(year)
        running = running_export(year)
        if running is not None:
            raise ActionRefused(
                _(
                    "An export of this dossier is already under way (started by %(user)s); "
                    "follow it on its page, or wait until it ends."
                )
                % {"user": running.created_by.get_full_name() or running.created_by.username},
                kind=Refusal.STARTED,
            )
        job = do_start_job(
            EXPORT_DOSSIER,
            acting_user=acting_user,
            params={"year": year.pk, "identity": identity.pk},
        )
        if secret:
            sealed, kek = keystore.seal(secret.encode(), fingerprint=_bound_to(job))
            sealed_pin = {"sealed": base64.b64encode(sealed).decode(), "kek": kek}
            # Not through the jobs' action: its audit entry records the parameters.
            Job.objects.filter(pk=job.pk).update(params={**job.params, PIN: sealed_pin})
        return job


def _bound_to(job: Job) -> str:
    return f"job:{job.pk}"


def _take_secret(job: Job) -> str | None:
    """The token's PIN the job was given, removed from the job for good."""
    params = dict(job.params)
    sealed_pin = params.pop(PIN, None)
    if sealed_pin is None:
        return None
    Job.objects.filter(pk=job.pk).update(params=params)
    job.params = params
    raw = keystore.unseal(
        base64.b64decode(sealed_pin["sealed"]),
        fingerprint=_bound_to(job),
        sealed_with=sealed_pin["kek"],
    )
    return raw.decode()


def _record_refusal(year: EmulationYear, user: Any, reason: str) -> None:
    with transaction.atomic():
        record("dossier.export_refused", year, actor=user, year=year, after={"reason": reason})


def _refused(year: EmulationYear, user: Any, reason: str) -> WorkRefused:
    _record_refusal(year, user, reason)
    return WorkRefused(reason, [reason])


def export_dossier(job: Job, progress: Progress) -> Outcome:
    """The worker's side: the same checks again, for the starter as they are now, then the
    export itself; the package is the job's file and is listed on the dossier's page."""
    secret = _take_secret(job)
    user = job.created_by
    year = EmulationYear.objects.select_related("cluster").filter(pk=job.params["year"]).first()
    identity = SigningIdentity.objects.filter(pk=job.params["identity"]).first()
    if year is None or identity is None:
        message = _("The year or the certificate of this export is gone.")
        raise WorkRefused(message, [message])
    if not user.is_active or not user.has_perm("dossier.export", year):
        raise _refused(year, user, _("You may no longer send this cluster's dossier."))
    if identity.backend == SigningIdentity.Backend.PKCS11 and secret is None:
        raise _refused(
            year,
            user,
            _(
                "The token's PIN is kept for one run only: start the export again from the "
                "dossier's page."
            ),
        )
    try:
        sent = actions.do_export_dossier(
            year=year, identity=identity, secret=secret, acting_user=user, progress=progress
        )
    except PermissionDenied:
        raise _refused(year, user, _("You may no longer send this cluster's dossier.")) from None
    except ActionRefused as refusal:
        raise _refused(year, user, refusal.message) from None
    with sent.package.open("rb") as stored:
        content = stored.read()
    return Outcome(
        _("The signed dossier of %(count)s nominations is ready: download it and send it to "
          "the supervisor.")
        % {"count": format_number(sent.nominations.count())},
        content,
        f"ho-so-{year.cluster.slug}-{year.year}-{sent.pk}.zip",
    )  # fmt: skip


def register() -> None:
    """Plug the export into the background jobs (called from the dossier's hooks)."""
    registry.register(
        EXPORT_DOSSIER,
        label=gettext_lazy("Signed proposal dossier export"),
        # The kind's gate (the jobs area checks it without a year): the secretariat of some
        # year; the year's own `dossier.export` is checked when the export starts and runs.
        permission="dossier.start_export",
        work=export_dossier,
    )
