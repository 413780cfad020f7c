"""LangChain interop: PolicyBot's hybrid retriever as a langchain-core ``BaseRetriever``.

The core stays plain functions and dataclasses; this is the only module (with the optional LLM phraser)
that imports LangChain. Drop it into any LangChain app::

    retriever = PolicyRetriever(bot=PolicyBot(Settings()), k=4)
    docs = retriever.invoke("Do you sell my data?")
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from .answer import hit_to_dict
from .pipeline import PolicyBot


class PolicyRetriever(BaseRetriever):
    """Dense (FAISS) + lexical (BM25) retrieval fused by RRF and reranked by a cross-encoder.

    Each Document's ``page_content`` is the chunk text, verbatim; ``metadata`` carries the source file,
    section title and anchor, the character offsets into the source and every score.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    bot: Any = Field(description="A PolicyBot; warmed up on first use.")
    k: int = Field(default=4, ge=1)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        policy_bot: PolicyBot = self.bot
        hits = policy_bot.retrieve(query, top_k=self.k)
        docs = []
        for hit in hits:
            metadata = hit_to_dict(hit)
            text = str(metadata.pop("text"))
            docs.append(Document(page_content=text, metadata=metadata))
        return docs
