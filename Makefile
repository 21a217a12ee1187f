# Rapport — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
BENCH ?=
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo serve worker test lint typecheck test-sqlite test-postgres browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: set up the embedded database with demo data and serve it with a worker
demo: install
	$(BIN)/rapport demo --port $(PORT)

serve: install
	$(BIN)/rapport migrate --noinput
	$(BIN)/rapport serve --port $(PORT) --with-worker

worker: install
	$(BIN)/rapport worker

## make test: ruff, mypy --strict, then the whole suite on SQLite and on PostgreSQL
test: install lint typecheck browser-deps test-sqlite test-postgres

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy src tests bench

browser-deps:
	./scripts/ensure-chromium.sh

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install
	./scripts/with-postgres.sh $(BIN)/pytest

## make bench [BENCH=name]: JSON lines to stdout and var/bench/results.jsonl, on the
## embedded SQLite database and then on a throwaway PostgreSQL server (fsync on)
bench: install
	env -u DATABASE_URL $(BIN)/python bench/run.py $(BENCH)
	PG_DURABLE=1 ./scripts/with-postgres.sh $(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf var/test*.sqlite3* var/static
