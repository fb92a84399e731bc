"""The gettext catalogues: every message translated to Vietnamese, compiled files current."""

import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def _entries(po: Path) -> list[tuple[str, str]]:
    import ast

    entries, msgid, msgstr, current = [], [], [], None
    for line in [*po.read_text("utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            msgid, msgstr, current = [line[6:]], [], msgid
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [line[7:]]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(line)
        elif not line.strip() and msgid:
            entries.append(
                ("".join(map(ast.literal_eval, msgid)), "".join(map(ast.literal_eval, msgstr)))
            )
            msgid, msgstr, current = [], [], None
    return [e for e in entries if e[0]]


def test_every_message_has_a_vietnamese_translation():
    untranslated = [m for m, t in _entries(LOCALE / "vi/LC_MESSAGES/django.po") if not t]
    assert untranslated == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_compiled_catalogue_matches_its_source(tmp_path, language):
    folder = LOCALE / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, folder / "django.po"], check=True)
    assert fresh.read_bytes() == (folder / "django.mo").read_bytes(), (
        "Run `make messages` and commit the compiled catalogue."
    )
