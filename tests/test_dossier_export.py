"""Reference dossiers, glosses of quoted evidence and the Markdown export."""

from __future__ import annotations

import json
import re

import pytest

from assistant.errors import UserError
from assistant.research.dossier import by_citations, check_ref_number, dossier
from assistant.serialize import dossier_json

from .helpers import run_cli


def _bigrams(s: str) -> set[str]:
    s = "".join(ch for ch in s if "\u4e00" <= ch <= "\u9fff")
    return {s[i : i + 2] for i in range(len(s) - 1)}


def test_dossier_lists_citing_sentences_with_the_clause_the_reference_closes(real_index):
    d = dossier_json(dossier(real_index, 24), real_index.doc)
    assert d["n"] == 24 and d["times_cited"] == len(d["citing"]) >= 1
    c = d["citing"][0]
    assert "王如玉等,2018" in c["as"] and c["sentence"] == real_index.doc.source[c["start"] : c["end"]]
    # the sentence cites 安虎森 for its first clause and [24] for the second: the clause is the second
    assert "小节点" in c["clause"] and "安虎森" not in c["clause"]
    assert {x["n"] for x in d["co_cited"]} >= {23} and c["use"]["generated"] is False
    assert d["bibtex"].startswith("@article{wang2018") and d["gbt7714"].startswith("王如玉")


def test_reference_list_by_citations_and_bad_numbers(real_index):
    order = by_citations(real_index.doc)
    counts = [k for _, k in order]
    assert counts == sorted(counts, reverse=True) and len(order) == 78 and counts[0] > 1
    for n in (0, 79):
        with pytest.raises(UserError):
            check_ref_number(real_index.doc, n)
    r = run_cli("refs", "79", timeout=120)
    assert r.returncode == 2 and "79" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_markdown_export_of_a_chat(fake_assistant_factory):
    from assistant.ui.app import App

    q = "人工智能要素集聚的“双刃剑”效应是什么?"
    a = fake_assistant_factory("要素高度集聚有利于促进本地区人工智能技术的迭代升级[1]。")
    app = App(a)
    *_, last = list(app.chat(q, [], "auto", "zh", [], []))
    transcript = last[-1]
    assert len(transcript) == 1 and transcript[0].startswith(f"## {q}")
    path = app.export(transcript, "zh")
    md = open(path, encoding="utf-8").read()
    assert md.startswith("# 综述问答记录") and re.search(r"\[\d\]", md) and "> “" in md
    assert app.export([], "zh") is None


@pytest.mark.slow
def test_dossier_use_lines_are_generated_from_the_clause(local_assistant):
    from assistant.answering.gloss import Glosser

    d = dossier_json(dossier(local_assistant.index, 24, Glosser(local_assistant)), local_assistant.index.doc)
    c = d["citing"][0]
    # a generated line is shown only when the verifier certifies it against the clause; the Chinese
    # one restates its clause, the English one rests on the judge and may be withheld
    assert c["use"]["generated"] and c["use"]["zh"]
    from assistant.answering.meaning import strip_citations

    clause = strip_citations(c["clause"])
    assert local_assistant.verifier.verify(c["use"]["zh"], [clause]).supported
    if c["use"]["en"]:
        assert local_assistant.verifier.verify(c["use"]["en"], [clause]).supported
    first_clause = c["sentence"][: c["sentence"].index(")") + 1]  # the clause citing 安虎森, not [24]
    assert len(_bigrams(c["use"]["zh"]) & _bigrams(c["clause"])) > len(
        _bigrams(c["use"]["zh"]) & _bigrams(first_clause)
    )
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in c["use"]["en"].replace("“", '"'))


@pytest.mark.slow
def test_english_answer_quotes_carry_marked_glosses(local_assistant):
    r = local_assistant.ask("How does AI affect the spatial layout of industries?")
    quotes = [q for c in r.citations for q in c["quotes"]]
    assert quotes and all(q.get("gloss") and q["gloss_machine_translation"] for q in quotes)
    for q in quotes:
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in q["gloss"])
    zh = local_assistant.ask("人工智能如何影响产业布局?")
    assert not any(q.get("gloss") for c in zh.citations for q in c["quotes"])  # Chinese quotes, Chinese answer


@pytest.mark.slow
def test_cli_refs_dossier_and_ask_markdown():
    r = run_cli("refs", "24", "--json", timeout=600)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["times_cited"] >= 1 and d["citing"][0]["use"]["zh"]
    r = run_cli("ask", "人工智能如何提升区域治理效能?", "--format", "md", timeout=600)
    assert r.returncode == 0 and r.stdout.startswith("# 综述问答记录")
    assert "## 人工智能如何提升区域治理效能?" in r.stdout and "> “" in r.stdout


def test_the_reviews_own_keywords_fix_the_glossary(doc):
    from assistant.retrieval.translate import Glossary, review_keywords, with_keywords

    kw = review_keywords(doc.source)
    assert len(kw) == 5 and kw["区域协调发展"] == "Regional Coordinated Development"
    g = Glossary(
        with_keywords({"区域协调发展": "coordinated regional development", "产业布局": "industrial layout"}, doc.source)
    )
    assert g.pairs["区域协调发展"].startswith("regional coordinated development;")
    assert "coordinated regional development" in g.pairs["区域协调发展"] and g.pairs["产业布局"] == "industrial layout"
    assert ("区域协调发展", "regional coordinated development") in g.matches(
        "How does AI shape regional coordinated development?"
    )
