"""Evidence files attached to a nomination: which kinds are accepted, and safe names."""

from __future__ import annotations

import re

EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_UNSAFE = re.compile(r'["*:<>?|;]+')


def safe_file_name(name: str, *, fallback: str = "tep-dinh-kem") -> str:
    """A file name safe to show and to send: no folders, quotes or control characters."""
    base = re.split(r"[/\\]", name)[-1]
    cleaned = " ".join(_UNSAFE.sub("", _CONTROL.sub(" ", base)).split()).strip(". ")
    if not cleaned:
        return fallback
    if len(cleaned) > 200:
        _stem, dot, suffix = cleaned.rpartition(".")
        keep = f".{suffix}" if dot and len(suffix) <= 10 else ""
        cleaned = cleaned[: 200 - len(keep)].rstrip() + keep
    return cleaned


def evidence_type(name: str) -> str | None:
    """The content type an evidence file is sent with, from its suffix; None: not accepted."""
    _stem, dot, suffix = name.rpartition(".")
    return EVIDENCE_TYPES.get(f".{suffix.lower()}") if dot else None
