# capdecl developer entry points. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit demo bench schema golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check capdecl tests bench examples
	$(BIN)/ruff format --check capdecl tests bench examples

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

demo: $(STAMP)
	bash examples/demo.sh $(BIN)/capdecl

bench: $(STAMP)
	$(BIN)/python bench/run.py

schema: $(STAMP)
	$(BIN)/capdecl schema > schemas/manifest.schema.json
	$(BIN)/python -m capdecl.render.jsonplan --schema > schemas/plan.schema.json

golden: $(STAMP)
	CAPDECL_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests

clean:
	rm -rf $(VENV) .venv-sdk .mypy_cache .ruff_cache .pytest_cache
