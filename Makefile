# Two commands matter: `make run` (install, migrate, demo data, serve) and `make test` (the whole suite).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install chromium migrate seed bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Debian's Chromium for the browser tests (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "Chromium is not installed (apt-get install chromium); browser tests will be skipped."

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

## The development server, and beside it a worker for background jobs (docs/deploy.md, "Background jobs"):
## the worker stops when the server does (Ctrl+C). It does not reload code; `make run` again after changing a job.
run: seed
	DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install chromium
	$(PY) -m pytest $(PYTEST_ARGS)

## ruff: the lint rules and the formatting of pyproject.toml (CI runs this before the tests).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .hypothesis
