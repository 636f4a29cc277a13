# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
CATALOGUE_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var
# English is the source language (msgids): one catalogue per other language.
CATALOGUE_LANGUAGES := -l it -l de -l fr -l es
# `make bench` keeps one seeded database per scale (sp_bench_1, sp_bench_100): the full scale
# takes the better part of an hour to seed. BENCH_ARGS="--scales 1,100" rebuilds them.
BENCH_ARGS ?= --keep

.PHONY: run test install assets messages makemessages lint format check bench clean

run: install assets messages ## install, build, migrate, load demo data, serve on :8000
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(MANAGE) runserver 127.0.0.1:8000

test: install assets messages ## the whole test suite (browser tests skip without Chromium, outside CI)
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: install ## front-end files from the npm registry, collected for serving
	$(MANAGE) collectstatic --no-input -v0

messages: install ## compile the gettext catalogues (.po -> .mo)
	$(MANAGE) compilemessages $(CATALOGUE_IGNORE) -v0

makemessages: install ## refresh the catalogues from the sources (each app has its own)
	for app in accounts customers quotes orders calls planner api invoicing dashboard; do \
	  mkdir -p $$app/locale && (cd $$app && ../$(PY) ../manage.py makemessages $(CATALOGUE_LANGUAGES) --no-obsolete --add-location=file -v0); \
	done
	$(MANAGE) makemessages $(CATALOGUE_LANGUAGES) --no-obsolete --add-location=file -v0 $(CATALOGUE_IGNORE) --ignore=tests \
	  --ignore=accounts --ignore=customers --ignore=quotes --ignore=orders --ignore=calls --ignore=planner \
	  --ignore=api --ignore=invoicing --ignore=dashboard

bench: install assets messages ## server-time benchmark on PostgreSQL at two data sizes (not part of make test)
	$(PY) scripts/bench.py $(BENCH_ARGS)

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var/static var/db.sqlite3 .pytest_cache
