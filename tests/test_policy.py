"""Parsing: sections and sentences with offsets that map back to the file exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import POLICY

from bot.errors import CorpusError
from bot.policy import parse_text, read_policy, slugify, split_sentences

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "policyqa_dev" / "policies"


def test_corpus_is_the_received_policy_byte_for_byte() -> None:
    received = Path(__file__).resolve().parents[2] / "shared" / "corpus-source" / "000_a7463200583d7a57.txt"
    if not received.exists():
        pytest.skip("the received policy (../shared) is not beside this checkout")
    note, _, body = received.read_text(encoding="utf-8").partition("\n\n")
    text = POLICY.read_text(encoding="utf-8")
    assert text.endswith(body)
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    assert note.strip() in doc.metadata["provenance"]
    assert all("Wayback" not in s.text for s in doc.sentences), "the archive note must never be indexed"


def test_sections_follow_the_headings() -> None:
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    titles = [s.title for s in doc.sections]
    assert titles[0] == "Privacy Policy | Cloud Data Protection | SaaS Solutions from Infrascale"
    assert "Our Commitment to Children’s Privacy" in titles and titles[-1] == "Date"
    assert len(titles) == 22
    cookies = next(s for s in doc.sections if s.title == "Cookies")
    assert cookies.anchor == "cookies" and cookies.level == 2
    assert doc.text[cookies.start : cookies.end].startswith("## Cookies\n\nWe do use cookies")
    # the preamble (text before the first ##) belongs to the # heading's section
    assert doc.sentences[0].section == 0 and doc.sentences[0].text.startswith("This privacy policy describes")


def test_every_sentence_maps_back_to_the_file_exactly() -> None:
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    raw = POLICY.read_bytes().decode("utf-8")
    for s in doc.sentences:
        sec = doc.sections[s.section]
        assert raw[s.start : s.end] == s.text
        assert sec.body_start <= s.start < s.end <= sec.end
    starts = [s.start for s in doc.sentences]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_splitter_survives_abbreviations_and_lists() -> None:
    text = (
        "We follow U.S. law and Infrascale, Inc. is in CA (i.e. California). "
        "We collect: (a) names; (b) e-mails; and (c) IP addresses. Done here."
    )
    spans = split_sentences(text, 0, len(text))
    assert [text[s:e] for s, e in spans] == [
        "We follow U.S. law and Infrascale, Inc. is in CA (i.e. California).",
        "We collect: (a) names; (b) e-mails; and (c) IP addresses.",
        "Done here.",
    ]


def test_the_children_sentences_are_whole() -> None:
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    texts = [s.text for s in doc.sentences]
    under_13 = "The Company does not attempt to, or knowingly ask for or, collect information from any person under"
    assert f"{under_13} the age of 13." in texts
    assert "You must be over the age of 18 to use the Sites." in texts


def test_plain_text_policy_paragraphs_become_sections() -> None:
    text = "Privacy Statement\n\nWe collect your e-mail. We never sell it.\n\nCookies are used by us.\n"
    doc = parse_text(text, "p.txt", default_title="p")
    assert [s.title for s in doc.sections] == [
        "Privacy Statement",
        "We collect your e-mail. We never sell it.",
        "Cookies are used by us.",
    ]
    assert [s.text for s in doc.sentences] == [
        "Privacy Statement",
        "We collect your e-mail.",
        "We never sell it.",
        "Cookies are used by us.",
    ]


@pytest.mark.skipif(not SHARED.exists(), reason="the PolicyQA dev policies (../shared) are not beside this checkout")
def test_benchmark_policies_parse_with_exact_offsets() -> None:
    for path in sorted(SHARED.glob("*.txt"))[:6]:
        doc = read_policy(path)
        assert doc.sections and doc.sentences
        for s in doc.sentences:
            assert doc.text[s.start : s.end] == s.text


def test_bad_files_get_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(CorpusError, match="not UTF-8"):
        read_policy(tmp_path / "latin1.md")
    with pytest.raises(CorpusError, match="cannot read"):
        read_policy(tmp_path / "missing.md")
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    with pytest.raises(CorpusError, match="empty"):
        read_policy(tmp_path / "empty.md")


def test_slugs() -> None:
    assert slugify("Our Commitment to Children’s Privacy") == "our-commitment-to-childrens-privacy"
    assert slugify("EU Safe Harbor") == "eu-safe-harbor"


def test_a_list_item_after_a_full_stop_starts_at_its_enumerator() -> None:
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    assert not any(s.text[0] in ";,:" for s in doc.sentences)
    item = next(s for s in doc.sentences if "marketing purposes, such as your Sites activity" in s.text)
    assert item.text.startswith("(d) marketing purposes")
    assert doc.text[item.start : item.end] == item.text


def test_a_sentence_cut_after_an_abbreviation_goes_on_in_lower_case() -> None:
    doc = read_policy(POLICY, "corpus/infrascale-privacy-policy.md")
    first = doc.sentences[0]
    assert first.text.startswith("This privacy policy describes the privacy practices")
    assert "software products, online services and apps" in first.text  # not cut after "Infrascale, Inc."
    assert not any(s.text.startswith("*") or s.text[0].islower() for s in doc.sentences)


def test_a_control_separator_before_a_numbered_item_is_parsed_not_a_crash() -> None:
    """pysbd reads U+001C..U+001F as spaces and then fails on them (a pasted or exported policy can carry one)."""
    text = "# Terms\n\nWe keep two things:\x1f1. your name. Then\x1e2) your email.\n\nWe never sell them.\n"
    doc = parse_text(text, "separators.md")
    for sentence in doc.sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    assert "We never sell them." in [s.text for s in doc.sentences]
