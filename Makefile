# The two commands of a fresh machine: `make demo` and `make test` (Python >= 3.11 and pip are all they need).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SCALE ?= 2000
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: install demo test lint ui stop bench clean

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m orchestration.dbt_project
	touch $(INSTALLED)

install: $(INSTALLED)

## demo: start the embedded Postgres and the sandbox, migrate, materialize today's partition, print a summary
demo: install
	$(BIN)/outreach demo --scale $(SCALE)

## test: the whole suite (unit, integration against a real Postgres and the sandbox over HTTP, end to end)
test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

## ui: the Dagster UI on the same database
ui: install
	$(BIN)/outreach ui

## bench: every benchmark incl. the daily pipeline at 10k and 100k, figures in BENCHMARKS.md (BENCH_FULL=1 adds 1M)
bench: install
	$(BIN)/python bench/run_all.py

## stop: stop the background sandbox and the embedded Postgres
stop:
	@if [ -x $(BIN)/outreach ]; then $(BIN)/outreach down; fi

clean: stop
	rm -rf .outreach dbt_project/target dbt_project/logs
