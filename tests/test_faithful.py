"""Answers that keep to what the review says (fake chat model, real index and embeddings): a
sentence that says the opposite of its evidence is dropped, a false premise is corrected first,
English answers hold no Chinese outside quotation marks, NOT_FOUND in any case is a refusal."""

from __future__ import annotations

import re

import pytest

from assistant.answering.grounding import REFUSAL, CheckedSentence
from tests.helpers import AFFIRMS, scripted_judge

pytestmark = pytest.mark.slow

ALL = "[1][2][3][4]"


def test_sentence_contradicting_its_evidence_is_dropped(fake_assistant_factory):
    q = "人工智能对产业结构合理化水平有什么影响?"
    flipped = fake_assistant_factory(f"人工智能会促进产业结构合理化水平提升{ALL}。").ask(q)
    assert "促进产业结构合理化" not in flipped.answer and flipped.dropped_sentences >= 1
    faithful = fake_assistant_factory(f"人工智能会抑制产业结构合理化水平提升{ALL}。").ask(q)
    assert faithful.grounded and "抑制产业结构合理化" in faithful.answer and faithful.dropped_sentences == 0


def test_an_answer_whose_every_sentence_contradicts_its_evidence_quotes_the_evidence(fake_assistant_factory):
    """Not a refusal: the evidence is about the question, so what the review says is quoted, marked,
    with a note that the model's answer was withheld."""
    r = fake_assistant_factory(f"人工智能会促进产业结构合理化水平提升{ALL}。").ask(
        "人工智能对产业结构合理化水平有什么影响?"
    )
    assert r.grounded and not r.refused and r.dropped_sentences >= 1
    assert r.answer.startswith("综述的说法是") and "抑制产业结构合理化" in r.answer and "撤下" in r.note
    assert "促进产业结构合理化" not in r.answer
    quotes = [qt["text"] for c in r.citations for qt in c["quotes"]]
    assert any("抑制产业结构合理化" in t for t in quotes)
    # in English the answer points to the source (where the quote and its machine translation are):
    # no model-written text enters the answer, whatever the model wrote
    a = fake_assistant_factory("x")
    u = a.index.sentences[0]
    wrong = CheckedSentence("AI always reduces inequality.", [3], 0.0, evidence={3: u})
    [said] = a._evidence_of([wrong, wrong], "en")
    assert said.markers == [3] and said.evidence == {3: u} and "always" not in said.text
    assert said.text.startswith("What the review says instead: ")
    assert u.text.strip().rstrip("。") in said.text  # the quote itself (no certified translation here)
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"“[^”]*”", "", said.text))  # Chinese only in quotes
    [zh] = a._evidence_of([wrong], "zh")
    assert u.text.strip().rstrip("。") in zh.text
    # a sentence dropped only for a number its evidence lacks is not a contradiction: still a refusal
    r = fake_assistant_factory(f"人工智能使产业结构合理化水平提升了37.5%{ALL}。").ask(
        "人工智能对产业结构合理化水平有什么影响?"
    )
    assert "37.5" not in r.answer and (r.refused or "撤下" not in r.note)


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
        f"It also widens 区域发展差距 between regions of the 要素集聚 kind {ALL}."
    ).ask(q)
    outside = re.sub(r"“[^”]*”", "", r.answer)
    assert not re.search(r"[\u4e00-\u9fff]", outside), r.answer


def test_numbers_not_in_the_evidence_drop_the_sentence(fake_assistant_factory):
    r = fake_assistant_factory(f"要素高度集聚有利于促进本地区人工智能技术的迭代升级,增幅达到37.5%{ALL}。").ask(
        "人工智能要素集聚的“双刃剑”效应是什么?"
    )
    assert "37.5" not in r.answer


def test_extractive_english_question_uses_the_curated_glossary(real_index):
    """No LLM: "What is the intelligence divide?" is answered from the passages on 智能鸿沟, not refused."""
    from assistant.answering.chain import Assistant

    r = Assistant(real_index.settings, backend="extractive", index=real_index).ask("What is the intelligence divide?")
    assert r.grounded and not r.refused
    assert any("智能鸿沟" in q["text"] for c in r.citations for q in c["quotes"])


def test_french_question_is_answered_in_english_only(fake_assistant_factory):
    r = fake_assistant_factory(
        f"L'intelligence artificielle renforce la capacité des villes à répondre aux urgences {ALL}. "
        f"AI strengthens the capacity of cities to respond to emergencies {ALL}."
    ).ask("Selon la revue, comment l'intelligence artificielle aide-t-elle la gouvernance des villes?")
    assert "L'intelligence" not in r.answer and "English" in r.note
    assert r.language == "en"


def test_english_cleanup_uses_the_glossary_and_drops_what_it_cannot_render(fake_assistant_factory):
    a = fake_assistant_factory("x")
    assert (
        a.english.clean("AI widens the 智能鸿沟 between regions.")
        == "AI widens the intelligence divide between regions."
    )
    assert a.english.clean("An industrial brain (产业大脑体系) helps layout.") == "An industrial brain helps layout."
    assert a.english.clean("It is a regional factor集聚 effect.") == ""  # not a glossary term: dropped
    # a term copied with the English the context gave it keeps that English once
    assert a.english.clean('Two risks: "数据孤岛(data silo)" and more.') == 'Two risks: "data silo" and more.'
    assert a.english.clean('Two risks: "data silo(data silo)" and more.') == 'Two risks: "data silo" and more.'
    assert a.english.clean("It is called “双刃剑” in the review.") == "It is called “双刃剑” in the review."


def test_contradicted_verdict_is_shown_by_the_cli_and_the_web_app(real_index):
    from assistant.ui.i18n import VERDICT_LABELS
    from assistant.ui.render import claim_html

    from .helpers import run_cli

    out = run_cli(
        "cite",
        "人工智能会促进产业结构合理化水平提升。",
        "--backend",
        "extractive",
        env={"REVIEWQA_STORE_DIR": str(real_index.store.path)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("结论: 与综述相矛盾 (contradicted)") and "抑制" in out.stdout
    for verdict, label in VERDICT_LABELS.items():
        for lang in ("zh", "en"):
            assert label[lang] in claim_html({"verdict": verdict, "support": []}, lang)


def test_without_an_llm_no_paraphrase_or_absent_claim_is_called_contradicted(real_index):
    """Extractive mode reads meaning only where it can (Chinese claims); a glossary term list is not
    a translation, so English paraphrases are never 'contradicted' on its account."""
    import json

    from assistant.answering.chain import Assistant
    from assistant.answering.claims import make_citer

    from .helpers import DATA

    c = make_citer(Assistant(real_index.settings, backend="extractive", index=real_index))
    rows = [json.loads(x) for x in (DATA / "own_verdicts.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in rows:
        got = c.cite(r["claim"]).verdict
        if r["gold"] != "contradicted":
            assert got != "contradicted", r
        elif r["claim"][0] > "\u4e00":  # Chinese flips are caught by the rules alone
            assert got == "contradicted", r


def test_without_an_llm_no_flipped_english_claim_is_certified(real_index):
    """Extractive mode cannot translate an English claim, yet a flipped one must not come back
    `supported`: the cues decide alone (contradicted, or only partly supported)."""
    import json

    from assistant.answering.chain import Assistant
    from assistant.answering.claims import make_citer

    from .helpers import DATA

    citer = make_citer(Assistant(real_index.settings, backend="extractive", index=real_index))
    rows = [json.loads(x) for x in (DATA / "own_verdicts.jsonl").read_text(encoding="utf-8").splitlines() if x]
    flipped_en = [r for r in rows if r["kind"] == "flipped" and re.match(r"[A-Za-z]", r["claim"])]
    assert len(flipped_en) >= 5
    certified = [r["id"] for r in flipped_en if citer.cite(r["claim"]).verdict == "supported"]
    assert len(certified) <= 1, certified
    r = citer.cite("AI triggers a forward gradient transfer of labour-intensive industries towards developed regions.")
    assert r.verdict == "contradicted" and "逆向" in r.quotes[0].sentence.text


def test_a_subject_only_the_reference_list_names_is_out_of_scope(fake_assistant_factory):
    """欧盟 occurs in the review only inside a cited title: the review does not discuss the EU, so the
    question is refused before the LLM is asked (the scripted reply would otherwise be answered)."""
    a = fake_assistant_factory(f"人工智能在促进区域要素集聚的同时也可能带来区域发展不平衡问题{ALL}。")
    assert "欧盟" in a.index.doc.source
    r = a.ask("综述如何评价欧盟的人工智能法案?")
    assert r.refused and not r.grounded and r.answer == REFUSAL["zh"]


def test_a_leading_question_whose_premise_is_only_partly_supported_is_asked_neutrally(
    fake_assistant_factory, monkeypatch
):
    """ "Does AI make X?" with X not supported as stated: the LLM is asked what the review says about
    whether X — a small model answers "Yes" to the leading form whatever its context says."""
    from assistant.answering.claims import CiteResult

    a = fake_assistant_factory(f"Geographic factors remain an important variable for industrial layout {ALL}.")
    monkeypatch.setattr(type(a.citer), "cite", lambda self, claim, *x, **k: CiteResult(claim, "partial"))
    seen: list[str] = []
    real = a._generate

    def spy(question, lang, ctx, stop=None):
        seen.append(question)
        return real(question, lang, ctx, stop)

    monkeypatch.setattr(a, "_generate", spy)
    a.ask("Does AI make geographic distance irrelevant for industrial location?")
    assert seen == [
        "What does the review say about whether AI make geographic distance irrelevant for industrial location?"
    ]


def test_glossary_terms_anchor_an_english_sentence_to_its_own_evidence(real_index, real_retriever):
    """e5's cross-lingual cosine can rank an unrelated Chinese sentence above the source of an English
    one; the review's glossary terms, found in one and not the other, put the source first."""
    from assistant.answering.grounding import ContextPassage, Grounder
    from assistant.answering.verify import Verifier
    from assistant.answering.verify.judge import EntailmentJudge
    from assistant.retrieval.hybrid import Hit
    from assistant.retrieval.translate import Glossary, load_curated

    g = Grounder(real_retriever)
    g.glossary = Glossary(load_curated(real_index.settings.corpus_path.parent / "glossary.tsv"))
    g.verifier = Verifier(EntailmentJudge(scripted_judge(AFFIRMS)), g.aligner, real_index.doc.source)
    sentence = (
        "Digital technology weakens the distance effect, but geographic factors remain an important "
        "variable for industrial layout."
    )
    source = next(u for u in real_index.sentences if "地理因素仍是影响产业布局的重要变量" in u.text)
    other = next(u for u in real_index.sentences if u.text.startswith("第二,人工智能从区域产业布局"))
    by_id = real_index.doc.by_id()
    ctx = [
        ContextPassage(i, Hit(by_id[u.passage_id], 0.0, 0.0, real_index.chunks[0], []), u.text, [u], single=True)
        for i, u in enumerate([source, other], 1)
    ]
    v = real_retriever.embedder.embed_queries([sentence])[0]
    assert g.support(sentence, ctx[0], v)[0] > g.support(sentence, ctx[1], v)[0]
    assert g.support(sentence, ctx[0], v)[0] >= g.threshold(sentence)
    kept, _ = g.check(sentence + "[2]", ctx)  # cited to the wrong sentence: moved to its source
    assert kept and kept[0].markers == [1]


def test_a_summary_is_the_reviews_own_key_sentences_in_both_languages(fake_assistant_factory):
    """A section summary is one point per paragraph, each the paragraph's own sentence with its
    marker, in the review's order; the English is the same points rendered one by one, a rendering
    that is not English (or not certified) shown as the sentence quoted, never dropped or merged."""
    from assistant.answering.summarize import _cache_key, summarize

    good = "AI improves regional governance through three paths."
    a = fake_assistant_factory(good, "上海的房价在2030年将翻倍。", good, good, judge=AFFIRMS)
    (a.settings.cache_dir / "llm-cache" / f"summary-{_cache_key(a, '4.2')}.json").unlink(missing_ok=True)
    a.glosser.glosses.data.clear()  # renderings cached by an earlier run would skip the scripted replies
    out = summarize(a, "4.2", ("zh", "en"), progress=lambda m: None)
    paragraphs = [p for p in a.index.doc.body if p.section_id == "4.2"]
    zh = out["zh"].split("\n- ")[1:]
    en = out["en"].split("\n- ")[1:]
    assert len(zh) == len(en) == len(paragraphs) == len(out["citations"])
    for i, (z, e, c, p) in enumerate(zip(zh, en, out["citations"], paragraphs), 1):
        assert z.endswith(f"[{i}]。") and e.endswith(f"[{i}].") and c["marker"] == i
        assert c["passage"]["id"] == p.id and c["quotes"][0]["text"] in p.text  # the paragraph's own sentence
        assert re.sub(r"[(（][^)）]*[)）]", "", c["quotes"][0]["text"]).rstrip("。")[:15] in z
        assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"“[^”]*”", "", e))  # Chinese only inside quotes
    assert "房价" not in out["en"] and "“" in en[1]  # the failed rendering: the sentence quoted instead
    assert en[0].startswith(good.rstrip("."))
    again = summarize(a, "4.2", ("zh", "en"), progress=lambda m: None)
    assert again["cached"] and again["zh"] == out["zh"]
