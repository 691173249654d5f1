"""Answers that keep to what the review says (fake chat model, real index and embeddings): a
sentence that says the opposite of its evidence is dropped, a false premise is corrected first,
English answers hold no Chinese outside quotation marks, NOT_FOUND in any case is a refusal."""

from __future__ import annotations

import re

import pytest

from assistant.grounding import REFUSAL

pytestmark = pytest.mark.slow

ALL = "[1][2][3][4]"


def test_sentence_contradicting_its_evidence_is_dropped(fake_assistant_factory):
    q = "人工智能对产业结构合理化水平有什么影响?"
    flipped = fake_assistant_factory(f"人工智能会促进产业结构合理化水平提升{ALL}。").ask(q)
    assert "促进产业结构合理化" not in flipped.answer and flipped.dropped_sentences >= 1
    faithful = fake_assistant_factory(f"人工智能会抑制产业结构合理化水平提升{ALL}。").ask(q)
    assert faithful.grounded and "抑制产业结构合理化" in faithful.answer and faithful.dropped_sentences == 0


def test_false_premise_is_corrected_first_and_cited(fake_assistant_factory):
    q = "为什么综述认为人工智能会促进产业结构合理化水平提升?"
    r = fake_assistant_factory(f"人工智能会促进产业结构合理化水平提升{ALL}。").ask(q)
    assert r.grounded and r.answer.startswith("综述并不认为")
    quotes = [qt["text"] for c in r.citations for qt in c["quotes"]]
    assert any("抑制产业结构合理化" in t for t in quotes)
    assert "促进产业结构合理化水平提升[" not in r.answer  # the LLM's restatement was dropped


def test_true_premise_is_answered_without_correction(fake_assistant_factory):
    q = "为什么综述认为人工智能会抑制产业结构合理化水平提升?"
    r = fake_assistant_factory(f"人工智能会抑制产业结构合理化水平提升{ALL}。").ask(q)
    assert r.grounded and not r.answer.startswith("综述并不认为") and "抑制产业结构合理化" in r.answer


def test_absent_premise_is_said_to_be_absent(fake_assistant_factory):
    r = fake_assistant_factory("NOT_FOUND").ask("为什么综述认为人工智能显著降低了农村居民的医疗支出?")
    assert not r.grounded or r.answer.startswith("综述没有提出")


@pytest.mark.parametrize("reply", ["Not_FOUND [1]", "not found.", "NOT-FOUND"])
def test_not_found_in_any_case_is_a_refusal(fake_assistant_factory, reply):
    r = fake_assistant_factory(reply).ask("人工智能如何提升区域治理效能?")
    assert r.refused and not r.grounded and r.answer == REFUSAL["zh"]


def test_english_answer_keeps_chinese_only_in_quotes(fake_assistant_factory):
    q = "What is the double-edged sword effect of factor agglomeration?"
    r = fake_assistant_factory(
        f"High agglomeration of factors helps local AI technology iterate and upgrade {ALL}. "
        f"It also widens 区域发展差距 between regions of the 要素集聚 kind {ALL}.").ask(q)
    outside = re.sub(r"“[^”]*”", "", r.answer)
    assert not re.search(r"[\u4e00-\u9fff]", outside), r.answer


def test_numbers_not_in_the_evidence_drop_the_sentence(fake_assistant_factory):
    r = fake_assistant_factory(f"要素高度集聚有利于促进本地区人工智能技术的迭代升级,增幅达到37.5%{ALL}。").ask(
        "人工智能要素集聚的“双刃剑”效应是什么?")
    assert "37.5" not in r.answer


def test_extractive_english_question_uses_the_curated_glossary(real_index):
    """No LLM: "What is the intelligence divide?" is answered from the passages on 智能鸿沟, not refused."""
    from assistant.chain import Assistant

    r = Assistant(real_index.settings, backend="extractive", index=real_index).ask("What is the intelligence divide?")
    assert r.grounded and not r.refused
    assert any("智能鸿沟" in q["text"] for c in r.citations for q in c["quotes"])


def test_french_question_is_answered_in_english_only(fake_assistant_factory):
    r = fake_assistant_factory(
        f"L'intelligence artificielle renforce la capacité des villes à répondre aux urgences {ALL}. "
        f"AI strengthens the capacity of cities to respond to emergencies {ALL}.").ask(
        "Selon la revue, comment l'intelligence artificielle aide-t-elle la gouvernance des villes?")
    assert "L'intelligence" not in r.answer and "English" in r.note
    assert r.language == "en"


def test_english_cleanup_uses_the_glossary_and_drops_what_it_cannot_render(fake_assistant_factory):
    a = fake_assistant_factory("x")
    assert a._english_only("AI widens the 智能鸿沟 between regions.") == "AI widens the intelligence divide between regions."
    assert a._english_only("An industrial brain (产业大脑体系) helps layout.") == "An industrial brain helps layout."
    assert a._english_only("It is a regional factor集聚 effect.") == ""  # not a glossary term: dropped
    assert a._english_only("It is called “双刃剑” in the review.") == "It is called “双刃剑” in the review."


def test_contradicted_verdict_is_shown_by_the_cli_and_the_web_app(real_index):
    from assistant.cite import VERDICT_LABELS
    from assistant.ui.render import claim_html

    from .conftest import run_cli

    out = run_cli("cite", "人工智能会促进产业结构合理化水平提升。", "--backend", "extractive",
                  env={"REVIEWQA_STORE_DIR": str(real_index.store.path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("结论: 与综述相矛盾 (contradicted)") and "抑制" in out.stdout
    for verdict, label in VERDICT_LABELS.items():
        for lang in ("zh", "en"):
            assert label[lang] in claim_html({"verdict": verdict, "support": []}, lang)


def test_without_an_llm_no_paraphrase_or_absent_claim_is_called_contradicted(real_index):
    """Extractive mode reads meaning only where it can (Chinese claims); a glossary term list is not
    a translation, so English paraphrases are never 'contradicted' on its account."""
    import json

    from assistant.chain import Assistant
    from assistant.cite import make_citer

    from .conftest import DATA

    c = make_citer(Assistant(real_index.settings, backend="extractive", index=real_index))
    rows = [json.loads(x) for x in (DATA / "own_verdicts.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in rows:
        got = c.cite(r["claim"]).verdict
        if r["gold"] != "contradicted":
            assert got != "contradicted", r
        elif r["claim"][0] > "\u4e00":  # Chinese flips are caught by the rules alone
            assert got == "contradicted", r
