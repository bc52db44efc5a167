# shopops — developer entry points.
#
#   make run     set up everything missing, migrate, demo data, serve http://127.0.0.1:8000
#   make test    every test: SQLite app DB + DuckDB/PostgreSQL warehouse, then the app-DB
#                tests again on PostgreSQL            (T="tests/warehouse -x" to narrow)
#   make lint    import-linter contracts (pyproject [tool.importlinter])
#   make bench   benchmarks, ratios against baselines (BENCH="loader" to pick)
#   make bench-large   issue #13's goal table in one run: every row against its baseline, met or not
#                (LARGE_VAR=<a large demo's var dir>, copied first; IMPORT_LOG=<its `shopops demo` output>;
#                 without LARGE_VAR the medium demo stands in and the table says so; STEPS="ingest pages")
#   make venv | assets | messages | clean | distclean
#
#   make lock    re-resolve the Python dependencies and rewrite constraints.txt (then make test)
#
# Python versions are locked: every pip install uses `-c constraints.txt`, so a fresh clone
# gets exactly the versions the suite last passed with. `make run` installs the app only;
# `make test` adds the test tools and the Spark engine (pyspark, the `spark` extra).
# Nothing is reinstalled when nothing changed: pip runs when pyproject.toml or
# constraints.txt changed (.venv/.installed-run / -test hold their hash), npm when
# package.json changed, apt only for what is missing (scripts/system-deps.sh).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := run
MAKEFLAGS += --no-print-directory

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints.txt
STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
NPM_STAMP := node_modules/.shopops-installed
MANAGE ?= $(BIN)/shopops manage
PYTEST ?= $(BIN)/pytest
T ?=
# pytest-xdist workers for the SQLite and PostgreSQL passes (auto = one per core; 0 = in-process).
# Whole files go to one worker, so a module's fixtures are built once.
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist loadfile
BENCH ?=
comma := ,
space := $(subst ,, )
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv venv-test lock assets messages lint bench bench-large clean distclean deps-run deps-test

# ---------------------------------------------------------------------------
run: deps-run venv assets messages
	$(MANAGE) migrate --noinput
	$(BIN)/shopops setup-demo
	SHOPOPS_DEMO_MODE=1 exec $(BIN)/shopops serve

# ---------------------------------------------------------------------------
venv: $(STAMP)

$(BIN)/python:
	@if ! $(PYTHON) -m venv $(VENV); then
	  echo "venv: creating $(VENV) failed; installing python3-venv" >&2
	  rm -rf $(VENV)
	  scripts/system-deps.sh venv
	  $(PYTHON) -m venv $(VENV)
	fi

venv-test: $(TEST_STAMP)

# Reinstall only when pyproject.toml's or constraints.txt's content changed (a new mtime
# alone just re-stamps). The app alone for `make run`; with the test and spark extras for
# `make test`. Always within the locked versions.
$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	@sum=$$(cat pyproject.toml $(CONSTRAINTS) | sha256sum | cut -d' ' -f1)
	if [ -f $@ ] && [ "$$(cat $@)" = "$$sum" ] && [ -x $(BIN)/shopops ]; then
	  touch $@
	else
	  $(BIN)/pip install -c $(CONSTRAINTS) -e .
	  echo "$$sum" > $@
	fi

$(TEST_STAMP): $(STAMP)
	@sum=$$(cat pyproject.toml $(CONSTRAINTS) | sha256sum | cut -d' ' -f1)
	if [ -f $@ ] && [ "$$(cat $@)" = "$$sum" ] && [ -x $(BIN)/pytest ]; then
	  touch $@
	else
	  $(BIN)/pip install -c $(CONSTRAINTS) -e '.[test]'
	  echo "$$sum" > $@
	fi

# Re-resolve every dependency (newest versions pyproject.toml allows) in a scratch venv and
# write them to constraints.txt. Run `make test`, then commit constraints.txt.
lock:
	scripts/lock.sh

# ---------------------------------------------------------------------------
# Front-end assets from npm (package.json), copied into web/static/vendor by
# scripts/vendor_assets.py. Either file may not exist yet: then skip.
ifneq ($(wildcard package.json),)
$(NPM_STAMP): package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "assets: npm not found (Debian: apt-get install nodejs npm; scripts/system-deps.sh run)" >&2; exit 1; }
	echo "assets: npm install"
	npm install --no-audit --no-fund
	touch $@
else
$(NPM_STAMP):
	@echo "assets: no package.json yet; skipping npm install"
endif

assets: venv $(NPM_STAMP)
	@if [ -f scripts/vendor_assets.py ]; then
	  $(BIN)/python scripts/vendor_assets.py
	else
	  echo "assets: no scripts/vendor_assets.py yet; skipping vendoring"
	fi

# Compiled translations (.mo), when gettext (msgfmt) is there and there is a catalog.
messages: venv
	@if ! command -v msgfmt >/dev/null; then
	  echo "messages: gettext (msgfmt) not installed; skipping compilemessages" >&2
	elif [ -z "$$(find src -type d -name locale -print -quit)" ]; then
	  echo "messages: no locale/ directory yet; skipping compilemessages"
	else
	  $(MANAGE) compilemessages --verbosity 0 --ignore=.venv --ignore=node_modules --ignore=.git --ignore=var
	fi

# ---------------------------------------------------------------------------
deps-run:
	@scripts/system-deps.sh run || echo "deps-run: some system packages are missing (see above); continuing" >&2

deps-test:
	@if ! scripts/system-deps.sh test; then
	  case "$${CI:-}" in 1|true|TRUE|True|yes) exit 1;; esac
	  echo "deps-test: some system packages are missing; the tests needing them will be skipped" >&2
	fi

# Full suite once (SQLite app DB, DuckDB + PostgreSQL warehouse), then the app-DB tests
# again with the app DB on PostgreSQL. CI=true: PostgreSQL is required, and a run that
# collects no test fails (pytest exit 5).
test: deps-test venv-test assets messages
	@ci=; case "$${CI:-}" in 1|true|TRUE|True|yes) ci=1;; esac
	export SHOPOPS_VAR_DIR=$$(mktemp -d -t shopops-test-var.XXXXXX)
	trap 'rm -rf "$$SHOPOPS_VAR_DIR"' EXIT
	# expensive test inputs (trained model, demo warehouses) built once for both passes and every
	# xdist worker (tests/support/shared_build.py); gone with the var dir
	export SHOPOPS_TEST_BUILD_CACHE="$$SHOPOPS_VAR_DIR/test-builds"
	# the SQLite pass records the app tables each test touched; the PostgreSQL pass leaves out the
	# tests that touched only the login tables (tests/support/appdb_tables.py)
	export SHOPOPS_TEST_APPDB_TABLES="$$SHOPOPS_VAR_DIR/appdb-tables"
	if pg_url=$$(scripts/postgres-test.sh); then
	  export SHOPOPS_TEST_POSTGRES_URL="$$pg_url"
	elif [ -n "$$ci" ]; then
	  echo "test: PostgreSQL is required in CI and could not be started (see above)" >&2; exit 1
	else
	  pg_url=
	  echo "test: PostgreSQL not available; its tests will be skipped" >&2
	fi
	if redis_url=$$(scripts/redis-test.sh "$$SHOPOPS_VAR_DIR/redis"); then
	  export SHOPOPS_TEST_REDIS_URL="$$redis_url"
	  trap 'kill $$(cat "$$SHOPOPS_VAR_DIR/redis/redis.pid" 2>/dev/null) 2>/dev/null; rm -rf "$$SHOPOPS_VAR_DIR"' EXIT
	elif [ -n "$$ci" ]; then
	  echo "test: Redis is required in CI and could not be started (see above)" >&2; exit 1
	else
	  echo "test: Redis not available; the flash-sale gate tests will be skipped" >&2
	fi
	status=0
	echo "== pytest: SQLite app DB =="
	rc=0; $(PYTEST) $(XDIST) $(T) || rc=$$?
	if [ $$rc -eq 5 ]; then echo "test: pytest collected no test" >&2; fi
	[ $$rc -eq 0 ] || status=1
	# Optimizer results must not depend on the BLAS kernel: the numerical tests run again
	# with the OpenBLAS settings some machines here have (or without them, where they are set).
	if [ -n "$${OPENBLAS_CORETYPE:-}" ]; then
	  echo "== pytest: numerical tests without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE =="
	  blas=(env -u SHOPOPS_TEST_APPDB_TABLES -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
	else
	  echo "== pytest: numerical tests with OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512 =="
	  blas=(env -u SHOPOPS_TEST_APPDB_TABLES OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512)
	fi
	# Only the files that mark a test numerical are collected (collecting all of tests/ costs ~20 s of
	# the ~70 s); one process (two xdist workers gained nothing: each builds the fixtures). No
	# app-table record here (-u above): it would overwrite the SQLite pass's, which the PostgreSQL pass reads.
	rc=0; "$${blas[@]}" $(PYTEST) -m numerical -q $(if $(T),$(T),$$(grep -rl --include='*.py' 'pytest.mark.numerical' tests)) || rc=$$?
	[ $$rc -eq 0 ] || [ $$rc -eq 5 ] || status=1
	if [ -n "$$pg_url" ]; then
	  echo "== pytest: app DB on PostgreSQL (tests using the Django DB, no browser) =="
	  rc=0; SHOPOPS_DATABASE_URL="$$pg_url" $(PYTEST) $(XDIST) --appdb-only $(T) || rc=$$?
	  if [ $$rc -eq 5 ]; then
	    if [ -n "$$ci" ]; then echo "test: no app-DB test ran on PostgreSQL" >&2; status=1
	    else echo "test: no app-DB test to run on PostgreSQL (yet)" >&2; fi
	  elif [ $$rc -ne 0 ]; then status=1; fi
	fi
	exit $$status

lint: venv-test
	$(BIN)/lint-imports

bench: venv-test
	$(BIN)/python bench/run.py $(BENCH)

LARGE_VAR ?=
IMPORT_LOG ?=
STEPS ?=
bench-large: venv-test
	$(BIN)/python bench/issue13.py $(if $(LARGE_VAR),--large-var $(LARGE_VAR)) \
	  $(if $(IMPORT_LOG),--import-log $(IMPORT_LOG)) $(if $(STEPS),--steps $(subst $(space),$(comma),$(strip $(STEPS))))

# ---------------------------------------------------------------------------
# Never touches var/ (your data). distclean also removes the venv and node_modules.
clean:
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	rm -rf .pytest_cache .import_linter_cache test-artifacts bench/results src/*.egg-info src/shopops/web/static/vendor

distclean: clean
	rm -rf $(VENV) node_modules
