# Parley: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run test db web build check fmt clippy graph openapi bench clean-test-dbs

CARGO ?= cargo
PARLEY := target/debug/parley
# A development secret kept under .data so sign-ins survive restarts; set your own in .env.
JWT_SECRET_FILE := .data/jwt_secret

help:
	@echo "make run      prepare PostgreSQL and the wasm toolchain, build, seed demo data, serve on http://127.0.0.1:8080"
	@echo "make test     format check, clippy, module graph, every test (unit, integration, browser)"
	@echo "make openapi  regenerate openapi.yaml from the code"
	@echo "make bench    benchmarks, printing figures"

$(JWT_SECRET_FILE):
	@mkdir -p .data
	@head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > $@

db:
	@.ci/postgres.sh > /dev/null

web:
	@web/build.sh

build:
	$(CARGO) build -p parley-api

run: web build $(JWT_SECRET_FILE)
	@set -e; \
	export DATABASE_URL=$$(.ci/postgres.sh); \
	export PARLEY_JWT_SECRET=$${PARLEY_JWT_SECRET:-$$(cat $(JWT_SECRET_FILE))}; \
	$(PARLEY) migrate > /dev/null; \
	login=$$($(PARLEY) demo seed); \
	echo; echo "Parley is starting on http://$${PARLEY_LISTEN_ADDR:-127.0.0.1:8080}"; \
	echo "Demo login: $$(echo "$$login" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["email"], "/", d["password"])')"; \
	echo; \
	exec $(PARLEY) serve

fmt:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The module graph has no circle larger than a module and its children (docs/ARCHITECTURE.md).
graph:
	@.ci/module-graph.py api/src > /dev/null || .ci/module-graph.py api/src

check: fmt clippy graph

openapi: build
	$(PARLEY) openapi > openapi.yaml

# Test databases are dropped by each test; this sweeps those of an interrupted run: only the
# ones nobody is connected to, so a suite running beside this one keeps its databases.
clean-test-dbs:
	@url=$$(.ci/postgres.sh); psql "$${url%/*}/postgres" -Atc \
	  "SELECT 'DROP DATABASE IF EXISTS ' || quote_ident(d.datname) || ';' FROM pg_database d WHERE d.datname LIKE 'parley\_test\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)" \
	  | psql -q "$${url%/*}/postgres" > /dev/null 2>&1 || true

test: fmt clippy graph web build
	@.ci/chromium.sh
	@.ci/schemathesis.sh > /dev/null
	@.ci/moto.sh > /dev/null
	@set -e; export DATABASE_URL=$$(.ci/postgres.sh); \
	$(MAKE) --no-print-directory clean-test-dbs; \
	echo "Browser tests save screenshots to tests/screenshots/"; \
	if $(CARGO) nextest --version > /dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --no-fail-fast; \
	else \
	  $(CARGO) test --workspace --no-fail-fast; \
	fi

# The release binary is built first: the data bench runs it in a process of its own (its
# memory is one of the figures), and `cargo bench` builds only the benches and their libraries.
bench: web
	@set -e; export DATABASE_URL=$$(.ci/postgres.sh); \
	ulimit -n 16384 2>/dev/null || true; \
	$(CARGO) build --release -p parley-api; \
	$(CARGO) bench -p parley-tests --bench load; \
	$(CARGO) bench -p parley-tests --bench data; \
	$(CARGO) bench -p parley-tests --bench feed
