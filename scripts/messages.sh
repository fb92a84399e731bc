#!/usr/bin/env bash
# Refresh the gettext catalogues and compile them.
#
#   scripts/messages.sh          every catalogue
#   scripts/messages.sh voting   only thidua/voting's own catalogue
#   scripts/messages.sh project  only the project-wide catalogue (thidua/locale)
#
# An app with its own locale/ folder keeps its own catalogue (so areas are translated
# independently); everything else (templates/, settings, the older apps) is in thidua/locale.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
export DJANGO_SETTINGS_MODULE=thidua.settings.dev

# makemessages writes a fuzzy template header and may run entries together; give each
# catalogue thidua's header, its language, and a blank line between entries.
tidy() {
    "$PY" - "$@" <<'PYTHON'
import re
import sys
from pathlib import Path

for path in map(Path, sys.argv[1:]):
    lang = path.parent.parent.name
    text = re.sub(r'("\n)(#)', r"\1\n\2", path.read_text("utf-8"))
    text = text.replace('#, fuzzy\nmsgid ""', 'msgid ""', 1)
    start = text.index('msgid ""\nmsgstr ""\n')
    header, rest = text[start:].split("\n\n", 1) if "\n\n" in text[start:] else (text[start:], "")
    header = header.replace("PACKAGE VERSION", "thidua")
    header = re.sub(r'"Language: [^"]*\\n"', f'"Language: {lang}\\\\n"', header)
    if lang == "vi":
        header = re.sub(r'"Plural-Forms: [^"]*\\n"', r'"Plural-Forms: nplurals=1; plural=0;\\n"', header)
    name = {"vi": "Vietnamese", "en": "English"}.get(lang, lang)
    top = f"# thidua's {name} messages.\n# This file is distributed under the same license as the thidua package.\n#\n"
    path.write_text(top + header + ("\n\n" + rest if rest else "\n"), "utf-8")
PYTHON
}

one_app() {
    local app="$ROOT/thidua/$1"
    mkdir -p "$app/locale"
    (cd "$app" && "$PY" "$ROOT/manage.py" makemessages -l vi -l en --no-obsolete --ignore 'tests/*')
    tidy "$app"/locale/*/LC_MESSAGES/django.po
    (cd "$app" && "$PY" "$ROOT/manage.py" compilemessages)
}

project() {
    local ignores=(--ignore 'testing/*' --ignore '*/tests/*')
    for locale in "$ROOT"/thidua/*/locale; do
        ignores+=(--ignore "$(basename "$(dirname "$locale")")/*")
    done
    (cd "$ROOT/thidua" && "$PY" "$ROOT/manage.py" makemessages -l vi -l en --no-obsolete "${ignores[@]}")
    tidy "$ROOT"/thidua/locale/*/LC_MESSAGES/django.po
    (cd "$ROOT/thidua/locale" && "$PY" "$ROOT/manage.py" compilemessages)
}

case "${1:-}" in
    "") for locale in "$ROOT"/thidua/*/locale; do one_app "$(basename "$(dirname "$locale")")"; done
        project ;;
    project) project ;;
    *) one_app "$1" ;;
esac
