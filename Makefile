# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
CATALOGUE_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var
# English is the source language (msgids): one catalogue per other language.
CATALOGUE_LANGUAGES := -l it -l de -l fr -l es
# The portal's apps come from their one list, service_portal/apps.py: PORTAL_APPS.
APPS_OF_THE_PORTAL := $(PY) -c "from service_portal.apps import PORTAL_APPS; print(*PORTAL_APPS)"
# The modules that hold the rules, type-checked by `make lint` (mypy settings: pyproject.toml).
TYPED_MODULES = $(wildcard */services.py */services/*.py */selectors.py */access.py */money.py)
# Front-end packages from npm, copied into the portal's static files (so they ship in the
# wheel) and served under static/vendor/<name>/: <name>=<folder in node_modules>. Workbox's
# modules share one folder: workbox-sw loads them from there by name (service_portal/pwa.py).
VENDOR_DIR := service_portal/static/vendor
VENDOR_ASSETS := bootstrap=bootstrap/dist bootstrap-icons=bootstrap-icons/font htmx=htmx.org/dist \
  jquery-ui=jquery-ui/dist chart.js=chart.js/dist air-datepicker=air-datepicker \
  workbox=workbox-sw/build workbox=workbox-core/build workbox=workbox-routing/build \
  workbox=workbox-strategies/build workbox=workbox-cacheable-response/build idb=idb/build
# `make bench` keeps one seeded database per scale (sp_bench_1, sp_bench_100): the full scale
# takes about 20 minutes to seed. BENCH_ARGS="--scales 1,100" rebuilds them.
BENCH_ARGS ?= --keep

.PHONY: run test install assets messages makemessages lint format check bench wheel clean

# `make run` serves where SITE_URL points (the address e-mail links use), by default
# http://127.0.0.1:8000; e-mails are saved under var/mail/ (service_portal/mail_files.py).
RUN_ADDRESS = $(shell $(PY) -c "from urllib.parse import urlsplit as u; import os; \
  p = u(os.environ.get('SITE_URL') or 'http://127.0.0.1:8000'); print(f'{p.hostname}:{p.port or 8000}')")

run: install assets messages ## install, build, migrate, load demo data, serve at SITE_URL
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	@echo "Serving on http://$(RUN_ADDRESS) (Ctrl+C to stop); e-mails are saved under var/mail/"
	@echo "Scheduled jobs (SLA warnings, contract fees...) run every minute in the background"
	$(MANAGE) run_scheduled_jobs --loop 60 & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(RUN_ADDRESS)

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

assets: install $(VENDOR_DIR)/.copied ## front-end files from the npm registry, collected for serving
	$(MANAGE) collectstatic --no-input -v0

$(VENDOR_DIR)/.copied: node_modules/.installed
	rm -rf $(VENDOR_DIR)
	for asset in $(VENDOR_ASSETS); do \
	  mkdir -p $(VENDOR_DIR)/$${asset%%=*} && cp -R node_modules/$${asset#*=}/. $(VENDOR_DIR)/$${asset%%=*}/ || exit 1; \
	done
	touch $@

messages: install ## compile the gettext catalogues (.po -> .mo)
	$(MANAGE) compilemessages $(CATALOGUE_IGNORE) -v0

makemessages: install ## refresh the catalogues from the sources (each app has its own)
	apps="$$($(APPS_OF_THE_PORTAL))" && test -n "$$apps" && for app in $$apps; do \
	  mkdir -p $$app/locale && (cd $$app && ../$(PY) ../manage.py makemessages $(CATALOGUE_LANGUAGES) \
	    --no-obsolete --add-location=file --ignore=static -v0) || exit 1; \
	done

bench: install assets messages ## server time and throughput (gunicorn + wrk) on PostgreSQL at two data sizes (not part of make test)
	$(PY) scripts/bench.py $(BENCH_ARGS)

lint: install ## ruff lint and format check, the layers of the apps (import-linter), types (mypy)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/mypy $(TYPED_MODULES)

wheel: install assets messages ## dist/service_portal-*.whl: the apps with their templates, static files, catalogues
	rm -rf build
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var/static var/db.sqlite3 .pytest_cache build dist $(VENDOR_DIR)
