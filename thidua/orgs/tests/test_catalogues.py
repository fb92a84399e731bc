"""The gettext catalogues: every message translated to Vietnamese, compiled files current."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/django.po"))


def _entries(po: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs; a fuzzy entry counts as untranslated, as msgfmt skips it."""
    import ast

    entries = []
    msgid: list[str] = []
    msgstr: list[str] = []
    current: list[str] | None = None
    fuzzy = False
    # makemessages may write an entry straight after the previous one, with no blank line.
    text = re.sub(r'("\n)(#)', r"\1\n\2", po.read_text("utf-8"))
    for line in [*text.splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, msgstr = [line[6:]], []
            current = msgid
        elif line.startswith("msgstr"):
            msgstr = [line.split(" ", 1)[1]]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(line)
        elif not line.strip() and msgid:
            translated = "" if fuzzy else "".join(map(ast.literal_eval, msgstr))
            entries.append(("".join(map(ast.literal_eval, msgid)), translated))
            msgid, msgstr, current, fuzzy = [], [], None, False
    return [e for e in entries if e[0]]


def _name(po: Path) -> str:
    return str(po.relative_to(PACKAGE))


@pytest.mark.parametrize("po", [p for p in CATALOGUES if "/vi/" in str(p)], ids=_name)
def test_every_message_has_a_vietnamese_translation(po: Any) -> None:
    untranslated = [m for m, t in _entries(po) if not t]
    assert untranslated == []


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_compiled_catalogue_matches_its_source(tmp_path: Path, po: Any) -> None:
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, po], check=True)
    assert fresh.read_bytes() == po.with_suffix(".mo").read_bytes(), (
        "Run `make messages` and commit the compiled catalogue."
    )
