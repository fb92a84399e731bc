#!/usr/bin/env bash
# Every benchmark at three sizes on each engine, then the summary table.
#
#   bash bench/run_all.sh                      # SQLite, scales 0.01 0.1 1
#   ENGINES="sqlite postgres" bash bench/run_all.sh
#   SCALES="1" BENCHES="eligibility importing" bash bench/run_all.sh
#
# PostgreSQL: BENCH_PG (default postgres://postgres@127.0.0.1:54345/) must reach a server
# whose user may create databases; see bench/README.md for the one we used.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
ENGINES="${ENGINES:-sqlite}"
SCALES="${SCALES:-0.01 0.1 1}"
BENCHES="${BENCHES:-eligibility importing tally reports pages}"
for engine in $ENGINES; do
    for scale in $SCALES; do
        for bench in $BENCHES; do
            echo "==> $bench, $engine, scale $scale"
            "$PY" -m "bench.$bench" --engine "$engine" --scale "$scale"
        done
    done
done
"$PY" -m bench.summarize
