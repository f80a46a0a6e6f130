# Set-up is part of each target: a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench clean

# How the first run shows the install (scripts/pip_progress.py): `make demo` a line per package,
# other targets only a line before and after; pip's whole output appears if it fails.
INSTALL_PROGRESS ?= quiet

$(STAMP): pyproject.toml
	@echo "Installing smokejumper and its dependencies into $(VENV) (first run only, about a minute)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python scripts/pip_progress.py $(INSTALL_PROGRESS) -e '.[dev]'
	touch $(STAMP)

demo: INSTALL_PROGRESS = packages
demo: $(STAMP)
	$(BIN)/smokejumper demo $(DEMO_ARGS)

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2

# The inner loop: every test but those marked slow, on two workers (pytest-xdist). `make test`
# runs everything, as CI does, also on two workers (about half the time of a serial run on two
# cores; every test makes its own databases, ports and folders, so none share anything).
test-fast: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -m "not slow" -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# The peers (Evidently, whylogs) need pandas < 3, so they live in a venv of their own.
bench: $(STAMP)
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -e '.[bench]'
	.venv-bench/bin/python benchmarks/drift_vs_peers.py

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache .mypy_cache .ruff_cache
