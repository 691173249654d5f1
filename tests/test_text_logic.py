"""Pure text logic, no model (fast): answer splitting, the sentence budget, Chinese bigrams, and the
reference formats as users paste them."""

from __future__ import annotations

import numpy as np

from assistant.answering.grounding import split_answer, within_budget
from assistant.text import CJK_RUN, bigram_overlap, bigrams, cjk_only


def test_split_answer_attaches_trailing_markers():
    assert split_answer("A is B. [1] C is D [2].") == [("A is B.", [1]), ("C is D.", [2])]
    assert split_answer("甲是乙[1]。丙是丁[2][3]。") == [("甲是乙。", [1]), ("丙是丁。", [2, 3])]


class U:
    def __init__(self, text: str) -> None:
        self.text = text


def test_the_budget_keeps_the_best_sentences_that_fit_in_source_order():
    units = [U("一二三四五"), U("六七八"), U("九十十一十二十三"), U("甲乙")]
    score = np.array([0.2, 0.9, 0.8, 0.1])
    kept = within_budget(units, score, budget=10)
    # by score: 六七八 (3 chars), 九十… (8: would make 11, skipped), 一二三四五 (5: 8), 甲乙 (2: 10)
    assert [u.text for u in kept] == ["一二三四五", "六七八", "甲乙"]
    # the best sentence is kept even when it alone is over the budget
    assert [u.text for u in within_budget(units, np.array([0.0, 0.0, 1.0, 0.0]), budget=2)][0] == "九十十一十二十三"


def test_chinese_bigrams_ignore_punctuation_latin_and_digits():
    assert cjk_only("AI(人工智能)2024。") == "人工智能"
    assert bigrams("人工智能。") == {"人工", "工智", "智能"}
    assert CJK_RUN.findall("AI与区域经济 and 集聚") == ["与区域经济", "集聚"]
    assert bigram_overlap("人工智能促进集聚", "人工智能促进了产业集聚") > 0.6
    assert bigram_overlap("人工智能", "人工智能") == 0.0  # under 4 bigrams: too short to say


def test_reference_formats(doc):
    from assistant.corpus.bibformat import bibtex, bibtex_key, gbt7714

    r = doc.reference(24)
    assert gbt7714([r]).startswith("[1] 王如玉")
    bib = bibtex([r], doc.references)
    assert bib.startswith(f"@article{{{bibtex_key(r, doc.references)},") and bibtex_key(r).startswith("wang2018")
    assert "journal = {" in bib and "year = {2018}" in bib
    keys = [bibtex_key(x, doc.references) for x in doc.references]
    assert len(set(keys)) == len(keys) and all(k.isascii() for k in keys)  # unique, pasteable keys
