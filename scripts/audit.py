"""Audit the installed packages for known vulnerabilities with pip-audit; say plainly when nothing could be checked.

Exit 1 when pip-audit reports a vulnerability; exit 0 otherwise, including when the advisory database cannot
be reached (no network, or a package mirror that does not serve PyPI's JSON API): then every package is
skipped, and this says so instead of pip-audit's "No known vulnerabilities found", which would be misleading.

    .venv/bin/python scripts/audit.py            # what `make audit` runs
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

TIMEOUT = 600


def summarise(report: dict[str, Any]) -> tuple[int, str]:
    """(exit code, message) for pip-audit's JSON report (``pip-audit -f json``). A pure function."""
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    if vulnerable:
        lines = [
            f"  {d['name']} {d['version']}: "
            + ", ".join(f"{v['id']} (fixed in {', '.join(v.get('fix_versions') or ['-'])})" for v in d["vulns"])
            for d in vulnerable
        ]
        return 1, f"pip-audit: {len(vulnerable)} of {len(audited)} audited packages have known vulnerabilities:\n" + (
            "\n".join(lines)
        )
    if not audited:
        return 0, (
            f"pip-audit: NOT AUDITED. None of the {len(deps)} installed packages could be checked "
            "(the advisory database is unreachable from this machine: "
            f"{skipped[0]['skip_reason'] if skipped else 'no packages listed'}). "
            "This is not a clean result; run `make audit` where PyPI's JSON API or OSV is reachable."
        )
    note = f"; {len(skipped)} skipped (not on PyPI, e.g. {skipped[0]['name']})" if skipped else ""
    return 0, f"pip-audit: {len(audited)} packages audited, no known vulnerabilities{note}"


def main() -> int:
    cmd = [sys.executable, "-m", "pip_audit", "--local", "--format", "json", "--progress-spinner", "off"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except FileNotFoundError:
        print("pip-audit: not installed (pip install pip-audit)", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired:
        print(f"pip-audit: NOT AUDITED. No answer from the advisory database in {TIMEOUT} s.")
        return 0
    try:
        report = json.loads(done.stdout)
    except ValueError:
        if "No module named pip_audit" in done.stderr:
            print("pip-audit: not installed (pip install pip-audit)", file=sys.stderr)
            return 1
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: NOT AUDITED. It could not reach the advisory database: {last}")
        return 0
    code, message = summarise(report)
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
