# Stepwise. `make demo` runs the app with sample data; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON_VERSION := $(shell cat .python-version)
# Python 3.12 from pyenv when it has it, otherwise python3.12 on PATH.
PYTHON312 := $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
DEMO_PORT ?= 8000

# The translations (issue 23): each locale/<lang>/LC_MESSAGES/django.po compiled to its .mo
# (not committed: built here, so a .po and its .mo never disagree), by Babel's compiler (a
# dependency already), so a fresh machine needs no gettext tools.
MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: help install demo test test-fast lint format bench browsers check-python vendor

help:
	@echo "make demo     set up everything and run the demo (web + worker)"
	@echo "make test     set up everything and run the whole test suite"
	@echo "make lint     ruff check + ruff format --check + mypy + lint-imports + dead code"
	@echo "make install  create $(VENV) with the project and its dev tools"
	@echo "make vendor   refresh static/vendor/ (htmx, SortableJS, axe-core) from npm"

check-python:
	@if [ -z "$(PYTHON312)" ]; then \
	  echo "ERROR: Stepwise needs Python 3.12 (Django 6 requires it)." >&2; \
	  echo "       Install it with 'pyenv install $(PYTHON_VERSION)' or put python3.12 on PATH." >&2; \
	  exit 1; \
	fi

$(VENV)/.installed: pyproject.toml | check-python
	@test -x $(PY) && $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' || { rm -rf $(VENV); $(PYTHON312) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed $(MESSAGES)

locale/%.mo: locale/%.po $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -i $< -o $@

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browsers:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped." >&2; }

demo: install
	@DEBUG=1 DEMO_PORT=$(DEMO_PORT) $(PY) -m onboarding.demo

test: install browsers
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -x -q -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) scripts/dead_code.py

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Front-end packages, pinned in scripts/vendor.sh; the result is committed.
vendor:
	./scripts/vendor.sh

bench: install
	$(PY) bench/ingest.py
