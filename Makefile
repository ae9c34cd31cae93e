# The two commands: `make run` (set up, then start the kiosk) and `make test` (set up, then run every test).
SHELL := /bin/bash
PY := .venv/bin/python
DATA ?= var/kiosk

.PHONY: run test setup hub shots bench

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run-kiosk.sh $(DATA)

test: setup
	@bash scripts/test.sh

# Helpers for development (not needed by the two commands above).
hub: setup
	$(PY) -m sync.hub --db var/hub.db

shots: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.shots shots

bench: setup
	@bash scripts/bench.sh
