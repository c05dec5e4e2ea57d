# Entry points. `make demo` and `make test` are all a newcomer needs; both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv/bin
DEV_DIR := .pg/dev
DEV_PORT := 54322
DEV_URL := postgresql://postgres@127.0.0.1:$(DEV_PORT)/postgres
# the throwaway clusters of tests, bench and types listen below Linux's ephemeral port range (32768-60999),
# where a client connection's local port can never be in the way
# LEADSTROOM_PORT_BASE (default 25430) moves them all (and the tests' own clusters: base+2, +4, +6) so that
# two checkouts can test side by side
PORT_BASE := $(or $(LEADSTROOM_PORT_BASE),25430)
export LEADSTROOM_PORT_BASE := $(PORT_BASE)
TEST_DIR := .pg/test
TEST_PORT := $(PORT_BASE)
TEST_URL := postgresql://postgres@127.0.0.1:$(TEST_PORT)/postgres
BENCH_DIR := .pg/bench
BENCH_PORT := $(shell echo $$(($(PORT_BASE) + 1)))
BENCH_URL := postgresql://postgres@127.0.0.1:$(BENCH_PORT)/postgres

.PHONY: help setup db db-stop demo lint test test-pg17 bench bench-wide types migration clean

help:
	@echo "make demo   start a throwaway local database, deploy, seed a small marketplace, sync, plan, show it"
	@echo "make test   lint everything and run all tests against a real PostgreSQL (the one set-up installs: 15-17)"
	@echo "make test-pg17   the same tests on PostgreSQL 17 in a Debian 13 root (as root; what CI runs on Debian 12)"
	@echo "make bench  benchmark the sync and planner at marketplace scale (N=100000; N=10000 or N=1000000)"
	@echo "make bench-wide   everything that writes segments over 252,000 combinations, max_connections = 60"
	@echo "make db / make db-stop   start (fresh, seeded) / stop the local database on port $(DEV_PORT)"

setup:
	@scripts/setup.sh

# A fresh local database with the stand-in, the migrations (supabase db push) and the demo seed.
db: setup
	@scripts/pg_cluster.sh fresh $(DEV_DIR) $(DEV_PORT) >/dev/null
	@scripts/deploy_local.sh $(DEV_URL) --include-seed
	@echo "database ready: psql $(DEV_URL)"

db-stop:
	@scripts/pg_cluster.sh stop $(DEV_DIR)
	@echo "local database stopped"

# The SOP walkthrough on the seeded marketplace: combinations, segments, sync, what changed, targets; then the runs.
# In a terminal, manual-test waits while you run the runbook's SQL (it prints it; psql command above).
demo: db
	@DATABASE_URL=$(DEV_URL) $(VENV)/leadstroom manual-test
	@DATABASE_URL=$(DEV_URL) $(VENV)/leadstroom runs
	@echo
	@echo "connect:  psql $(DEV_URL)"
	@echo "command:  $(VENV)/leadstroom (or: source .venv/bin/activate; then leadstroom --help)"
	@echo "          export DATABASE_URL=$(DEV_URL)"
	@echo "stop:     make db-stop"

SQL_PATHS := sql supabase $(wildcard bench)
PY_PATHS := python tests scripts $(wildcard bench)
lint: setup
	$(VENV)/sqlfluff lint $(SQL_PATHS) --processes 2
	$(VENV)/ruff check $(PY_PATHS)
	$(VENV)/ruff format --check $(PY_PATHS)
	$(VENV)/mypy --strict python/leadstroom

# The test cluster is started fresh for every run; tests/conftest.py deploys to it with `supabase db push`
# and lints the deployed function bodies with `supabase db lint` (plpgsql_check).
# pg_cron is loaded but cannot reach the server (cron.host): the nightly job never fires in the middle of a test.
# pg_stat_statements counts statements inside functions too, so a test can tell set-based SQL from a loop.
TEST_CONF := cron.host = '/nonexistent'; pg_stat_statements.track = all
# Then the client's tests once more on the lowest dependency versions python/pyproject.toml allows.
test: lint
	@scripts/setup.sh --lowest
	@PG_EXTRA_CONF="$(TEST_CONF)" scripts/pg_cluster.sh fresh $(TEST_DIR) $(TEST_PORT) >/dev/null
	LEADSTROOM_TEST_DB=$(TEST_URL) $(VENV)/pytest && \
	  LEADSTROOM_TEST_DB=$(TEST_URL) .venv-lowest/bin/pytest -q -p no:anyio tests/test_client.py; status=$$?; \
	  scripts/pg_cluster.sh stop $(TEST_DIR); exit $$status

# The same `make test` on PostgreSQL 17 (what new hosted Supabase projects run), in a Debian 13 root that
# debootstrap builds from this machine's Debian mirror, cached in .pg/pg17-root (scripts/pg17_root.sh)
test-pg17:
	@scripts/pg17_root.sh make test

N ?= 100000
REGIONS ?= provinces
bench: setup
	@scripts/pg_cluster.sh fresh $(BENCH_DIR) $(BENCH_PORT) >/dev/null
	@scripts/deploy_local.sh $(BENCH_URL) >/dev/null
	$(VENV)/python bench/run.py --db $(BENCH_URL) --partners $(N) --regions $(REGIONS); status=$$?; \
	  scripts/pg_cluster.sh stop $(BENCH_DIR); exit $$status

# Everything that writes segments over 252,000 combinations on a server with max_connections = 60 and the default
# max_locks_per_transaction = 64 (bench/wide_check.py): a check that takes minutes, not a test
bench-wide: setup
	@PG_EXTRA_CONF="max_connections = 60" scripts/pg_cluster.sh fresh $(BENCH_DIR) $(BENCH_PORT) >/dev/null
	@scripts/deploy_local.sh $(BENCH_URL) >/dev/null
	$(VENV)/python bench/wide_check.py --db $(BENCH_URL); status=$$?; \
	  scripts/pg_cluster.sh stop $(BENCH_DIR); exit $$status

# The client's row types, generated from the migrated schema (tests/test_generated_types.py keeps them current)
TYPES_DIR := .pg/types
TYPES_PORT := $(shell echo $$(($(PORT_BASE) + 3)))
TYPES_URL := postgresql://postgres@127.0.0.1:$(TYPES_PORT)/postgres
types: setup
	@scripts/pg_cluster.sh fresh $(TYPES_DIR) $(TYPES_PORT) >/dev/null
	@scripts/deploy_local.sh $(TYPES_URL) >/dev/null 2>&1
	npx --no-install supabase gen types --lang python --schema public --remote="$(TYPES_URL)?sslmode=disable" \
	  > python/leadstroom/database_types.py; status=$$?; scripts/pg_cluster.sh stop $(TYPES_DIR); exit $$status

# A new migration from changed function files: make migration NAME=what_changed FILES="sql/functions/x.sql"
migration:
	@$(VENV)/python scripts/new_function_migration.py $(NAME) $(FILES)

clean:
	-@scripts/pg_cluster.sh stop $(DEV_DIR) 2>/dev/null
	-@scripts/pg_cluster.sh stop $(TEST_DIR) 2>/dev/null
	-@scripts/pg_cluster.sh stop $(BENCH_DIR) 2>/dev/null
	-@scripts/pg_cluster.sh stop $(TYPES_DIR) 2>/dev/null
	rm -rf .pg
