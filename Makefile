# Recoque — the two set-up commands of the README, and a few helpers.
#   make run    install (virtual environment, pinned packages) and serve the platform
#   make test   install (plus test tools and a browser) and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test bench docs lock clean

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/python -m pip install --quiet -r requirements-test.lock
	touch $@

run: $(VENV)/.installed
	$(BIN)/recoque up

test: $(VENV)/.installed-test
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-bench.lock
	$(BIN)/python bench/bench_territory.py
	$(BIN)/python bench/bench_population.py
	$(BIN)/python bench/bench_journal.py
	$(BIN)/python bench/bench_rights.py
	$(BIN)/python bench/bench_heat.py
	$(BIN)/python bench/bench_flood.py
	$(BIN)/python bench/bench_twin_heat.py
	$(BIN)/python bench/bench_flood_realism.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/readme.py --write

docs: $(VENV)/.installed
	$(BIN)/typer recoque.cli utils docs --name recoque --title "Recoque command line" --output docs/cli.md
	$(BIN)/recoque population schema > docs/population-schema.md

lock:
	rm -rf /tmp/recoque-lock && $(PYTHON) -m venv /tmp/recoque-lock
	/tmp/recoque-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/recoque-lock/bin/python -m pip install --quiet ".[test]"
	@echo "review, then split into requirements.lock / requirements-test.lock:"
	/tmp/recoque-lock/bin/python -m pip freeze --exclude recoque
	@echo "and requirements-bench.lock from a clean install of .[bench]"

clean:
	rm -rf $(VENV) var test-artifacts
