# The two commands: `make run` (set up, then start the kiosk) and `make test` (set up, then run every test).
SHELL := /bin/bash
PY := .venv/bin/python
DATA ?= var/kiosk

.PHONY: run test setup hub shots bench deb

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run-kiosk.sh $(DATA)

test: setup
	@bash scripts/test.sh

# Helpers for development (not needed by the two commands above).
# Development hub: --open accepts unenrolled kiosks' unsigned pushes; staff view at http://127.0.0.1:8765/
# with the password "dev". Production hubs run without --open (see sync/hub/README.md).
hub: setup
	ZDB_HUB_STAFF_PASSWORD=dev $(PY) -m sync.hub --open --db var/hub.db

shots: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.shots shots

bench: setup
	@bash scripts/bench.sh

# The Debian package for the Linux terminals: dist/zhoudaoban_<version>_amd64.deb (installer/README.md).
deb: setup
	$(PY) installer/build_deb.py
