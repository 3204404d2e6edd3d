# Puente: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
# One installation's folder (database, keys, job queue, outbox): `make run PORT=5001
# INSTANCE=instance/second` serves a second installation beside the first, with its own identity.
INSTANCE ?= instance
export PUENTE_INSTANCE := $(abspath $(INSTANCE))

.PHONY: setup system-deps bench-deps translations db demo run test lint format bench bench-scale bench-weight bench-certificates bench-rosters bench-races bench-reports bench-packets bench-floor

system-deps:
	@missing=""; \
	python3 -c "import ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	command -v wkhtmltopdf >/dev/null || missing="$$missing wkhtmltopdf"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	command -v convert-im6.q16 >/dev/null || command -v magick >/dev/null || missing="$$missing imagemagick"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing fonts-dejavu-core >/dev/null; \
	  else echo "Please install the Debian packages:$$missing"; exit 1; fi; \
	fi

$(BIN)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

translations: $(BIN)/.installed
	@$(BIN)/pybabel compile -d app/translations

# Test tools written by others (axe-core, credential verifiers), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: system-deps $(BIN)/.installed translations node_modules/.installed

db: setup
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

HOST ?= 127.0.0.1
PORT ?= 5000
run: demo
	PUBLIC_BASE_URL=http://$(HOST):$(PORT) SESSION_COOKIE_NAME=puente-$(PORT) \
	  REMEMBER_COOKIE_NAME=puente-remember-$(PORT) $(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# wrk drives the HTTP benchmarks (a Debian package, installed like system-deps' ones).
bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: wrk"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Please install the Debian package: wrk"; exit 1; fi; \
	fi

# Hot pages against a bare Flask app (gunicorn, 2 sync workers, wrk): `make bench` on SQLite,
# `make bench BENCH_DB=postgresql+psycopg://postgres@127.0.0.1:5432/bench` on PostgreSQL;
# BENCH_STUDENTS=20000 for a quick run. A database seeded alike is kept (bench/seed.py's marker).
# BENCH_BASELINE=DIR: an earlier checkout served beside this one, each page measured on both.
BENCH_DB ?= sqlite:///$(CURDIR)/instance/bench.db
BENCH_STUDENTS ?= 213569
bench: setup bench-deps
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/seed.py --students $(BENCH_STUDENTS) --if-seeded
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/http_bench.py $(if $(BENCH_BASELINE),--baseline $(BENCH_BASELINE)) $(BENCH_ARGS)

# Each page's p50 at 213,569 students over 2,000 (goal <= 1.2); two databases, same engine.
BENCH_SMALL_DB ?= sqlite:///$(CURDIR)/instance/bench-2000.db
BENCH_NATIONAL_DB ?= sqlite:///$(CURDIR)/instance/bench-national.db
bench-scale: setup bench-deps
	$(BIN)/python bench/scale_bench.py --small-db $(BENCH_SMALL_DB) --national-db $(BENCH_NATIONAL_DB)

bench-weight: setup  # student pages' bytes and time on a 400 kbit/s, 400 ms connection
	$(BIN)/python bench/page_weight_bench.py

# What a request costs before any page renders (seed first with `make bench`, same BENCH_DB).
bench-floor: setup
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/request_floor.py

# Report pages at national scale (seed first with `make bench`, same BENCH_DB; PostgreSQL is the target).
bench-reports: setup
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/reports_bench.py

bench-certificates: setup
	$(BIN)/python bench/certificates_bench.py --count 10000

ROSTER_BENCH_DB ?= sqlite:///$(CURDIR)/instance/roster-bench.db
bench-rosters: setup
	DATABASE_URL=$(ROSTER_BENCH_DB) $(BIN)/python bench/roster_bench.py --students 213569

bench-packets: setup
	$(BIN)/python bench/packets_bench.py --count 20

bench-races: setup  # on PostgreSQL with TEST_DATABASE_URL=...
	$(BIN)/python bench/races_bench.py --trials 10
