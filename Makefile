# Sputnik CRM. `make demo` and `make test` are the two commands a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
PERSONS ?= 2000

.PHONY: demo test install lint typecheck test-fast test-pg test-browser bench messages clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(BIN)/sputnik: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $(BIN)/sputnik

install: $(BIN)/sputnik

## Install, migrate the embedded SQLite database, load the demo network and serve it.
demo: install
	DEBUG=1 $(BIN)/sputnik migrate --no-input -v0
	DEBUG=1 $(BIN)/sputnik demo --persons $(PERSONS)

## Lint, type-check and run the test suite (SQLite; browser tests skip without Chromium).
test: install lint typecheck
	SPUTNIK_TESTING=1 $(BIN)/pytest -q -n 2 -m "not browser" sputnik
	SPUTNIK_TESTING=1 $(BIN)/pytest -q -m browser sputnik

test-fast: install
	SPUTNIK_TESTING=1 $(BIN)/pytest -q -x -m "not browser" sputnik

lint: install
	$(BIN)/ruff check sputnik bench
	$(BIN)/ruff format --check sputnik bench

typecheck: install
	SPUTNIK_TESTING=1 $(BIN)/mypy sputnik

## The same suite on PostgreSQL (127.0.0.1:5432, trust auth).
test-pg: install
	SPUTNIK_TESTING=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sputnik} \
		$(BIN)/pytest -q -n 2 -m "not browser" sputnik

test-browser: install
	SPUTNIK_TESTING=1 SPUTNIK_REQUIRE_BROWSER=1 $(BIN)/pytest -q -m browser sputnik

## Benchmarks on PostgreSQL at scale (not part of the test run); BENCH=<module> runs one area.
BENCH ?= run
bench: install
	$(BIN)/python -m bench.$(BENCH)

messages: install
	cd sputnik && SPUTNIK_TESTING=1 ../$(BIN)/sputnik makemessages -l ru -l en --no-obsolete -i 'tests/*' -i '*/tests/*' && SPUTNIK_TESTING=1 ../$(BIN)/sputnik compilemessages

clean:
	rm -rf var .tools
