#!/usr/bin/env bash
# Run every test offscreen. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
# The hub's tests run against SQLite and PostgreSQL; the local cluster is started here (scripts/postgres.sh).
if [ -z "${ZDB_TEST_PG_DSN:-}" ]; then
  ZDB_TEST_PG_DSN=$(bash scripts/postgres.sh)
  export ZDB_TEST_PG_DSN
fi
exec .venv/bin/python -m pytest -q "$@"
