"""The Content-Security-Policies of our pages and the hardening headers every response carries."""

from __future__ import annotations

import base64
import hashlib
import re

# Our own pages load nothing but our own files; the demo page also runs /widget.js and calls /api.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
DEMO_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Swagger UI comes from its CDN; its one inline script is allowed by hash (``docs_csp``), nothing else inline.
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net {scripts}; style-src https://cdn.jsdelivr.net "
    "'unsafe-inline'; img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# The agent console (Gradio) under /agent.
CONSOLE_CSP = "frame-ancestors 'none'"
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# The widget's files are loaded by other sites' pages (script and stylesheet, not frames).
ASSET_HEADERS = {"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"}


def docs_csp(html: str) -> str:
    """DOCS_CSP allowing exactly the inline scripts of ``html`` (by their SHA-256)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, re.S)
    ]
    return DOCS_CSP.format(scripts=" ".join(hashes))
