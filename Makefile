# Ideaboard — `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app ideaboard
HOST ?= 127.0.0.1
PORT ?= 5000
TIER ?= S
# DB=postgres benchmarks PostgreSQL: the server in DATABASE_URL if set, else a throwaway one
DB ?= $(if $(DATABASE_URL),postgres,sqlite)
SYSTEM_PACKAGES := chromium fonts-noto-cjk

# The lock files: exact versions with hashes (pip-compile), refreshed by `make lock`
# (keeps the pinned versions that still fit, adds new dependencies) or `make lock UPGRADE=1`
# (newest versions allowed by pyproject.toml)
LOCK := requirements.txt
TEST_LOCK := requirements-test.txt
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--build-deps-for=wheel --build-deps-for=editable $(if $(UPGRADE),--upgrade) \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test install install-test system-deps translations lint bench messages clean lock

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

## Installs the locked versions (hashes checked), then the app itself (editable, no resolving)
install: $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(MAKE) --no-print-directory translations

install-test: $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(MAKE) --no-print-directory translations

## Re-resolves pyproject.toml's dependencies into the lock files, with hashes
lock: $(BIN)/activate
	$(BIN)/pip install --quiet pip-tools
	$(PIP_COMPILE) --extra redis --extra postgres -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra test -o $(TEST_LOCK) pyproject.toml

translations:
	$(BIN)/pybabel compile --use-fuzzy -d ideaboard/translations -f

## Installs, migrates, loads demo data on first run, serves on http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@$(FLASK) demo-logins
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## Browser tests need Debian's Chromium; installed here when missing and run as root.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing — install them with sudo apt-get install$$missing"; exit 1; fi; \
	fi

## Installs what the tests need and runs the whole suite
test: install-test system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(BIN)/activate
	$(BIN)/ruff check .

## Benchmarks: `make bench` (tier S) or `make bench TIER=M`; DATABASE_URL for PostgreSQL
bench: install-test
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@if [ "$(DB)" = postgres ] && [ -z "$(DATABASE_URL)" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; fi
	$(BIN)/python -m bench.run --tier $(TIER) --db $(DB)

## Re-extract UI strings into the catalogs after changing templates or code
messages: $(BIN)/activate
	$(BIN)/pybabel extract -w 100 -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* .venv' -o ideaboard/translations/messages.pot .
	$(BIN)/pybabel update -w 100 -i ideaboard/translations/messages.pot -d ideaboard/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
