"""Chunks are sentence windows inside one section that map back to the file exactly."""

from __future__ import annotations

import pytest
from conftest import POLICY

from bot.chunking import ChunkParams, chunk_document
from bot.policy import read_policy


@pytest.mark.parametrize("params", [ChunkParams(1, 0), ChunkParams(3, 1), ChunkParams(5, 2, 600)])
def test_chunks_stay_in_their_section_and_cover_every_sentence(params: ChunkParams) -> None:
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    chunks = chunk_document(doc, params)
    covered = set()
    for chunk in chunks:
        section = doc.sections[chunk.section]
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert section.body_start <= chunk.start < chunk.end <= section.end
        assert all(doc.sentences[i].section == chunk.section for i in chunk.sentence_ids)
        assert len(chunk.sentence_ids) <= params.sentences
        covered.update(chunk.sentence_ids)
    assert covered == set(range(len(doc.sentences)))
    assert [c.id for c in chunks] == list(range(len(chunks)))


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        ChunkParams(2, 2)
    with pytest.raises(ValueError, match="at least one"):
        ChunkParams(0, 0)
