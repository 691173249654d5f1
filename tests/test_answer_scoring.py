"""The answer scorer: an unanswerable question passes only when refused, however it is marked."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.evaluation import answer_check


def _res(grounded: bool, answer: str) -> SimpleNamespace:
    return SimpleNamespace(grounded=grounded, answer=answer, citations=[], refused=not grounded, timings={"total": 1.0})


def test_absent_kind_is_scored_as_unanswerable():
    row = {"id": "x", "kind": "absent", "q": "综述如何评价碳交易市场?", "evidence": [], "must": []}
    assert answer_check(row, _res(False, "抱歉,这篇综述没有涉及这个问题。"))["pass"]
    assert not answer_check(row, _res(True, "综述认为碳交易市场提高了效率[1]。"))["pass"]


def test_answerable_question_refused_fails():
    row = {"id": "y", "kind": "fact", "q": "什么是虚拟集聚?", "evidence": ["虚拟集聚"], "must": []}
    assert not answer_check(row, _res(False, "抱歉,这篇综述没有涉及这个问题。"))["pass"]
