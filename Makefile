# dolisync developer commands. Every target sets itself up: a fresh clone needs only python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help install test lint typecheck pytest bench demo test-live clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install dolisync with its test tools

lint: $(STAMP)  ## ruff (lint and format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)  ## mypy --strict
	$(BIN)/mypy

pytest: $(STAMP)  ## the test suite only
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest  ## everything CI runs: lint, type check, tests

bench: $(STAMP)  ## benchmarks; results in benchmarks/results/
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

demo: $(STAMP)  ## run dolisync against the bundled Dolibarr simulator
	$(BIN)/python -m dolisync.demo

test-live: $(STAMP)  ## the live suite against a real Dolibarr (DOLISYNC_LIVE_URL, DOLISYNC_LIVE_API_KEY)
	$(BIN)/python -m pytest tests/live -m live $(PYTEST_ARGS)

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
