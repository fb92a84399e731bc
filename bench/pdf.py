"""Benchmark f: a document's PDF copy, first and later, against the .docx alone.

    .venv/bin/python -m bench.pdf [--runs 10]

The document is a summary report in the Decree 30 layout with a 190-row table (`--rows`; 190
is the size of the demo's proposal list), built by `thidua.lib.docformat`. Measured: building
the .docx; the first PDF (no resident converter yet: it is started in the background and this
PDF is made by a one-shot LibreOffice); later PDFs through the resident converter; and, for
comparison, PDFs made one-shot every time (THIDUA_PDF_SERVER empty); and where the time goes:
the same converter reading the .docx only (to plain text), and the document without its
table's rows, hence the cost of one row. Needs LibreOffice and
python3-uno (scripts/bootstrap.sh). Stops the converter it started.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import statistics
import sys
import time
import xmlrpc.client
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(rows: int = 190) -> bytes:
    from thidua.lib import docformat

    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority="Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc",
            number="12",
            symbol="BC-CTĐ",
            place="Sơn La",
            date=dt.date(2017, 3, 12),
        ),
    )
    docformat.add_title(document, "Báo cáo", "Tổng kết công tác thi đua, khen thưởng năm 2016")
    for number in range(1, 6):
        docformat.add_heading(document, f"{number}. Kết quả")
        docformat.add_paragraph(document, "Tốc độ tăng GRDP bình quân khoảng 8,5%. " * 8)
    docformat.add_table(
        document,
        ["STT", "Họ và tên", "Đơn vị", "Danh hiệu"],
        [
            [str(n), f"Nguyễn Văn {n}", "Sở Kế hoạch và Đầu tư tỉnh Sơn La", "Bằng khen"]
            for n in range(1, rows + 1)
        ],
    )
    docformat.add_closing(
        document, docformat.SignatureBlock(position="Cụm trưởng", name="Lê Hồng Minh")
    )
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    return buffer.getvalue()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rows", type=int, default=190, help="rows of the document's table")
    arguments = parser.parse_args()
    runs = arguments.runs
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.test import override_settings

    from thidua.lib import pdf

    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("bench.pdf: LibreOffice is not installed (scripts/bootstrap.sh installs it)")
    docx = build(arguments.rows)
    docx_seconds = [timed(lambda: build(arguments.rows)) for _ in range(runs)]
    with override_settings(THIDUA_SOFFICE=soffice, THIDUA_PDF_SERVER="127.0.0.1:2003"):
        first = timed(lambda: pdf.to_pdf(docx))
        deadline = time.monotonic() + 60
        while not pdf.warm_up() and time.monotonic() < deadline:
            time.sleep(0.2)
        later = [timed(lambda: pdf.to_pdf(docx)) for _ in range(runs)]
        # Where a PDF's time goes: LibreOffice reading the .docx (a plain-text export lays
        # nothing out for print), and the same document without its table's rows.
        address = settings.THIDUA_PDF_SERVER
        read_only = [timed(lambda: _convert(address, docx, "txt")) for _ in range(runs)]
        no_rows = build(0)
        without_rows = [timed(lambda: _convert(address, no_rows, "pdf")) for _ in range(runs)]
        pdf.stop_started()
    with override_settings(THIDUA_SOFFICE=soffice, THIDUA_PDF_SERVER=""):
        one_shot = [timed(lambda: pdf.to_pdf(docx)) for _ in range(max(3, runs // 3))]
    print(f"document: {len(docx):,} bytes of .docx")
    print(f".docx alone        median {statistics.median(docx_seconds):.3f} s")
    print(f"first PDF          {first:.2f} s (one-shot, the converter starting)")
    print(
        f"later PDFs         median {statistics.median(later):.2f} s, "
        f"max {max(later):.2f} s ({runs} runs, resident converter)"
    )
    print(f"one-shot PDFs      median {statistics.median(one_shot):.2f} s ({len(one_shot)} runs)")
    print(f"reading it only    median {statistics.median(read_only):.2f} s (to text, no PDF)")
    print(
        f"no table rows      median {statistics.median(without_rows):.2f} s (PDF, same converter)"
    )
    per_row = (statistics.median(later) - statistics.median(without_rows)) / max(1, arguments.rows)
    print(f"each table row     {per_row * 1000:.1f} ms of the PDF's time")


def _convert(address: str, docx: bytes, to: str) -> bytes:
    """The resident converter's answer for `docx` converted `to` a format (its API 3)."""
    host, _colon, port = address.rpartition(":")
    with xmlrpc.client.ServerProxy(f"http://{host}:{port}", allow_none=True) as proxy:
        result = proxy.convert(
            None, xmlrpc.client.Binary(docx), None, to, None, [], False, None, None
        )
    assert isinstance(result, xmlrpc.client.Binary)
    return result.data


if __name__ == "__main__":
    main()
