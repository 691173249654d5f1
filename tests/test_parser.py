"""The document model: front matter, sections, repaired paragraphs, references, English part."""

from __future__ import annotations

import pytest

from assistant.corpus.parser import parse
from assistant.errors import CorpusError


def test_front_matter(doc):
    assert doc.title == "人工智能与区域经济：研究进展、启示与展望"
    assert doc.authors == ["耿子恒", "沈体雁", "肖金成"]
    assert doc.keywords == ["人工智能", "区域经济", "区域协调发展", "区域治理", "区域创新"]
    assert doc.metadata["clc"] == "F061.5"
    assert doc.metadata["article_number"] == "2095-5766(2026)02-0150-11"
    assert doc.metadata["received"] == "2026-01-20"
    assert "72471082" in doc.funding.text and not doc.funding.text.startswith("*")
    assert len(doc.author_notes) == 3 and "访问学者" in doc.author_notes[0].text
    assert doc.abstract.text.startswith("摘要") and doc.abstract.lang == "zh"
    assert doc.metadata["editor"] == "文 锐" and doc.by_id()["front.editor"].kind == "front"


def test_sections_and_subsections(doc):
    tops = [s.title for s in doc.sections if s.level == 1]
    assert tops == [
        "一、引言",
        "二、人工智能与区域要素集聚",
        "三、人工智能与区域产业发展",
        "四、人工智能与区域经济发展",
        "五、研究评述、启示与展望",
    ]
    subs = {s.id: s.title for s in doc.sections if s.level == 2}
    assert subs["3.2"] == "2.人工智能与区域产业集群"
    assert subs["4.1"].endswith("人工智能与区域经济增长动力")
    assert subs["5.3"].endswith("研究展望")
    assert doc.section("4.3").path.startswith("四、人工智能与区域经济发展 > ")


def test_page_break_paragraphs_are_repaired(doc):
    body = {p.id: p for p in doc.body}
    # no paragraph starts with the tail of a split citation or a lower-case continuation
    assert not any(p.text.startswith(("2025)", "等, 2025", "ChenYiping")) for p in doc.body)
    joined = [p for p in doc.body if len(p.pieces) > 1]
    assert len(joined) == 14
    assert "李超等,2025),从而进一步强化" in body["s2.p1"].text
    assert "(吴建南等, 2025)" in body["s4.2.p2"].text
    # every paragraph ends a sentence
    assert all(p.text.endswith(("。", "”", ")", "）")) for p in doc.body)


def test_offsets_point_at_the_source(doc):
    for p in doc.passages():
        assert "".join(doc.source[a:b] for a, b in p.pieces) == p.text, p.id
        for i in (0, len(p.text) // 2, len(p.text) - 1):
            assert doc.source[p.source_offset(i)] == p.text[i]


def test_references(doc):
    assert [r.n for r in doc.references] == list(range(1, 79))
    r32 = doc.reference(32)
    assert r32.entry == "孙早,侯玉琳.工业智能化与产业梯度转移:对“雁阵理论”的再检验[J].世界经济,2021,44(7)."
    assert doc.reference(71).entry.startswith("吕鲲,管天宁,李北伟.绿色金融、数智赋能对区域创新生态系统韧性")
    assert not any(r.entry.startswith("- ") for r in doc.references)
    assert doc.reference(12).authors == ["罗伯塔·卡佩罗"] and doc.reference(12).translators == ["安虎森"]
    assert doc.reference(5).authors[0] == "CHEN Y" and doc.reference(5).year == 2021
    assert doc.reference(49).year == 2022  # a year inside the title must not confuse the parser


def test_english_part_and_note(doc):
    assert doc.title_en.startswith("Artificial Intelligence and Regional Economy")
    assert doc.authors_en == ["Geng Ziheng", "Shen Tiyan", "Xiao Jincheng"]
    assert doc.abstract_en.lang == "en" and doc.abstract_en.text.startswith("Abstract:")
    assert "Regional Governance" in doc.keywords_en
    assert len(doc.notes) == 1 and doc.notes[0].text.startswith("①")


def test_ids_are_unique_and_stable(doc):
    ids = [p.id for p in doc.passages()]
    assert len(ids) == len(set(ids))
    assert "s3.1.p1" in ids and "ref.78" in ids and "abstract.en" in ids


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda t: t.replace("[40]", "[41]", 1), "1..N"),
        (lambda t: t.replace("参考文献", "参考", 1), "reference list"),
        (lambda t: "", "empty"),
    ],
)
def test_bad_corpus_fails_loudly(doc, mutate, needle):
    with pytest.raises(CorpusError) as e:
        parse(mutate(doc.source))
    assert needle in e.value.en
