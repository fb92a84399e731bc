#!/usr/bin/env bash
# Prepare a working copy of thidua: system packages, virtualenv, Python
# dependencies and compiled translation catalogues. Safe to run repeatedly;
# every step is skipped when it is already done.
#
# Usage: scripts/bootstrap.sh [--python-only]
#   --python-only  only the virtualenv: no system packages, no catalogues
#                  (enough for `make lint`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.thidua-install-stamp"
PG_VERSION="${THIDUA_PG_VERSION:-15}"

python_only=0
for arg in "$@"; do
    case "$arg" in
        --python-only) python_only=1 ;;
        *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

log() { printf 'bootstrap: %s\n' "$*"; }

# --- 1. System packages -------------------------------------------------------
# We check for the files we actually use rather than asking dpkg, so the check
# also holds on machines where these tools came from somewhere else.
ensure_system_packages() {
    local missing=()
    [[ -x "/usr/lib/postgresql/$PG_VERSION/bin/initdb" || -n "${THIDUA_PG_BIN:-}" ]] \
        || missing+=(postgresql)
    [[ -x "${THIDUA_CHROMIUM:-/usr/bin/chromium}" ]] || missing+=(chromium)
    command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
    command -v make >/dev/null 2>&1 || missing+=(make)
    command -v curl >/dev/null 2>&1 || missing+=(curl)        # docs/deploy.md's health check
    # docs/deploy.md makes its virtualenv with `python3 -m venv` (the deployment test runs it).
    python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    # PDF copies: LibreOffice Writer; its `uno` module for the system Python, which runs the
    # resident converter (thidua/lib/pdf.py); Liberation Serif, metric-compatible with Times
    # New Roman and with every Vietnamese letter, which LibreOffice puts in its place.
    command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
    [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import uno' >/dev/null 2>&1 \
        || missing+=(python3-uno)
    [[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ]] \
        || missing+=(fonts-liberation2)
    # Digital signatures: SoftHSM2, the PKCS#11 token the signing tests sign with
    # (thidua/signing/testing.py), and its softhsm2-util that initialises it.
    command -v softhsm2-util >/dev/null 2>&1 || missing+=(softhsm2)

    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "bootstrap: missing system packages: ${missing[*]}" >&2
        echo "bootstrap: install them as root, for example:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# --- 2. Virtualenv and Python dependencies ------------------------------------
find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        local py
        if ! py="$(find_python)"; then
            echo "bootstrap: Python 3.11 or newer is required (python3.11 or python3 on PATH)" >&2
            exit 1
        fi
        log "creating virtualenv .venv with $py"
        "$py" -m venv "$VENV"
    fi

    # Reinstall only when pyproject.toml changed since the last successful
    # install; the stamp holds the checksum of the pyproject that was installed.
    local wanted current=""
    wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    [[ -f "$STAMP" ]] && current="$(cat "$STAMP")"
    if [[ "$wanted" != "$current" ]]; then
        log "installing Python dependencies (pip install -e '.[dev]')"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
        echo "$wanted" >"$STAMP"
    fi
}

# --- 3. Translation catalogues -------------------------------------------------
compile_messages() {
    [[ -d thidua/locale ]] || return 0
    if [[ ! -f manage.py ]]; then
        log "manage.py not found yet; skipping compilemessages"
        return 0
    fi
    # compilemessages walks the whole current directory; keep it out of the
    # virtualenv (Django's own catalogues live there) and other generated trees.
    "$VENV/bin/python" manage.py compilemessages --verbosity 0 \
        --ignore .venv --ignore .git --ignore var --ignore node_modules \
        --ignore '*.egg-info'
}

if ((python_only)); then
    ensure_venv
else
    ensure_system_packages
    ensure_venv
    compile_messages
fi
