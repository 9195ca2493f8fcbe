# Two commands on a fresh machine (Python 3.11+, git, make):
#   make serve   install, then serve the learning log from incidents/ at http://127.0.0.1:8000
#   make test    install, then run the whole test suite
# (make build writes the static site to site/; make bench prints the benchmarks)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install serve build check test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[site,test]'
	touch $(STAMP)

install: $(STAMP)

check: install
	$(BIN)/nearmiss check --strict

serve: install
	$(BIN)/mkdocs serve

build: install
	$(BIN)/mkdocs build

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check nearmiss
	$(BIN)/mypy nearmiss

bench: install
	$(BIN)/python benchmarks/bench_check.py

clean:
	rm -rf $(VENV) site .pytest_cache .hypothesis
