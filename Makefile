# The 287(g) atlas. `make help` lists the targets; the two that matter are `reproduce` and `test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

## Create .venv from the pinned lock (re-run when the lock or pyproject changes)
env: $(INSTALLED)

$(INSTALLED): requirements-lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required (set PYTHON=/path/to/python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (287g atlas)" >/dev/null
	$(BIN)/python -m analysis.report.vega_bundle
	touch $@

## Fetch and verify every raw file into data/raw (uses ANALYSIS_MIRROR when set)
data: env
	$(BIN)/analysis fetch

## Reproduce everything: fetch, build the processed tables, execute notebooks, render reports
reproduce: data
	$(BIN)/analysis build
	$(BIN)/analysis run

## Re-execute every notebook even if nothing changed
reports-force: env
	$(BIN)/analysis run --force

## Run the test suite (integration tests use ANALYSIS_MIRROR or the fetched data/raw)
test: env
	$(BIN)/python -m pytest

## Lint and format check with ruff (notebooks included)
lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Reformat code and notebooks with ruff
format: env
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Open JupyterLab on the notebooks with the project's kernel (also as root, as in containers)
# JUPYTER_PATH puts the venv's kernelspec first, so "python3" is the project's kernel even when
# a user-level one exists; the BLAS/OpenMP thread counts are those of `analysis run`'s kernels
# (analysis.runner.execute), so interactive results carry the same bits as the reports.
LAB_AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: env
	JUPYTER_PATH=$(abspath $(VENV))/share/jupyter \
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/jupyter lab --notebook-dir=notebooks --MappingKernelManager.default_kernel_name=python3 \
		$(LAB_AS_ROOT) $(LAB_ARGS)

## Browse every processed table with Datasette on http://127.0.0.1:8001/atlas (EXPLORE_ARGS="--port N")
explore: env
	$(BIN)/analysis explore $(EXPLORE_ARGS)

.PHONY: explore

## Delete derived outputs (data/processed, reports); never touches data/raw
clean:
	find data/processed -mindepth 1 ! -name .gitkeep -delete
	find reports -mindepth 1 ! -name .gitkeep ! -name README.md -delete

## List the targets
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$0,t,":"); printf "  %-10s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

.PHONY: env data reproduce reports-force test lint format lab clean help
