"""Thesis-ready references: plain GB/T 7714 in text (italics only where a format has them), BibTeX
names BibTeX can read, the author–year variant, the review's own entry when it cites nothing, and
the reference list exported as RIS and CSL-JSON, read back with rispy and citeproc-py."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from assistant.errors import UserError

from .helpers import run_cli

UNCITED = "发挥人工智能技术经济作用,有利于激活区域经济高质量发展的新动能。"  # a review sentence citing nothing
REVIEW_GBT = "耿子恒, 沈体雁, 肖金成. 人工智能与区域经济：研究进展、启示与展望[J]. 区域经济评论, 2026(2): 150-160."
REVIEW_AY = "耿子恒, 沈体雁, 肖金成. 2026. 人工智能与区域经济：研究进展、启示与展望[J]. 区域经济评论, (2): 150-160."


# ---------------------------------------------------------------------------- italics
def test_text_output_is_plain_and_italics_stay_where_the_format_has_them(doc, hash_env):
    from assistant.corpus.bibformat import entry_html, gbt7714, plain
    from assistant.research.export import turn_markdown

    r1, r6 = doc.reference(1), doc.reference(6)
    assert "*Regional studies*" in r1.entry  # as the PDF printed it
    text = gbt7714([r1, r6])
    assert "*" not in text and "Regional studies, 2021" in text and "[1] DOLOREUX D" in text
    assert plain(r6.entry).startswith("PORTER M E. Clusters and the new economics of competition [M]")
    assert "<i>Regional studies</i>" in entry_html(r1.entry) and "*" not in entry_html(r1.entry)
    assert entry_html("A & B *x*") == "A &amp; B <i>x</i>"  # escaped, then italic
    md = turn_markdown(
        "q",
        "a [1]",
        [
            {
                "marker": 1,
                "passage": {"section": "s", "id": "p", "start": 0, "end": 1},
                "quotes": [],
                "quote_references": [{"n": 1, "entry": r1.entry}],
            }
        ],
        "en",
    )
    assert "*Regional studies*" in md  # Markdown keeps its italics
    out = run_cli("refs", env=hash_env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Regional studies" in out.stdout and "*" not in out.stdout


# ---------------------------------------------------------------------------- BibTeX
def test_bibtex_names_are_surname_comma_initials_and_the_note_is_optional(doc):
    from assistant.corpus.bibformat import bibtex

    b1 = bibtex([doc.reference(1)], doc.references)
    assert "author = {Doloreux, D. and Turkina, E.}," in b1 and "note" not in b1
    assert "author = {Porter, M. E.}," in bibtex([doc.reference(6)])
    b3 = bibtex([doc.reference(3)])
    assert "Torrecilla-Salinas, C.}" in b3 and "journal = {Regional science policy \\& practice}" in b3
    assert "author = {Chen, Y. and Nie, H. and Chen, J. and others}," in bibtex([doc.reference(5)])
    assert "author = {高静 and 李丹 and 陈峰 and others}," in bibtex([doc.reference(15)])
    b12 = bibtex([doc.reference(12)])
    assert "author = {罗伯塔·卡佩罗}," in b12 and "translator = {安虎森 and others}," in b12
    assert "author = {蔡跃洲 and 陈楠}," in bibtex([doc.reference(7)])  # Chinese names as written
    kept = bibtex([doc.reference(16)], doc.references, note=True)
    assert "note = {[16] in 耿子恒, 沈体雁, 肖金成 (2026), 区域经济评论 2026(2)}," in kept


# ---------------------------------------------------------------------------- the review itself, author–year
def test_the_reviews_own_entry_and_the_author_year_variant(doc):
    from assistant.corpus.bibformat import ay_entry, bibtex, gbt7714, gbt7714_ay
    from assistant.corpus.records import review_reference

    me = review_reference(doc)
    assert gbt7714([me]) == f"[1] {REVIEW_GBT}"  # pages from the article number 2095-5766(2026)02-0150-11
    assert ay_entry(me) == REVIEW_AY
    assert bibtex([me]).startswith("@article{geng2026ren,") and "pages = {150-160}" in bibtex([me])
    refs = doc.references
    assert ay_entry(doc.reference(1), refs) == (
        "DOLOREUX D, TURKINA E. 2021. New path creation in the artificial intelligence industry: regional "
        "preconditions, new actors and their collective actions, and policies[J]. Regional studies, "
        "55(10-11): 1751-1763."
    )
    assert ay_entry(doc.reference(5), refs).startswith("CHEN Y, NIE H, CHEN J, et al. 2021. Regional")
    assert (
        ay_entry(doc.reference(10), refs) == "杨开忠. 2024. 以新质生产力布局推动新区域协调发展[J]. 经济研究参考, (6)."
    )
    assert ay_entry(doc.reference(7), refs) == (
        "蔡跃洲, 陈楠. 2019. 新技术革命下人工智能与高质量增长、高质量就业[J]. 数量经济技术经济研究, 36(5)."
    )
    assert ay_entry(doc.reference(12), refs) == (
        "[意大利]罗伯塔·卡佩罗. 2022. 区域经济学(第二版)[M]. 安虎森, 等, 译. 北京: 经济管理出版社."
    )
    assert ay_entry(doc.reference(15), refs).startswith("高静, 李丹, 陈峰, 等. 2025. 乡村双创")
    # same authors, same year: 2020a, 2020b in list order
    assert ay_entry(doc.reference(56), refs).startswith("张龙辉, 肖克. 2020a. 人工智能应用下的大都市区治理")
    assert ay_entry(doc.reference(57), refs).startswith("张龙辉, 肖克. 2020b. ")
    lines = gbt7714_ay(refs).splitlines()
    assert len(lines) == 78 and not lines[0].startswith("[")
    # Chinese first, by the pinyin of the authors (安虎森 first), then the Western entries
    assert lines[0].startswith("安虎森. 2018.") and lines[-6].startswith("CHEN Y") and lines[-1].startswith("YU Z")


# ---------------------------------------------------------------------------- cite: a sentence that cites nothing
def test_cite_points_to_the_review_when_its_sentence_cites_nothing(hash_env):
    out = run_cli("cite", UNCITED, "--backend", "extractive", "--format", "gbt7714", env=hash_env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"[1] {REVIEW_GBT}"
    assert "综述此处未注明文献" in out.stderr and "请引用综述本身" in out.stderr
    ay = run_cli("cite", UNCITED, "--backend", "extractive", "--format", "gbt7714-ay", env=hash_env)
    assert ay.returncode == 0 and ay.stdout.strip() == REVIEW_AY
    js = run_cli("cite", UNCITED, "--backend", "extractive", "--json", env=hash_env)
    obj = json.loads(js.stdout)
    assert obj["verdict"] == "supported" and obj["references"] == [] and obj["support"]  # existing fields kept
    inst = obj["cite_instead"]
    assert inst["gbt7714"] == REVIEW_GBT and inst["gbt7714_ay"] == REVIEW_AY
    assert inst["bibtex"].startswith("@article{geng2026ren,") and "请引用综述本身" in inst["note"]["zh"]
    assert "cite the review itself" in inst["note"]["en"] and "cites no source" in inst["note"]["en"]


def test_the_cite_note_follows_the_output_language(doc, capsys):
    from assistant.cli.answer import print_references

    print_references([], doc, "gbt7714", "en", verdict="supported")
    cap = capsys.readouterr()
    assert cap.out.strip() == f"[1] {REVIEW_GBT}" and "the review cites no source here" in cap.err.lower()
    assert "综述" not in cap.err
    print_references([], doc, "bibtex", "zh", verdict="supported")
    cap = capsys.readouterr()
    assert cap.out.startswith("@article{geng2026ren,") and "综述此处未注明文献" in cap.err
    print_references([], doc, "gbt7714", "en", verdict="not_found")  # no review sentence: nothing to cite
    cap = capsys.readouterr()
    assert cap.out == "" and "no reference to cite" in cap.err
    print_references([doc.reference(1)], doc, "gbt7714", "en", verdict="supported")
    assert capsys.readouterr().out.strip().startswith("[1] DOLOREUX D, TURKINA E. New path")


# ---------------------------------------------------------------------------- RIS and CSL-JSON
def test_selection_of_references(doc):
    from assistant.corpus.exports import select

    assert [r.n for r in select(doc, "3,16,20-25")] == [3, 16, 20, 21, 22, 23, 24, 25]
    assert [r.n for r in select(doc, "")] == list(range(1, 79))
    assert [r.n for r in select(doc, " 16, 3,3 ")] == [3, 16]
    for bad in ("0", "79", "5-3", "x", "3,,4", "1-"):
        with pytest.raises(UserError) as e:
            select(doc, bad)
        assert e.value.zh != e.value.en and e.value.zh and e.value.en


def test_ris_reads_back_with_rispy(doc):
    import rispy

    from assistant.corpus.exports import export

    entries = rispy.loads(export("ris", doc.references, doc.references))
    assert len(entries) == 78
    zh = entries[15]  # [16] 马述忠,陈逸凡,张洪胜.产业数字化与生产全球化…[J].管理世界,2024,40(11).
    assert zh["type_of_reference"] == "JOUR" and zh["authors"] == ["马述忠", "陈逸凡", "张洪胜"]
    assert zh["title"] == "产业数字化与生产全球化:基于附加值地理分布的视角" and zh["secondary_title"] == "管理世界"
    assert zh["year"] == "2024" and zh["volume"] == "40" and zh["number"] == "11"
    en = entries[0]
    assert en["authors"] == ["Doloreux, D.", "Turkina, E."] and en["secondary_title"] == "Regional studies"
    assert en["title"].startswith("New path creation") and en["year"] == "2021"
    assert (en["start_page"], en["end_page"]) == ("1751", "1763")
    book = entries[11]
    assert book["type_of_reference"] == "BOOK" and book["publisher"] == "经济管理出版社"
    assert book["place_published"] == "北京"


def test_csl_json_renders_with_citeproc_py(doc):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    from assistant.corpus.exports import export
    from assistant.corpus.records import record

    items = json.loads(export("csljson", doc.references, doc.references))
    assert len(items) == 78 and len({i["id"] for i in items}) == 78
    assert items[0]["author"][0] == {"family": "Doloreux", "given": "D."}
    assert items[15]["author"][0] == {"family": "马述忠"} and items[15]["container-title"] == "管理世界"
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)  # a style citeproc-py ships
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for i in items:
        bib.register(Citation([CitationItem(i["id"])]))
    rendered = [str(x) for x in bib.bibliography()]
    assert len(rendered) == 78
    for r in doc.references:
        title = record(r).title
        assert any(title in x for x in rendered), title


def test_refs_command_exports_files(hash_env):
    import rispy

    out = run_cli("refs", "--format", "ris", "--refs", "3,16,20-25", env=hash_env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert [e["title"][:4] for e in rispy.loads(out.stdout)][1] == "产业数字"
    assert len(rispy.loads(out.stdout)) == 8
    bib = run_cli("refs", "--format", "bibtex", "--refs", "16", "--bibtex-note", env=hash_env, timeout=120)
    assert bib.stdout.startswith("@article{ma2024chan,") and "note = {[16] in" in bib.stdout
    ay = run_cli("refs", "--format", "gbt7714-ay", env=hash_env, timeout=120)
    assert len(ay.stdout.splitlines()) == 78 and "*" not in ay.stdout
    one = run_cli("refs", "16", "--format", "csljson", env=hash_env, timeout=120)  # a number: that one entry
    assert [i["title"] for i in json.loads(one.stdout)] == ["产业数字化与生产全球化:基于附加值地理分布的视角"]
    bad = run_cli("refs", "--format", "ris", "--refs", "70-90", env=hash_env, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "90" in bad.stderr
    helptext = run_cli("refs", "--help", timeout=60).stdout
    assert all(w in helptext for w in ("ris", "csljson", "gbt7714-ay", "--refs", "--bibtex-note"))


# ---------------------------------------------------------------------------- HTTP API
@pytest.fixture
def api_client(doc):
    from fastapi.testclient import TestClient

    from assistant.service.api import build_api
    from assistant.settings import Settings

    model = SimpleNamespace(settings=Settings(), index=SimpleNamespace(doc=doc))
    return TestClient(build_api(model, SimpleNamespace(), api_key="k-export"))


def test_api_exports_the_reference_list(api_client):
    import rispy

    auth = {"Authorization": "Bearer k-export"}
    assert api_client.get("/api/refs/export?format=ris").status_code == 401  # the key guard covers it
    r = api_client.get("/api/refs/export?format=ris&refs=3,16,20-25", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-research-info-systems")
    assert "attachment" in r.headers["content-disposition"] and ".ris" in r.headers["content-disposition"]
    assert len(rispy.loads(r.text)) == 8
    c = api_client.get("/api/refs/export?format=csljson", headers=auth)
    assert c.headers["content-type"].startswith("application/vnd.citationstyles.csl+json") and len(c.json()) == 78
    b = api_client.get("/api/refs/export?format=bibtex&refs=16&note=1", headers=auth)
    assert b.headers["content-type"].startswith("application/x-bibtex") and "note = {[16]" in b.text
    assert "note" not in api_client.get("/api/refs/export?format=bibtex&refs=16", headers=auth).text
    g = api_client.get("/api/refs/export?format=gbt7714&refs=1", headers=auth)
    assert (
        g.headers["content-type"].startswith("text/plain") and g.text.startswith("[1] DOLOREUX") and "*" not in g.text
    )
    for q in ("format=docx", "format=ris&refs=0"):
        bad = api_client.get(f"/api/refs/export?{q}", headers=auth)
        assert bad.status_code == 400 and bad.json()["error"]["message"]
