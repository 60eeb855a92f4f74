# govcredit — the two commands are `make run` and `make test`; `make install` is shared by both.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# make run serves here, and documents' QR/verification links follow unless GOVCREDIT_PUBLIC_URL is set.
export HOST PORT
# Debian packages: WeasyPrint's libraries and CJK fonts, Debian's Chromium for browser tests,
# gettext to compile the translations, poppler-utils to read PDFs in tests, wrk for `make bench`'s web pages.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk chromium gettext poppler-utils wrk
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install system-packages run test test-sqlite test-postgres lint bench clean vendor-echarts

install: system-packages $(VENV)/.installed messages

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	@# An application, not a library: install what pyproject.toml lists, not the project itself
	@# (the code runs from this checkout), so the install log carries no build-backend notices.
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(PIP) install -q -r $(VENV)/requirements.txt
	touch $@

# Apache ECharts is vendored (committed) under static/vendor/: pages never load it from a CDN and the
# server needs no network. To re-vendor (or move to another version), change the pin and the
# SHA-256 of the tarball npm publishes, then `make vendor-echarts` and commit the files.
ECHARTS_VERSION := 5.6.0
ECHARTS_SHA256 := e1b82487dd7f8d9f0438eec1f1433051148e0095ac7a15d4db890afda45cf610
ECHARTS_DIR := static/vendor/echarts/$(ECHARTS_VERSION)

vendor-echarts:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  (cd "$$tmp" && npm pack -q echarts@$(ECHARTS_VERSION) >/dev/null) && \
	  echo "$(ECHARTS_SHA256)  $$tmp/echarts-$(ECHARTS_VERSION).tgz" | sha256sum -c --quiet && \
	  tar -xzf "$$tmp/echarts-$(ECHARTS_VERSION).tgz" -C "$$tmp" package/dist/echarts.min.js package/LICENSE package/NOTICE && \
	  mkdir -p $(ECHARTS_DIR) && \
	  cp "$$tmp/package/dist/echarts.min.js" "$$tmp/package/LICENSE" "$$tmp/package/NOTICE" $(ECHARTS_DIR)/ && \
	  echo "Apache ECharts $(ECHARTS_VERSION) vendored in $(ECHARTS_DIR)"

messages: $(VENV)/.installed
	@$(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=var

run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py setup_schedules
	@echo ""
	@echo "govcredit is at http://$(HOST):$(PORT)/  (staff: /staff/, API docs: /api/docs/)"
	@echo "Demo logins (password: $${DEMO_PASSWORD:-demo-pass-2026}):"
	@echo "  agency_clerk agency_clerk2 agency_head supervisor complaint_officer"
	@echo "  penalty_officer window_clerk enterprise_user enterprise_user2"
	@echo "Ctrl-C stops the web server and the task cluster together."
	@# Ctrl-C reaches both; the trap also stops them when one exits, and waits until both have
	@# (qcluster stops within GOVCREDIT_QCLUSTER_STOP_GRACE seconds, see workflow/management/commands/qcluster.py).
	@trap 'trap - INT TERM EXIT; kill $$qc $$web 2>/dev/null; wait' INT TERM EXIT; \
	  $(PY) manage.py qcluster & qc=$$!; \
	  $(PY) manage.py runserver $(HOST):$(PORT) --noreload & web=$$!; \
	  wait -n; exit 0

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check -q .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run -v 1

test: install lint test-sqlite test-postgres

# Browser journeys run in their own process: their live server commits and flushes between tests.
PYTEST := $(VENV)/bin/pytest -p no:cacheprovider
# The unit and integration suite runs on both cores (pytest-xdist); browser journeys run alone.
XDIST := -n 2

test-sqlite:
	@echo "== test suite on SQLite =="
	DATABASE_URL= $(PYTEST) $(XDIST) --ignore=tests/e2e
	DATABASE_URL= $(PYTEST) tests/e2e

test-postgres:
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
	  echo "== test suite on PostgreSQL =="; \
	  DATABASE_URL="$$TEST_POSTGRES_URL" $(PYTEST) $(XDIST) --create-db --ignore=tests/e2e && \
	  DATABASE_URL="$$TEST_POSTGRES_URL" $(PYTEST) --create-db tests/e2e; \
	else \
	  echo "TEST_POSTGRES_URL not set: PostgreSQL run skipped"; \
	fi

# The 100k benchmark in one run on a scratch PostgreSQL database (docs/performance.md): the sweep against
# its SQL baseline on createdb -T copies, then the list pages against the template ceiling (wrk -c16), then
# the KPIs and the evaluation against raw GROUP BY (the catch-up sweep first).
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= gcb_bench
BENCH_SCALE ?= 1
bench: install
	$(PY) bench/run.py calendar
	dropdb -h 127.0.0.1 -U postgres --if-exists $(BENCH_DB) && createdb -h 127.0.0.1 -U postgres $(BENCH_DB)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(PY) bench/run.py sweepsql web kpi --scale $(BENCH_SCALE)
	dropdb -h 127.0.0.1 -U postgres --if-exists $(BENCH_DB)

clean:
	rm -rf $(VENV) var db.sqlite3
