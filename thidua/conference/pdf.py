"""PDF copies of the documents, where LibreOffice (`soffice`) is installed on the server."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = 120


def converter() -> str | None:
    """The path of LibreOffice's `soffice`, or None where it is not installed or turned off.

    THIDUA_SOFFICE names it; unset, it is looked up on PATH; empty, PDF copies are off.
    """
    configured = settings.THIDUA_SOFFICE
    if configured is None:
        return shutil.which("soffice")
    return configured or None


def to_pdf(docx: bytes) -> bytes | None:
    """The document as PDF; None where no converter is installed. Raises if conversion fails."""
    soffice = converter()
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(docx)
        # A private profile: two conversions at once must not share LibreOffice's lock.
        profile = (Path(folder) / "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
        return (Path(folder) / "document.pdf").read_bytes()
