"""Thesis-ready references: plain GB/T 7714 in text (italics only where a format has them), BibTeX
names BibTeX can read, the author–year variant, the review's own entry when it cites nothing, and
the reference list exported as RIS and CSL-JSON, read back with rispy and citeproc-py."""

from __future__ import annotations

import json

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
