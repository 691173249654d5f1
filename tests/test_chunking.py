"""Chunk invariants: offsets point at the text, budgets hold, references and languages are kept."""

from __future__ import annotations

from assistant.indexing.chunking import chunk_document
from assistant.indexing.tokens import count_tokens, encoding
from assistant.settings import Settings
from assistant.text import sentences


def test_tiktoken_works_offline():
    enc = encoding("cl100k_base")
    assert enc.decode(enc.encode("人工智能 regional economy")) == "人工智能 regional economy"
    assert count_tokens("hello world") == 2


def test_chunks_point_at_source(doc):
    chunks = chunk_document(doc, Settings())
    byid = doc.by_id()
    for c in chunks:
        p = byid[c.passage_id]
        assert p.text[c.para_start : c.para_end] == c.text
        # the source span holds the chunk text, plus only a page break when it was repaired
        src = doc.source[c.start : c.end]
        assert src.replace("\n\n- ", "").replace("\n\n", "") == c.text, c.id
        assert c.lang == p.lang and c.section == p.section


def test_budget_and_coverage(doc):
    s = Settings(chunk_tokens=120)
    chunks = chunk_document(doc, s)
    byp: dict[str, list] = {}
    for c in chunks:
        byp.setdefault(c.passage_id, []).append(c)
    for pid, cs in byp.items():
        if len(cs) > 1:
            for c in cs:  # a window exceeds the budget only when one sentence alone does
                assert count_tokens(c.text) <= 120 or len(sentences(c.text)) == 1
            covered = set()
            for c in cs:
                covered.update(range(c.para_start, c.para_end))
            assert covered == set(range(len(doc.by_id()[pid].text))), pid
    assert len(chunk_document(doc, s)) > len(chunk_document(doc, Settings(chunk_tokens=2000)))


def test_kinds_languages_and_refs(doc):
    chunks = chunk_document(doc, Settings())
    kinds = {c.kind for c in chunks}
    assert kinds == {"paragraph", "abstract", "reference", "front", "note"}
    assert sum(c.kind == "reference" for c in chunks) == 78
    assert any(c.lang == "en" and c.kind == "abstract" for c in chunks)
    assert any("访问学者" in c.text for c in chunks if c.kind == "front")
    for c in chunks:
        if c.kind == "reference":
            assert c.refs == (int(c.passage_id.split(".")[1]),)
    # a chunk's refs are only those cited inside it
    p = doc.by_id()["s4.2.p2"]
    for c in [c for c in chunks if c.passage_id == p.id]:
        inside = {n for cit in p.citations if cit.start >= c.para_start and cit.end <= c.para_end for n in cit.refs}
        assert set(c.refs) == inside
