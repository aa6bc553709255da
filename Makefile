# Two entry points for a fresh machine with only Python and make:
#   make demo   create the environment and open corodash on its built-in demo
#   make test   create the environment and run every test (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench screenshots clean

$(STAMP): pyproject.toml hatch_build.py $(wildcard src/corodash/agent/*.[ch])
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# bytecode now: with PYTHONDONTWRITEBYTECODE set, every run would compile corodash
	# afresh (a third of the agent's start-up)
	$(BIN)/python -m compileall -q src/corodash
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/corodash

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks screenshots hatch_build.py
	$(BIN)/ruff format --check src tests benchmarks screenshots hatch_build.py
	$(BIN)/python -m pytest -q

screenshots: $(STAMP)
	$(BIN)/python screenshots/generate.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/whole_process.py
	$(BIN)/python benchmarks/stalls.py
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/ui.py
	$(BIN)/python benchmarks/history.py
	$(BIN)/python benchmarks/attach.py
	$(BIN)/python benchmarks/instructions.py

clean:
	rm -rf $(VENV) .venv-* .pytest_cache .ruff_cache src/corodash/agent/*.so
