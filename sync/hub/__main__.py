"""`python -m sync.hub [serve|enroll-code|terminals|revoke|publish-bundle|add-agent|…] …` (see sync/hub/cli.py).

`serve` is the default, so `python -m sync.hub --port 0 --db var/hub.db` runs the hub. It prints
"hub listening on URL" once it accepts connections (with --port 0, the port picked); tests wait for that line.
"""
from __future__ import annotations

import sys

from sync.hub.cli import main

if __name__ == "__main__":
    sys.exit(main())
