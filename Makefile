# rd_methods — common tasks. `make` alone lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := rd-methods

.DEFAULT_GOAL := help
.PHONY: help setup report test lab lint bench clean

help: ## List the targets
	@echo "rd_methods — targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test,dask]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (rd_methods)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv, install the package, its dependencies and the Jupyter kernel

report: $(STAMP) ## Validate and run the demo campaigns, publish the site in reports/
	$(BIN)/rd-methods run demo-2024 demo-2025

test: $(STAMP) ## Run the whole test suite (what CI runs)
	$(BIN)/python -m pytest

lab: $(STAMP) ## Open JupyterLab with the rd_methods kernel
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP) ## Check code and notebooks with ruff
	$(BIN)/ruff check src tests benchmarks notebooks

bench: $(STAMP) ## Run the benchmark suite, write benchmarks/RESULTS.md (make bench BENCH=--quick: a few minutes)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run_all.py $(BENCH)

clean: ## Remove generated outputs (data/processed, reports) and caches
	find data/processed reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
