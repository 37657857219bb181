# One command to run the demo, one to run the tests. Both create the virtualenv if missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The pinned, hashed dependency set (`make lock` regenerates it from pyproject.toml).
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# Keyed on the project and its lock: a changed lock (or pyproject.toml) reinstalls.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(DEV_LOCK) | cksum | cut -d' ' -f1)
# One universal resolution valid for every supported Python (requires-python) and platform.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock"
DEMO_ENV := DEBUG=true DATABASE_URL=sqlite:///$(CURDIR)/demo.sqlite3
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=backend.settings_test

.PHONY: install lock lock-check demo demo-smoke test test-reliability lint format schema migrations-check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## lock: re-resolve the lock files after a change to pyproject.toml, then reinstall.
## Existing pins are kept; upgrade with LOCK_ARGS="--upgrade" or "--upgrade-package NAME".
lock: install
	$(UV_COMPILE) $(LOCK_ARGS) -o $(LOCK)
	$(UV_COMPILE) $(LOCK_ARGS) --extra dev --constraint $(LOCK) -o $(DEV_LOCK)
	$(MAKE) install

## lock-check: fail when the lock files no longer match pyproject.toml (CI; fix: make lock)
lock-check: install
	$(UV_COMPILE) -o $(LOCK)
	$(UV_COMPILE) --extra dev --constraint $(LOCK) -o $(DEV_LOCK)
	@git diff --quiet -- $(LOCK) $(DEV_LOCK) || { git diff --stat -- $(LOCK) $(DEV_LOCK); \
		echo "The lock files do not match pyproject.toml: run 'make lock' and commit them."; exit 1; }

## demo: SQLite, demo data, http://127.0.0.1:8000 (docs at /api/docs/)
demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  API docs:  http://127.0.0.1:8000/api/docs/   (ReDoc: /api/redoc/, admin: /admin/)"
	@echo ""
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## demo-smoke: migrate and seed a throwaway SQLite file, serve it, check health, docs, login
## and a search (CI runs it on Python 3.13: make demo-smoke VENV=.venv313 PYTHON=python3.13)
demo-smoke: install
	bash .ci/demo_smoke $(VENV)

## test: the whole suite on PostgreSQL (TEST_DATABASE_URL, default postgres@127.0.0.1:5432)
test: install
	$(BIN)/pytest

## test-reliability: only the fault, two-instance and contract tests (also part of `make test`)
test-reliability: install
	$(BIN)/pytest -m "reliability or slow"

## lint: ruff, formatting, types (mypy with django-stubs, zero errors) and migrations
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(MAKE) migrations-check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	DEBUG=true DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run

## schema: regenerate the committed OpenAPI schema
schema: install
	$(TEST_SETTINGS) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file api_schema.yaml

## bench: load the large dataset into BENCH_DATABASE_URL and measure every scenario (not CI)
bench: install
	@command -v wrk >/dev/null || { echo "wrk is not installed: sudo apt-get install -y wrk (Debian/Ubuntu) or brew install wrk (macOS)"; exit 1; }
	$(BIN)/python -m bench --results bench/RESULTS.md

clean:
	rm -rf $(VENV) demo.sqlite3 staticfiles .pytest_cache
