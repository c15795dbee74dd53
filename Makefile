# Aura: the two commands are `make dev` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := venv
PY := $(VENV)/bin/python
WEB := hosting
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json -type f 2>/dev/null)
PYTEST_ARGS ?=

.PHONY: help install dev test lint unit web-unit wire-check bench web stop admin clean

help:
	@echo "make dev    - run Aura locally (emulators, functions, web app, demo account)"
	@echo "make test   - lint, unit, emulator integration and browser end-to-end tests"
	@echo "make bench  - cold start, memory and callable latency, as ratios to baselines"
	@echo "make admin EMAIL=... - make a user an admin on the running local stack"
	@echo "make stop   - stop a local stack and anything an earlier run left behind"

# --- installs (each guarded by a stamp, so the second run is instant) ---------------

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (the functions run on python311)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

/usr/bin/chromium:
	@echo "installing Debian's chromium for the browser tests"
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium >/dev/null

install: $(VENV)/.installed $(WEB)/node_modules/.installed
	@command -v gcloud >/dev/null || { echo "The Google Cloud CLI (gcloud) is required: its Firestore and Pub/Sub emulators run the local stack."; exit 1; }
	@# javac builds the Storage emulator's local rules runtime once (docs/decisions.md).
	@command -v javac >/dev/null || test -n "$$JAVA_HOME" -a -x "$$JAVA_HOME/bin/javac" || { \
		echo "installing Debian's JDK (javac) for the Storage emulator's rules runtime"; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq default-jdk-headless >/dev/null; }

# --- the web app ---------------------------------------------------------------------

$(WEB)/dist/index.html: $(WEB)/node_modules/.installed $(WEB_SOURCES)
	cd $(WEB) && npm run --silent build
	touch $@

web: $(WEB)/dist/index.html

# --- the two commands ----------------------------------------------------------------

dev: install web
	$(PY) -m tools.stack dev

test: install web /usr/bin/chromium lint web-unit wire-check
	$(PY) -m pytest $(PYTEST_ARGS)

# --- steps ---------------------------------------------------------------------------

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit tests/adapters tests/test_deployment_manifest.py

# The web app's pure modules (converters, parsers, formatters) under Vitest, in Node.
web-unit: $(WEB)/node_modules/.installed
	cd $(WEB) && npm run --silent test:unit

# The web app's wire types (hosting/src/wire) are generated from the pydantic models: made
# again in a temporary folder, they must equal the committed ones.
wire-check: $(VENV)/.installed $(WEB)/node_modules/.installed
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PY) -m tools.export_wire_schemas "$$tmp/schemas" >/dev/null; \
	(cd $(WEB) && npm run --silent gen:wire -- "$$tmp/schemas" "$$tmp" >/dev/null); \
	diff -r "$$tmp" $(WEB)/src/wire || { \
		echo "hosting/src/wire is stale: run $(PY) -m tools.export_wire_schemas && (cd $(WEB) && npm run gen:wire)"; \
		exit 1; }

bench: install web
	$(PY) -m bench.run

stop: $(VENV)/.installed
	$(PY) -m tools.stack stop

admin: $(VENV)/.installed
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=you@example.com"; exit 2; }
	env $$($(PY) -c "from tools.stack import Ports, client_env; print(' '.join(f'{k}={v}' for k, v in client_env(Ports.from_config()).items()))") \
		$(PY) -m tools.make_admin "$(EMAIL)"

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB)/dist .aura test-results .mypy_cache .pytest_cache .ruff_cache
