#!/usr/bin/env bash
# The whole thidua test suite, starting from nothing:
#
#   1. bootstrap (system packages, virtualenv, catalogues)
#   2. lint: ruff check, ruff format --check, mypy
#   3. pytest, non-browser tests, SQLite
#   4. pytest, non-browser tests, a private throwaway PostgreSQL 15
#   5. pytest, browser tests (Playwright + Chromium), SQLite
#   6. deploy: docs/deploy.md played on a fresh copy (scripts/deploy_check.py):
#      pip install, a private PostgreSQL, gunicorn, the worker, checks over HTTP
#
# Stages 2-5 all run even when an earlier one fails; a summary is printed at
# the end and the exit status is non-zero if any stage failed. A pytest exit
# status of 5 ("no tests collected") counts as a failure: a stage that silently
# tests nothing must not look green.
#
# Extra arguments are passed to every pytest call, e.g.
#   scripts/test.sh -x -k rounding
#
# Environment:
#   THIDUA_PG_PORT  port of the private PostgreSQL (default 54329)
#   THIDUA_PG_BIN   directory holding initdb/pg_ctl (default /usr/lib/postgresql/15/bin)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PG_PORT="${THIDUA_PG_PORT:-54329}"
PG_BIN="${THIDUA_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DIR=""   # temporary folder of the running private server, empty when none

# ---------------------------------------------------------------------------
# Private PostgreSQL
# ---------------------------------------------------------------------------

# Run a PostgreSQL server binary as the `postgres` user when we are root
# (initdb and the server refuse to run as root). `cd /` keeps the postgres
# user from tripping over a working directory it may not be allowed to read.
as_pg() {
    if [[ "$(id -u)" -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Start a throwaway server listening on 127.0.0.1:$PG_PORT only, with a
# superuser `postgres` (trust auth) and an empty database `thidua`.
pg_start() {
    if [[ ! -x "$PG_BIN/initdb" ]]; then
        echo "test: PostgreSQL binaries not found in $PG_BIN (apt-get install postgresql)" >&2
        return 1
    fi
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        echo "test: something already listens on 127.0.0.1:$PG_PORT; set THIDUA_PG_PORT" >&2
        return 1
    fi

    PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/thidua-pg.XXXXXX")" || return 1
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres:postgres "$PG_DIR" || return 1
    fi

    local pg_locale=C
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        pg_locale=C.UTF-8
    fi
    # -N: skip fsync, the cluster is thrown away anyway.
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust \
        -E UTF8 --locale="$pg_locale" -N >"$PG_DIR/initdb.log" 2>&1; then
        echo "test: initdb failed:" >&2
        cat "$PG_DIR/initdb.log" >&2
        return 1
    fi

    # Durability settings are off: faster, and nothing here needs to survive
    # a crash. The unix socket lives in the private folder, not /var/run.
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PG_PORT -k '$PG_DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        echo "test: PostgreSQL did not start; server log:" >&2
        cat "$PG_DIR/server.log" >&2
        return 1
    fi

    local i
    for ((i = 0; i < 60; i++)); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
        sleep 0.5
    done
    if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        echo "test: PostgreSQL is not accepting connections on port $PG_PORT" >&2
        return 1
    fi

    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres thidua || return 1
    echo "test: private PostgreSQL ready on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
}

# Stop the private server (if any) and delete its folder. Safe to call twice.
pg_stop() {
    [[ -n "$PG_DIR" ]] || return 0
    local pidfile="$PG_DIR/data/postmaster.pid"
    if [[ -f "$pidfile" ]]; then
        if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
            # Last resort: the postmaster we started, by its recorded pid.
            local pid
            pid="$(head -n 1 "$pidfile" 2>/dev/null)"
            [[ "$pid" =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null
            sleep 1
        fi
    fi
    rm -rf -- "$PG_DIR"
    PG_DIR=""
}

# ---------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------

STAGE_NAMES=()
STAGE_RESULTS=()
ANY_FAILED=0

# record NAME EXIT_STATUS [SECONDS]
record() {
    local name="$1" rc="$2" secs="${3:-0}" text
    case "$rc" in
        0) text="ok" ;;
        5) text="FAILED (pytest exit 5: no tests collected)" ;;
        *) text="FAILED (exit $rc)" ;;
    esac
    [[ "$rc" -eq 0 ]] || ANY_FAILED=1
    STAGE_NAMES+=("$name")
    STAGE_RESULTS+=("$text, ${secs}s")
    printf '\n==> %s: %s\n' "$name" "$text"
}

banner() { printf '\n==================== %s ====================\n' "$*"; }

stage_lint() {
    local rc=0
    "$VENV/bin/ruff" check . || rc=1
    "$VENV/bin/ruff" format --check . || rc=1
    "$VENV/bin/mypy" thidua bench scripts || rc=1
    return "$rc"
}

# pytest on SQLite (DATABASE_URL removed so the settings fall back to SQLite).
pytest_sqlite() {
    env -u DATABASE_URL "$VENV/bin/python" -m pytest "$@"
}

pytest_postgres() {
    DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/thidua" \
        "$VENV/bin/python" -m pytest "$@"
}

stage_postgres() {
    if ! pg_start; then
        pg_stop
        return 1
    fi
    pytest_postgres "$@"
    local rc=$?
    pg_stop
    return "$rc"
}

print_summary() {
    banner "summary"
    local i
    for i in "${!STAGE_NAMES[@]}"; do
        printf '  %-28s %s\n' "${STAGE_NAMES[$i]}" "${STAGE_RESULTS[$i]}"
    done
    if ((ANY_FAILED)); then
        echo "RESULT: FAILED"
    else
        echo "RESULT: all stages passed"
    fi
}

run() {
    local -a nonbrowser=(-m "not browser" -p xdist -n 2 --dist loadfile)
    local start rc

    cd "$ROOT" || exit 1
    # The test settings come from pyproject; a DJANGO_SETTINGS_MODULE left in
    # the environment (e.g. thidua.settings.dev) would silently override them.
    export DJANGO_SETTINGS_MODULE=thidua.settings.test

    banner "bootstrap"
    if ! bash "$ROOT/scripts/bootstrap.sh"; then
        echo "test: bootstrap failed; nothing else can run" >&2
        exit 1
    fi

    banner "lint (ruff check, mypy)"
    start=$SECONDS
    stage_lint
    rc=$?
    record "lint" "$rc" $((SECONDS - start))

    banner "pytest: SQLite, not browser"
    start=$SECONDS
    pytest_sqlite "${nonbrowser[@]}" "$@"
    rc=$?
    record "pytest sqlite" "$rc" $((SECONDS - start))

    banner "pytest: PostgreSQL $PG_PORT, not browser"
    start=$SECONDS
    stage_postgres "${nonbrowser[@]}" "$@"
    rc=$?
    record "pytest postgresql" "$rc" $((SECONDS - start))

    # Browser tests run serially: one Chromium at a time on a small machine,
    # and live_server is simpler without xdist.
    banner "pytest: browser (Chromium), SQLite"
    start=$SECONDS
    pytest_sqlite -m browser "$@"
    rc=$?
    record "pytest browser" "$rc" $((SECONDS - start))

    banner "deploy: docs/deploy.md on a fresh copy"
    start=$SECONDS
    "$VENV/bin/python" "$ROOT/scripts/deploy_check.py"
    rc=$?
    record "deploy (docs/deploy.md)" "$rc" $((SECONDS - start))

    print_summary
    ((ANY_FAILED == 0))
}

# When sourced (e.g. to try pg_start/pg_stop by hand) only define functions.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    trap pg_stop EXIT
    # Turn Ctrl-C / kill into a normal exit so the EXIT trap cleans up.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    run "$@"
fi
