"""The pure rules of the report: versions of sections, their comparison, template placeholders.

No ORM here: a version's sections are plain dicts {"key", "title", "text", "edited"}.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Sections = list[dict[str, Any]]


def section(key: str, title: str, text: str, *, edited: bool = False) -> dict[str, Any]:
    return {"key": key, "title": title, "text": text, "edited": edited}


def carry_edits(
    previous: Sequence[Mapping[str, Any]], generated: Sequence[Mapping[str, Any]]
) -> Sections:
    """A freshly generated report that keeps every section the secretariat rewrote by hand.

    Sections the data no longer yields, but that were edited, stay at the end: nothing a
    person wrote is dropped by a regeneration.
    """
    edited = {s["key"]: s for s in previous if s.get("edited")}
    result: Sections = []
    for fresh in generated:
        kept = edited.pop(fresh["key"], None)
        result.append(dict(kept) if kept is not None else dict(fresh))
    result.extend(dict(s) for s in previous if s["key"] in edited)
    return result


def revise(previous: Sequence[Mapping[str, Any]], texts: Mapping[str, str]) -> Sections:
    """The next version: each section with its new text; a changed section counts as edited."""
    result: Sections = []
    for old in previous:
        new_text = texts.get(old["key"], old["text"]).strip()
        changed = new_text != old["text"]
        result.append({**old, "text": new_text, "edited": bool(old.get("edited")) or changed})
    return result


def changed_keys(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> list[str]:
    """The keys of the sections whose text differs between two versions (or exists in one)."""
    left = {s["key"]: s["text"] for s in a}
    right = {s["key"]: s["text"] for s in b}
    keys = [s["key"] for s in b] + [k for k in left if k not in right]
    return [k for k in keys if left.get(k) != right.get(k)]


@dataclass(frozen=True)
class Piece:
    """A run of words of one side of a comparison: kept as is, removed or added."""

    text: str
    change: str  # "same", "removed" or "added"


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    left: tuple[Piece, ...]
    right: tuple[Piece, ...]
    changed: bool


_WORDS = re.compile(r"(\S+)(\s*)")


def _tokens(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Leading spaces, then each word with the spaces after it (kept for display only)."""
    lead = text[: len(text) - len(text.lstrip())]
    return lead, [(m.group(1), m.group(2)) for m in _WORDS.finditer(text, len(lead))]


def _diff(old: str, new: str) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    # Words are compared without their spacing: a word moved to a new line is still the word.
    (lead_a, a), (lead_b, b) = _tokens(old), _tokens(new)
    left: list[Piece] = [Piece(lead_a, "same")] if lead_a else []
    right: list[Piece] = [Piece(lead_b, "same")] if lead_b else []

    def text(tokens: list[tuple[str, str]]) -> str:
        return "".join(word + space for word, space in tokens)

    matcher = difflib.SequenceMatcher(a=[w for w, _ in a], b=[w for w, _ in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            left.append(Piece(text(a[i1:i2]), "same"))
            right.append(Piece(text(b[j1:j2]), "same"))
            continue
        if i2 > i1:
            left.append(Piece(text(a[i1:i2]), "removed"))
        if j2 > j1:
            right.append(Piece(text(b[j1:j2]), "added"))
    return tuple(left), tuple(right)


def compare(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> list[SectionDiff]:
    """Two versions side by side, section by section, word by word (difflib)."""
    left = {s["key"]: s for s in a}
    right = {s["key"]: s for s in b}
    order = [s["key"] for s in a] + [s["key"] for s in b if s["key"] not in left]
    diffs = []
    for key in order:
        old, new = left.get(key), right.get(key)
        old_text, new_text = (old or {}).get("text", ""), (new or {}).get("text", "")
        pieces = _diff(old_text, new_text)
        title = (new or old or {}).get("title", key)
        diffs.append(SectionDiff(key, title, *pieces, changed=old_text != new_text))
    return diffs


def unknown_placeholders(found: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The names a template uses that thidua does not provide, sorted."""
    return sorted(set(found) - set(allowed))


def lines(text: str) -> list[str]:
    """The non-empty lines of a block of text."""
    return [line.strip() for line in text.splitlines() if line.strip()]
