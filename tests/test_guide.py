"""The guide: the framework map from the parse, starter questions that are never refused, and
follow-ups from the sections next to an answer's."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # real index and embeddings


@pytest.fixture(scope="module")
def extractive(real_index):
    from assistant.answering.chain import Assistant

    return Assistant(real_index.settings, backend="extractive", index=real_index)


@pytest.fixture(scope="module")
def builder(extractive):
    from assistant.research.guide import GuideBuilder

    return GuideBuilder(extractive)


def test_the_map_has_the_three_parts_and_seven_aspects(builder, real_index):
    g = builder.guide()
    doc = real_index.doc
    parts = [n for n in g.nodes if n.section_id in ("2", "3", "4")]
    aspects = [c for n in parts for c in (n.children or [n])]
    assert len(parts) == 3 and len(aspects) == 7
    for n in g.flat():
        cited = {r for s in doc.sections if s.within(n.section_id) for p in s.paragraphs for r in p.refs}
        assert n.refs == sorted(cited)  # exactly the references cited in that part
        assert n.key and all(
            u.passage_id in {p.id for s in doc.sections if s.within(n.section_id) for p in s.paragraphs} for u in n.key
        )
    assert g.findings["zh"] and g.findings["en"] and g.findings["en"][0].text.startswith("Abstract")


def test_every_starter_offered_is_answered_not_refused(builder, extractive):
    g = builder.guide()
    for lang in ("zh", "en"):
        starters = g.starters(lang)
        assert len(starters) >= 7
        for q in starters:
            r = extractive.ask(q)
            assert not r.refused and r.citations, q


def test_a_starter_the_review_cannot_answer_is_not_offered(builder, monkeypatch):
    """The check is real: a gate that refuses everything leaves no starter."""
    from assistant.research.guide import GuideBuilder

    monkeypatch.setattr(builder.a, "not_covered", lambda hits, queries: True)
    assert GuideBuilder(builder.a).guide().starters("zh") == []


def test_follow_ups_come_from_the_neighbouring_sections(builder):
    q = "人工智能如何影响区域产业集群?"
    ups = builder.follow_ups(q, "zh")
    assert 2 <= len(ups) <= 3 and q not in ups
    assert ups[0] in ("人工智能如何影响区域产业布局?", "人工智能如何影响区域产业协调发展?")  # a sibling of 3.2
    assert all(u in builder.guide().starters("zh") for u in ups)
    assert all(u.isascii() for u in builder.follow_ups(q, "en"))


def test_the_guide_html_opens_each_node(builder, real_index):
    from assistant.ui.guide import guide_html

    html = guide_html(builder.guide(), real_index.doc, "en")
    assert html.count("<details") == len(builder.guide().flat())
    assert 'id="guide-3.2"' in html and "Main findings" in html and "AI and regional industrial clusters" in html
