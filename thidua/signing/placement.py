"""Where a signature goes on the PDF being signed, found in the PDF itself.

The leader's signature goes over the signer's block (the title, then the name, with room for
the signature between them), found in the pages' text as pypdf reads it; the agency's seal goes
over the left third of the leader's signature already in the file. Either falls back to the
fixed places of `rules.box_for` when the file has no such block (docs/signing.md).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from . import rules

logger = logging.getLogger(__name__)

PERSON_FIELD = "NguoiKy"  # the prefix of the leader's signature fields (actions.do_sign_pdf)


@dataclass(frozen=True)
class Placement:
    """The box a signature goes in, and how it was found: "block" (the signer's block by the
    signer's name), "shape" (a block by its shape alone), "signature" (over the leader's
    signature), "corner" (an attachment's first page) or "fixed" (nothing found)."""

    box: rules.Box
    found: str


def _reader(pdf: bytes) -> PdfReader | None:
    try:
        return PdfReader(io.BytesIO(pdf), strict=False)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return None


def _size(reader: PdfReader, page: int) -> tuple[float, float]:
    try:
        box = reader.pages[page].mediabox
        return float(box.width), float(box.height)
    except (PyPdfError, IndexError, KeyError, ValueError, TypeError):
        return rules.PAGE_WIDTH, 842.0


def page_lines(reader: PdfReader, page: int) -> list[rules.Line]:
    """The page's text as lines: the runs pypdf reads, joined when they share a baseline and
    follow each other closely (a column's line), kept apart across a wide gap (table cells,
    the two columns of a signature block)."""
    runs: list[tuple[float, float, float, str]] = []  # baseline, x, size, text

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(float(tm[0]) * float(cm[0])) or 1.0
        runs.append((float(y), float(x), float(size) * scale, text))

    try:
        reader.pages[page].extract_text(visitor_text=visit)
    except (PyPdfError, KeyError, ValueError, TypeError, IndexError, ZeroDivisionError):
        logger.info("The text of page %s could not be read to place a signature.", page)
        return []
    lines: list[rules.Line] = []
    for baseline, x, size, text in sorted(runs, key=lambda r: (-round(r[0], 1), r[1])):
        width = rules.text_width(text, size)
        last = lines[-1] if lines else None
        if (
            last is not None
            and abs(last.baseline - baseline) < 0.5
            and -1 <= x - last.x1 < 0.6 * size
        ):
            joined = (last.text + text).strip()
            lines[-1] = rules.Line(page, last.x0, x + width, last.baseline, last.size, joined)
        else:
            lines.append(rules.Line(page, x, x + width, baseline, size, text.strip()))
    return lines


def signer_block(pdf: bytes, names: Sequence[str]) -> rules.Block | None:
    """The block of the signer named (or, failing that, of any signer) in the PDF."""
    reader = _reader(pdf)
    if reader is None:
        return None
    pages = [page_lines(reader, number) for number in range(len(reader.pages))]
    return rules.find_block(pages, names, page_width=_size(reader, len(pages) - 1)[0])


def signature_boxes(pdf: bytes) -> dict[str, rules.Box]:
    """The box of every signature already made in the PDF, by its field's name."""
    reader = _reader(pdf)
    if reader is None:
        return {}
    found: dict[str, rules.Box] = {}
    try:
        for number, page in enumerate(reader.pages):
            for reference in page.get("/Annots") or []:
                widget = reference.get_object()
                if widget.get("/FT") != "/Sig" or "/V" not in widget or "/Rect" not in widget:
                    continue
                x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
                box = rules.Box(number, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                found[str(widget.get("/T", ""))] = box
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError):
        return {}
    return found


def leader_signature(pdf: bytes) -> rules.Box | None:
    """The box of the last leader's signature already in the PDF, on its page."""
    leaders = [box for name, box in signature_boxes(pdf).items() if name.startswith(PERSON_FIELD)]
    return leaders[-1] if leaders else None


def place(pdf: bytes, role: str, *, names: Sequence[str] = ()) -> Placement:
    """Where a signature of `role` (rules.PERSON, AGENCY or ATTACHMENT) goes on this PDF."""
    reader = _reader(pdf)
    width, height = _size(reader, 0) if reader is not None else (rules.PAGE_WIDTH, 842.0)
    if role == rules.ATTACHMENT:
        return Placement(
            rules.box_for(rules.ATTACHMENT, page_width=width, page_height=height), "corner"
        )
    if role == rules.AGENCY and (leader := leader_signature(pdf)) is not None:
        return Placement(rules.seal_over(leader), "signature")
    block = signer_block(pdf, names)
    if block is not None:
        last_width = _size(reader, block.name.page)[0] if reader is not None else width
        person = rules.person_box(block, page_width=last_width)
        box = person if role == rules.PERSON else rules.seal_over(person)
        return Placement(box, "block" if block.named else "shape")
    if reader is not None:
        width, height = _size(reader, len(reader.pages) - 1)
    return Placement(rules.box_for(role, page_width=width, page_height=height), "fixed")
