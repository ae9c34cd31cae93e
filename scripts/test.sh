#!/usr/bin/env bash
# Run every test offscreen. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
