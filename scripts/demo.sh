#!/usr/bin/env bash
# Set up and serve the thidua demo as a real installation runs: bootstrap,
# migrate, load the demo data (only into an empty database), collect the static
# files, then run the background worker beside the web server (DEBUG off,
# thidua.settings.demo); Ctrl-C stops both.
#
# The database is SQLite unless DATABASE_URL is set (see thidua.settings).
# Environment:
#   THIDUA_DEMO_ADDR  address for runserver (default 127.0.0.1:8000)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DJANGO_SETTINGS_MODULE=thidua.settings.demo
ADDR="${THIDUA_DEMO_ADDR:-127.0.0.1:8000}"
THIDUA="$ROOT/.venv/bin/thidua"

bash "$ROOT/scripts/bootstrap.sh"

if [[ -n "${DATABASE_URL:-}" ]]; then
    echo "demo: using the database from DATABASE_URL instead of SQLite"
fi

"$THIDUA" migrate --no-input
# --if-empty: load the demo data into an empty database; when data already
# exists, leave it alone (exit 0) and just print the demo accounts again.
"$THIDUA" load_demo --if-empty

"$THIDUA" collectstatic --no-input -v 0

# The worker runs the background jobs (imports, the national summary); it stops
# with the server, whichever way the script ends.
"$THIDUA" worker &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null; wait "$WORKER" 2>/dev/null' EXIT

echo "demo: serving on http://$ADDR/ with the background worker (Ctrl-C stops both)"
"$THIDUA" runserver --noreload "$ADDR"
