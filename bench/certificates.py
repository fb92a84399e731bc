"""Benchmark i: a decision's certificates as one PDF for the print shop.

    .venv/bin/python -m bench.certificates [--holders 1 1000 10000]

For each size, `thidua.awards.documents.holders_pdf` (the work of certificates_pdf) for that
many made-up holders (A4 landscape, one page each; no database read): the certificates laid
out in parts of `PDF_CHUNK`, each part turned into PDF by the resident converter (as the
background job does, after the first PDF), and the parts joined with pypdf. Reported: the
time, the pages (checked: one a holder) and the file's size. Needs LibreOffice and
python3-uno (scripts/bootstrap.sh). Stops the converter it started.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def decision() -> Any:
    """A decision as certificates_pdf reads it, without a database."""
    from thidua.award_history.models import Decision

    return SimpleNamespace(
        year=SimpleNamespace(year=2016),
        number="125/QĐ-BKHĐT",
        date=dt.date(2017, 4, 10),
        place="Hà Nội",
        issuer_name="Bộ Kế hoạch và Đầu tư",
        signer_title="Bộ trưởng",
        authority=Decision.Authority.MINISTER,
        signer_name="Nguyễn Chí Dũng",
        sequence=125,
        pk=1,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, nargs="+", default=[1, 1000, 10000])
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings.test")
    import django

    django.setup()
    from django.test import override_settings
    from pypdf import PdfReader

    from thidua.awards import documents
    from thidua.lib import pdf

    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("bench.certificates: LibreOffice is not installed (scripts/bootstrap.sh)")
    granted = decision()
    documents.template_sources.clear()  # a made-up decision has no cluster, nor its template
    with override_settings(THIDUA_SOFFICE=soffice, THIDUA_PDF_SERVER="127.0.0.1:2003"):
        deadline = time.monotonic() + 60
        while not pdf.warm_up() and time.monotonic() < deadline:
            time.sleep(0.2)
        print(f"parts of {documents.PDF_CHUNK} certificates, resident converter")
        for count in arguments.holders:
            found = [
                documents.Holder(
                    "Bằng khen của Bộ trưởng",
                    1,
                    False,
                    f"Nguyễn Văn {n}",
                    "Chuyên viên",
                    "Sở Kế hoạch và Đầu tư tỉnh Sơn La",
                )
                for n in range(1, count + 1)
            ]
            start = time.perf_counter()
            data = documents.holders_pdf(granted, found)
            seconds = time.perf_counter() - start
            pages = len(PdfReader(io.BytesIO(data)).pages)
            assert pages == count, f"{pages} pages for {count} certificates"
            print(
                f"{count:>6,} holders  {seconds:7.1f} s  {pages:,} pages  {len(data) / 1e6:.2f} MB"
            )
        pdf.stop_started()


if __name__ == "__main__":
    main()
