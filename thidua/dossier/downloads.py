"""The dossier's files as downloads, the same for the pages and the API: the package the cluster
sent, a file of a received dossier, the signed reply. Each is found only where the asker may
read it (404 otherwise, as for an outsider)."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from thidua import access
from thidua.access import SignedInRequest

from . import reads
from .models import ReceivedFile, SentDossier

ZIP = "application/zip"


def _attachment(stored: FieldFile, name: str, content_type: str = ZIP) -> FileResponse:
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )


def sent_package(request: SignedInRequest, slug: str, year: int, pk: int) -> FileResponse:
    """A package the cluster sent, as it was signed (.zip)."""
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.view")
    sent = SentDossier.objects.filter(pk=pk, year=emulation_year).first()
    if sent is None:
        raise Http404
    cluster = emulation_year.cluster.slug
    return _attachment(sent.package, f"ho-so-{cluster}-{emulation_year.year}-{sent.pk}.zip")


def received_file(request: SignedInRequest, pk: int, file_pk: int) -> FileResponse:
    """One file of a received dossier, as the package held it."""
    dossier = reads.received_dossier(request.user, pk)
    kept = ReceivedFile.objects.filter(pk=file_pk, dossier=dossier).first()
    if kept is None:
        raise Http404
    return _attachment(kept.file, kept.path.replace("/", "-"), "application/octet-stream")


def reply_package(request: SignedInRequest, pk: int) -> FileResponse:
    """The signed reply of a returned dossier (.zip), to send back to the cluster."""
    dossier = reads.received_dossier(request.user, pk)
    if not dossier.reply:
        raise Http404
    return _attachment(dossier.reply, f"tra-lai-{dossier.cluster_slug}-{dossier.year}.zip")
