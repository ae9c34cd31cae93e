#!/usr/bin/env bash
# Start the kiosk on embedded defaults. Without a display (a headless box), run on a virtual X screen so the
# kiosk still starts, syncs and prints to the simulated printer; say so plainly.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=${1:-var/kiosk}
mkdir -p "$data_dir"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting the kiosk on a virtual screen (Xvfb). Receipts: $data_dir/receipts/"
  exec xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python main.py --data-dir "$data_dir"
fi
exec .venv/bin/python main.py --data-dir "$data_dir"
