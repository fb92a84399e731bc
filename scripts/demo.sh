#!/usr/bin/env bash
# Set up and serve the thidua demo: bootstrap, migrate, load the demo data
# (only into an empty database) and run the development server.
#
# The database is SQLite unless DATABASE_URL is set (see thidua.settings).
# Environment:
#   THIDUA_DEMO_ADDR  address for runserver (default 127.0.0.1:8000)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DJANGO_SETTINGS_MODULE=thidua.settings.dev
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

echo "demo: serving on http://$ADDR/ (Ctrl-C to stop)"
exec "$THIDUA" runserver "$ADDR"
