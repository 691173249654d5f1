"""Glossary logic without any model: reading a small model's term list, and putting near-miss
English renderings of the review's terms in the glossary's form (fast)."""

from __future__ import annotations

from assistant.retrieval.translate import Glossary, parse_glossary_lines

PAIRS = {
    "技术密集度": "technology intensity; technological intensity",
    "区域创新": "regional innovation",
    "产业集聚": "industrial agglomeration",
    "区域发展": "regional development",
}
EVIDENCE = "这种作用在经济发展水平较高、技术密集度较大的地区更加显著,促进区域创新和产业集聚。"


def test_a_one_term_glossary_reply_without_its_number_is_read():
    """Asked for one term, a small model answers "cluster" rather than "1. cluster"."""

    assert parse_glossary_lines("agglomeration", ["集聚"]) == {"集聚": "agglomeration"}
    assert parse_glossary_lines("1. agglomeration", ["集聚"]) == {"集聚": "agglomeration"}
    assert parse_glossary_lines("集聚", ["集聚"]) == {}  # not English: refused
    assert parse_glossary_lines("agglomeration\nclusters", ["集聚", "产业"]) == {}  # two terms need numbers


def test_a_near_miss_rendering_of_an_evidence_term_takes_the_glossary_form():
    g = Glossary(PAIRS)
    assert g.snap("It is stronger where technology density is higher [3].", EVIDENCE) == (
        "It is stronger where technology intensity is higher [3]."
    )
    assert g.snap("Technology density matters.", EVIDENCE) == "Technology intensity matters."


def test_snapping_leaves_correct_renderings_other_terms_and_unlike_words_alone():
    g = Glossary(PAIRS)
    for kept in [
        "It raises technological intensity.",  # a listed rendering
        "AI promotes regional development.",  # another glossary term, though 区域创新 is in the evidence
        "AI promotes industrial clustering.",  # a different word, not a misspelling
        "Digital density rises.",  # shares no word with the term
    ]:
        assert g.snap(kept, EVIDENCE) == kept
    # a term the evidence does not hold is never forced in
    assert g.snap("Technology density matters.", "人工智能促进区域创新。") == "Technology density matters."


def test_terms_learnt_after_the_glossary_was_built_are_snapped_too():
    """The assistant adds renderings for Chinese words the glossary lacked to the same pairs dict."""
    pairs = dict(PAIRS)
    g = Glossary(pairs)
    pairs["难题"] = "difficult problem"
    assert g.snap("It is a difficult problem.", "这是一个难题。") == "It is a difficult problem."
    assert g.snap("It is a difficult problems.", "这是一个难题。") == "It is a difficult problems."
    assert g.snap("It is a diffcult problem.", "这是一个难题。") == "It is a difficult problem."
