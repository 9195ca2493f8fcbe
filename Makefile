# Two commands on a fresh machine (Python 3.11+, git, make):
#   make serve   install, then serve the learning log from incidents/ at http://127.0.0.1:8000
#   make test    install the locked versions, then run the whole test suite
# Also: make build (the static site in site/), make bench, make lint,
#   make test-latest / make test-minimum (the newest / the lowest versions pyproject allows),
#   make lock (refresh requirements/lock.txt on purpose).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt
PYTEST_ARGS ?=

.PHONY: install serve build check test test-latest test-minimum lock lint bench clean

# The exact versions and hashes of the lock, then nearmiss itself (editable, built by the
# locked setuptools): a fresh machine tests what CI tested.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

check: install
	$(BIN)/nearmiss check --strict

serve: install
	$(BIN)/mkdocs serve --dirty

build: install
	$(BIN)/mkdocs build

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite against the newest, then the lowest, versions the declared ranges allow
# (uv's default resolution, and --resolution lowest-direct), each in a venv of its own.
test-latest: install
	bash .ci/resolve-and-test .venv-latest highest $(PYTEST_ARGS)

test-minimum: install
	bash .ci/resolve-and-test .venv-minimum lowest-direct $(PYTEST_ARGS)

# Refresh the lock on purpose: newest allowed versions, hashes for every platform.
lock: install
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
	  --generate-hashes --upgrade --quiet --output-file $(LOCK)

lint: install
	$(BIN)/ruff check nearmiss tests benchmarks
	$(BIN)/mypy nearmiss

# Figures next to their baselines from the same run (not part of CI: well over an hour
# at the default sizes); e.g. make bench BENCH_SIZES=1000 for a quick look.
BENCH_SIZES ?= 1000 10000 30000
bench: install
	$(BIN)/python benchmarks/bench_check.py $(BENCH_SIZES)
	$(BIN)/python benchmarks/bench_site.py --pagefind $(BENCH_SIZES)
	$(BIN)/python benchmarks/bench_search.py $(BENCH_SIZES)
	$(BIN)/python benchmarks/bench_serve.py --pagefind $(BENCH_SIZES)

clean:
	rm -rf $(VENV) .venv-latest .venv-minimum site .pytest_cache .hypothesis
