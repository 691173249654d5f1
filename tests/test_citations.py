"""Citation finding and linking, including typos, translators and ambiguity."""

from __future__ import annotations

import json

from assistant.corpus.citations import find_citations, resolve_text

from .helpers import DATA


def test_dev_citelinks_resolve_exactly(doc):
    rows = [json.loads(line) for line in (DATA / "dev_citelinks.jsonl").read_text().splitlines() if line.strip()]
    assert rows
    for r in rows:
        assert resolve_text(r["cite"], doc) == sorted(r["gold"]), r["cite"]


def test_everything_links(doc):
    cites = [c for p in doc.passages() for c in p.citations]
    assert len(cites) >= 85
    assert doc.unresolved == []
    assert all(c.refs for c in cites)


def test_forms_found_in_one_parenthesis():
    text = "见(Porter M E, 1998;ChenYiping, et al., 2021; 蔡翠红等, 2025)与(甄峰和李智轩, 2023)。"
    found = find_citations(text)
    assert [c.author for c in found] == ["Porter M E", "ChenYiping", "蔡翠红", "甄峰和李智轩"]
    assert [c.year for c in found] == [1998, 2021, 2025, 2023]
    assert [c.et_al for c in found] == [False, True, True, False]
    for c in found:
        assert text[c.start : c.end].replace(" ", "") == c.text.replace(" ", "")


def test_non_citations_are_ignored():
    assert find_citations("访问学者(2025—2026)(北京 100871),项目(ZD202410)") == []


def test_western_forms(doc):
    assert resolve_text("Doloreux D et al., 2021", doc) == [1]
    assert resolve_text("Yu Z et al., 2021", doc) == [2]
    assert resolve_text("Kikuchi T, 2025", doc) == [4]
    assert resolve_text("ChenYiping, et al., 2021", doc) == [5]
    assert resolve_text("Porter M E, 1998", doc) == [6]


def test_typo_translator_and_ambiguous(doc):
    assert resolve_text("吴学花等,2009", doc) == [21]  # 吴雪花 in the list
    assert resolve_text("金碚,2023", doc) == [76]  # 金磊 in the list
    assert resolve_text("安虎森等,2022", doc) == [12]  # the translator of [12]
    assert resolve_text("安虎森,2018", doc) == [22]  # his own book
    assert resolve_text("张龙辉等, 2020", doc) == [56, 57]  # two 2020 papers: both, never a guess
    assert resolve_text("吕鲲等,2024", doc) == [71, 72]
    assert resolve_text("甄峰和李智轩, 2023", doc) == [63]
    assert resolve_text("郭晗,2019", doc) == [8] and resolve_text("郭晗等,2026", doc) == [35]


def test_wrong_year_or_name_does_not_link(doc):
    assert resolve_text("马述忠等,2023", doc) == []
    assert resolve_text("王五,2024", doc) == []
    assert resolve_text("吴学华等,2010", doc) == []


def test_reference_back_links(doc):
    r = doc.reference(75)
    assert "贾若祥等,2025" in r.cited_as
    assert "s4.3.p4" in r.cited_in  # 从支撑条件与空间争议看 …
    r21 = doc.reference(21)
    assert r21.cited_as == ["吴学花等,2009"]  # the form as written in the text, searchable
    assert doc.reference(12).cited_as == ["安虎森等,2022"]
