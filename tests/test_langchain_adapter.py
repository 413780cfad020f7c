"""The retriever works as a real LangChain retriever (invoke, batch) over the real index."""

from __future__ import annotations

from langchain_core.retrievers import BaseRetriever

from bot.langchain_adapter import PolicyRetriever
from bot.pipeline import PolicyBot


def test_invoke_returns_verbatim_chunks_with_offsets(bot: PolicyBot) -> None:
    retriever = PolicyRetriever(bot=bot, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("How can I disable cookies?")
    assert len(docs) == 3
    assert docs[0].metadata["section"] == "Cookies"
    text = bot.index.document(docs[0].metadata["source"]).text
    for doc in docs:
        assert text[doc.metadata["start"] : doc.metadata["end"]] == doc.page_content
    assert {"dense", "lexical", "fused", "rerank", "anchor"} <= set(docs[0].metadata)


def test_batch(bot: PolicyBot) -> None:
    results = PolicyRetriever(bot=bot, k=2).batch(["Do you use cookies?", "Could I take legal action against you?"])
    assert [r[0].metadata["section"] for r in results] == ["Cookies", "Dispute Resolution"]
