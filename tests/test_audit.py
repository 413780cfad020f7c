"""scripts/audit.py: pip-audit's report read right, and "nothing could be audited" never passed off as clean."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from live_server import ROOT


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vulnerabilities_fail() -> None:
    report = {
        "dependencies": [
            {"name": "jinja2", "version": "2.0", "vulns": [{"id": "GHSA-x", "fix_versions": ["3.1.5"]}]},
            {"name": "httpx", "version": "0.28.1", "vulns": []},
        ]
    }
    code, message = _audit().summarise(report)
    assert code == 1 and "jinja2 2.0: GHSA-x (fixed in 3.1.5)" in message and "1 of 2" in message


def test_an_unreachable_database_is_reported_not_failed() -> None:
    skipped = {"name": "httpx", "skip_reason": "Dependency not found on PyPI and could not be audited: httpx (0.28.1)"}
    code, message = _audit().summarise({"dependencies": [skipped] * 3})
    assert code == 0 and message.startswith("pip-audit: NOT AUDITED") and "None of the 3" in message


def test_a_clean_audit() -> None:
    report = {"dependencies": [{"name": "httpx", "version": "0.28.1", "vulns": []}, {"name": "x", "skip_reason": "s"}]}
    assert _audit().summarise(report) == (
        0,
        "pip-audit: 1 packages audited, no known vulnerabilities; 1 skipped (not on PyPI, e.g. x)",
    )
