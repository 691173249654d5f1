"""The verifier certifies only on positive evidence: a near-verbatim restatement (same content words,
same cue words) or the entailment judge's SUPPORTS probability; rules only lower a verdict.
Statements here are our own, about review sentences no evaluation set uses."""

from __future__ import annotations

import math
from typing import Any

import pytest
from langchain_core.outputs import ChatResult

from assistant.answering.verify import Label, Reason, Verifier
from assistant.answering.verify.judge import EntailmentJudge, label_probabilities
from assistant.answering.verify.restate import restates
from assistant.llm.backends import Backend
from tests.helpers import ScriptedJudge

# review sentences (s4.1, s3.3) and our own statements about them
DATA_QUOTE = (
    "然而, 数据要素、智能技术等数字技术动力正在逐步淡化地理边界对生产的影响, "
    "引致各类生产要素加速涌向更高发展水平的区域, 加剧跨地区资源配置竞争。"
)
POWER_QUOTE = (
    "值得注意的是,中部和西部地区算力基础与算法应用发展迅速(巫强等,2024),"
    "这或将成为人工智能时代区域发展新资源禀赋,从而在一定程度上缩小区域发展差距。"
)


@pytest.fixture(scope="module")
def aligner(doc):
    from assistant.answering.meaning import TopicAligner
    from assistant.text import sentences

    texts = [p.text[a:b] for p in doc.body for a, b in sentences(p.text)]
    return TopicAligner(texts)


def verifier(doc, aligner, probs: dict[str, float] | None = None) -> Verifier:
    judge = EntailmentJudge(Backend("custom", "scripted", ScriptedJudge(probs=probs)) if probs else None)
    return Verifier(judge, aligner, doc.source)


def test_label_probabilities_sum_the_prefix_tokens_of_each_label():
    top = [
        {"token": "CON", "logprob": math.log(0.5)},
        {"token": " CONTR", "logprob": math.log(0.1)},
        {"token": "S", "logprob": math.log(0.2)},
        {"token": "Support", "logprob": math.log(0.1)},
        {"token": "NE", "logprob": math.log(0.05)},
        {"token": "RE", "logprob": math.log(0.05)},  # no label begins with it
    ]
    p = label_probabilities(top)
    assert p["contradicts"] == pytest.approx(0.6 / 0.95, abs=1e-3)
    assert p["supports"] == pytest.approx(0.3 / 0.95, abs=1e-3)
    assert sum(p.values()) == pytest.approx(1.0, abs=1e-3)


def test_a_near_verbatim_restatement_is_certified_its_negation_and_a_new_frame_are_not():
    ok, cov = restates("数据要素、智能技术等数字技术动力正在淡化地理边界对生产的影响。", DATA_QUOTE, 0.8)
    assert ok and cov >= 0.8
    # the same words with a negation the quote lacks: a cue the quote does not have
    assert not restates("数据要素、智能技术等数字技术动力并未淡化地理边界对生产的影响。", DATA_QUOTE, 0.8)[0]
    # the quote's clause under a heading the quote does not support
    assert not restates("区域治理面临两类风险:一是生产要素加速涌向更高发展水平的区域。", DATA_QUOTE, 0.8)[0]
    # another language is a translation, never a restatement
    assert not restates("Digital drivers are weakening the effect of geographic borders.", DATA_QUOTE, 0.8)[0]


def test_without_a_judge_only_restatements_are_supported(doc, aligner):
    v = verifier(doc, aligner)
    assert v.verify("数字技术动力正在逐步淡化地理边界对生产的影响。", [DATA_QUOTE]).reason is Reason.RESTATES
    loose = v.verify("生产要素纷纷流入更发达的地方。", [DATA_QUOTE])
    assert loose.label is Label.PARTIAL and loose.reason is Reason.NOT_RESTATED
    assert v.verify("任何论断。", []).label is Label.NOT_FOUND


def test_copying_a_quote_under_a_subject_the_review_never_names_is_not_a_restatement(doc, aligner):
    """The quote's own words with a subject the review never mentions added ("the EU's act") cover
    most of the quote, yet say something the review does not: not found, not supported."""
    v = verifier(doc, aligner)
    framed = "巴西的港口法案使数据要素、智能技术等数字技术动力正在逐步淡化地理边界对生产的影响。"
    got = v.verify(framed, [DATA_QUOTE])
    assert got.label is Label.NOT_FOUND and got.reason is Reason.ABSENT_TERMS
    assert v.verify("数据要素、智能技术等数字技术动力正在逐步淡化地理边界对生产的影响。", [DATA_QUOTE]).supported


def test_the_judge_certifies_by_probability_and_only_above_its_threshold(doc, aligner):
    free = "生产要素纷纷流入更发达的地方。"
    sure = verifier(doc, aligner, {"supports": 0.9, "contradicts": 0.08, "neutral": 0.02}).verify(free, [DATA_QUOTE])
    assert sure.label is Label.SUPPORTED and sure.reason is Reason.JUDGE_SUPPORTS
    assert sure.scores["p_supports"] == pytest.approx(0.9, abs=1e-3)
    unsure = verifier(doc, aligner, {"supports": 0.5, "contradicts": 0.4, "neutral": 0.1}).verify(free, [DATA_QUOTE])
    assert unsure.label is Label.PARTIAL and unsure.reason is Reason.JUDGE_UNSURE
    against = verifier(doc, aligner, {"supports": 0.05, "contradicts": 0.9, "neutral": 0.05}).verify(free, [DATA_QUOTE])
    assert against.label is Label.CONTRADICTED and against.reason is Reason.JUDGE_CONTRADICTS
    silent = verifier(doc, aligner, {"supports": 0.05, "contradicts": 0.3, "neutral": 0.65}).verify(free, [DATA_QUOTE])
    assert silent.label is Label.NOT_FOUND and silent.reason is Reason.JUDGE_NEUTRAL


def test_a_cue_conflict_vetoes_even_a_judge_that_affirms_everything(doc, aligner):
    lying = verifier(doc, aligner, {"supports": 0.99, "contradicts": 0.005, "neutral": 0.005})
    flipped = lying.verify("中部和西部地区算力基础的发展将扩大区域发展差距。", [POWER_QUOTE])
    assert flipped.label is Label.CONTRADICTED and flipped.reason is Reason.CUE_CONFLICT
    assert "缩小" in flipped.clause
    # a number the quote does not hold is never certified either
    detail = lying.verify("中部和西部地区算力基础的发展将使区域发展差距缩小30%。", [POWER_QUOTE])
    assert detail.label is Label.NOT_FOUND and detail.reason is Reason.UNSUPPORTED_DETAIL


def test_a_failing_judge_certifies_nothing(doc, aligner):
    class Broken(ScriptedJudge):
        def _generate(self, *a: Any, **kw: Any) -> ChatResult:
            raise ConnectionError("down")

    v = Verifier(EntailmentJudge(Backend("custom", "broken", Broken(probs={}))), aligner, doc.source)
    r = v.verify("生产要素纷纷流入更发达的地方。", [DATA_QUOTE])
    assert r.label is Label.PARTIAL and r.reason is Reason.JUDGE_FAILED


def test_judge_results_are_cached_per_prompt_endpoint_and_model(doc, aligner):
    chat = ScriptedJudge(probs={"supports": 0.9, "contradicts": 0.05, "neutral": 0.05})
    judge = EntailmentJudge(Backend("custom", "scripted", chat))
    assert judge.score("甲。", [DATA_QUOTE]) == judge.score("甲。", [DATA_QUOTE])
    assert chat.calls == 1
    judge.score("乙。", [DATA_QUOTE])
    assert chat.calls == 2


def test_the_cue_lexicon_says_truly_where_each_entry_comes_from(doc):
    from assistant.answering.cues import _rows

    own = doc.source.split("参考文献")[0]
    rows = _rows()
    assert rows and all(r["source"] in ("review", "general") for r in rows)
    said_review = [r["word"] for r in rows if r["source"] == "review"]
    assert said_review and all(w in own for w in said_review)
    assert all(r["source"] == "general" for r in rows if r["lang"] == "en")
