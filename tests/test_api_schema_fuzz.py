"""Schemathesis against the live server's own OpenAPI spec: generated requests for every operation, zero 5xx.

Bounded: ``MAX_EXAMPLES`` per operation (positive and negative cases both), no shrinking past that budget.
The server runs with a high rate limit, so every generated request reaches the app.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from live_server import LiveServer, build_index
from reliability_support import record
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

MAX_EXAMPLES = 50
STATUSES: Counter[int] = Counter()
LABELS: Counter[str] = Counter()
FAILURES: list[str] = []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = LiveServer(tmp_path_factory.mktemp("schema-fuzz"), build_index(tmp_path_factory), rate_limit="100000/minute")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def operations(server: LiveServer) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", timeout=30)
    operations, invalid = [], []
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operations.append(result.ok())
        else:
            invalid.append(str(result.err()))
    assert not invalid, f"the app's OpenAPI spec has invalid operations: {invalid}"
    return operations


# schemathesis' own pytest integration (``schema.parametrize``) does not run under pytest 9 yet
# (it reads ``Function._nodeid``), so each operation's strategy is driven by hypothesis here directly.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_get_a_server_error(operations: list[Any], mode: GenerationMode) -> None:
    assert {op.label for op in operations} >= {"POST /api/ask", "POST /api/feedback", "GET /api/health", "GET /policy"}
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
            continue  # nothing to send wrong

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            response = case.call(timeout=60)
            STATUSES[response.status_code] += 1
            LABELS[case.operation.label] += 1
            if response.status_code >= 500:
                FAILURES.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.body!r:.300} -> {response.status_code}: {response.text}"
            )
            content_type = (response.headers.get("content-type") or [""])[0]  # schemathesis keeps header lists
            if response.status_code >= 400 and content_type.startswith("application/json"):
                assert response.json().get("detail"), f"a {response.status_code} without a detail: {response.text}"

        run()


def _has_inputs(operation: Any) -> bool:
    return bool(operation.body) or any(True for _ in operation.iter_parameters())


def test_schema_fuzz_figures(server: LiveServer) -> None:
    """Runs after the generated tests (file order): the server still answers, and the counts are recorded."""
    assert server.process is not None and server.process.poll() is None
    requests = sum(STATUSES.values())
    record(
        "schemathesis",
        requests=requests,
        max_examples_per_operation=MAX_EXAMPLES,
        status_codes={str(k): v for k, v in sorted(STATUSES.items())},
        requests_per_operation=dict(sorted(LABELS.items())),
        server_errors=len(FAILURES),
    )
    assert requests > 0 and not FAILURES
