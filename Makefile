# Samenkader — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# The web process (Procfile) serves on these, and the settings make SITE_URL (links in e-mails and PDFs) from
# the same two unless SITE_URL is set: `make run PORT=9000` gives links to port 9000.
export HOST PORT

.PHONY: run test browser-tools setup dev-setup worker lint format bench migrate seed messages clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-[0-9]*
	touch $@

# Test, lint and benchmark tools, on top of what the application needs (only `make test` and `make bench`).
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $@

dev-setup: setup $(DEV_STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	  else $(PY) -m workflow.web.translations; fi; \
	fi

migrate: setup
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed_demo

## Start the whole application on http://$(HOST):$(PORT) with demo data (embedded default: SQLite, no services needed).
run: seed
	$(PY) manage.py seal_certificate
	$(VENV)/bin/honcho -f Procfile start

## Lint, layering, security scan (bandit), migrations check and every test. With DATABASE_URL=postgres://… the PostgreSQL tests run too; REQUIRE_SERVICES=1 makes missing services fail.
test: dev-setup browser-tools
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -c pyproject.toml -r agreements workflow worker config
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## axe-core for the browser tests' accessibility checks (package-lock.json). Without npm those tests skip.
browser-tools:
	@if [ ! -d node_modules/axe-core ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	  else echo "npm not found: the browser accessibility tests will skip (CI installs npm)"; fi; \
	fi

worker: migrate
	$(VENV)/bin/celery -A worker worker --beat --loglevel=INFO --queues=default,documents --concurrency=2

lint: dev-setup
	$(VENV)/bin/ruff check .

format: dev-setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Benchmarks print figures; they are not part of the tests. Most need DATABASE_URL=postgres://….
bench: dev-setup migrate
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf var/ .pytest_cache
