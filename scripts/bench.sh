#!/usr/bin/env bash
# Run every benchmark in bench/; each prints one JSON object on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
for b in bench/*_bench.py; do
  echo "== $b" >&2
  .venv/bin/python "$b"
done
