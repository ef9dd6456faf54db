# capdecl developer entry points. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The official SensiML SDK lives in its own venv (it needs numpy<2); the sandbox
# conformance test runs scripts under it.
SDK_VENV ?= .venv-sdk
SDK_STAMP := $(SDK_VENV)/.installed

.PHONY: test lint typecheck unit planner-coverage demo bench schema golden clean sdk-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP) lint typecheck unit planner-coverage

lint: $(STAMP)
	$(BIN)/ruff check capdecl tests bench examples
	$(BIN)/ruff format --check capdecl tests bench examples

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(SDK_STAMP)
	$(BIN)/pytest

# The planner is pure and fully specified by its unit tests: keep every branch covered.
planner-coverage: $(STAMP)
	$(BIN)/coverage run --source=capdecl/planner -m pytest -q -p no:cacheprovider tests/planner
	$(BIN)/coverage report --fail-under=100 --skip-covered --show-missing

sdk-venv: $(SDK_STAMP)

$(SDK_STAMP):
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --quiet sensiml==2024.2.0 'numpy<2' six scipy
	touch $(SDK_STAMP)

demo: $(STAMP)
	bash examples/demo.sh $(BIN)/capdecl

# Every performance target, measured against baselines in the same run (W2 runs the
# official SDK, hence the SDK venv); prints the table and writes bench/results.md.
bench: $(STAMP) $(SDK_STAMP)
	$(BIN)/python bench/run.py

schema: $(STAMP)
	$(BIN)/capdecl schema > schemas/manifest.schema.json
	$(BIN)/python -m capdecl.render.jsonplan --schema > schemas/plan.schema.json

golden: $(STAMP)
	CAPDECL_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests

clean:
	rm -rf $(VENV) .venv-sdk .mypy_cache .ruff_cache .pytest_cache
