"""Plan, gather, compose: broad and list questions answered with the review's own points."""

from __future__ import annotations

import re

import pytest

from assistant.answering.questions import LAST, ordinal, question_kind
from assistant.answering.verify.judge import ANSWERS, label_probabilities


@pytest.mark.parametrize(
    "sentence, n",
    [
        ("第二,高铁压缩了城市之间的时空距离。", 2),
        ("二是以港口联运降低物流成本。", 2),
        ("其次, 港口自动化提高了装卸效率。", 2),
        ("再次,园区集聚了上下游企业。", 3),
        ("最后,人才流动改变了创新格局。", LAST),
        ("本文分三部分梳理:第一部分讨论高铁与城市分工。", 1),
        ("(3)制度环境决定了技术扩散的速度。", 3),
        ("高铁压缩了城市之间的时空距离。", None),
        ("第二产业的比重持续下降。", None),  # 第二产业 is a noun, not an item
    ],
)
def test_ordinal_reads_the_place_an_item_announces(sentence, n):
    assert ordinal(sentence) == n


@pytest.mark.parametrize(
    "q, kind",
    [
        ("高铁如何改变沿线城市的产业分工?", "broad"),
        ("How does port automation change regional logistics?", "broad"),
        ("港口自动化带来了哪些风险?", "list"),
        ("港口自动化会带来什么风险?", "broad"),
        ("列举高铁影响城市分工的三条路径。", "list"),
        ("What are the three channels through which ports matter?", "list"),
        ("什么是虹吸效应?", "definition"),
        ("What is the siphon effect?", "definition"),
        ("比较高铁和港口对城市分工的作用。", "compare"),
        ("How do ports differ from rail in their effect on cities?", "compare"),
        ("这篇文章发表于哪一年?", "fact"),
    ],
)
def test_question_kind(q, kind):
    assert question_kind(q) == kind


def test_relevance_reads_yes_and_no_from_token_probabilities():
    top = [{"token": "YES", "logprob": -0.1}, {"token": "NO", "logprob": -2.5}, {"token": "S", "logprob": -3}]
    p = label_probabilities(top, ANSWERS)
    assert p["yes"] > 0.9 and abs(p["yes"] + p["no"] - 1) < 1e-3
    assert label_probabilities([{"token": "N", "logprob": -0.05}], ANSWERS)["no"] == 1.0


# ---------------------------------------------------------------------------------- real index
MODEL_TEXT = "这是模型自己写的一句话。"


@pytest.mark.slow
def test_a_list_question_is_answered_with_the_whole_enumeration_in_order(fake_assistant_factory):
    """Each item of the review's own enumeration is one point with its own marker, in the review's
    order, and no model text is used."""
    from tests.helpers import AFFIRMS

    a = fake_assistant_factory(MODEL_TEXT, judge=AFFIRMS, compose=True)
    r = a.ask("区域治理效能的提升依靠人工智能的哪几条路径?")
    assert r.grounded and not r.refused and MODEL_TEXT not in r.answer
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", r.answer)]
    assert markers == list(range(1, len(markers) + 1)) and len(markers) >= 3
    quotes = [q["text"] for c in r.citations for q in c["quotes"]]
    starts = [q["start"] for c in r.citations for q in c["quotes"]]
    assert starts == sorted(starts)
    items = [ordinal(q) for q in quotes if ordinal(q) is not None]
    assert items == sorted(items) and len(items) >= 2 and items[0] == 1
    assert all(c["passage"]["id"].startswith("s4.2.") for c in r.citations)  # the section on governance
    for q in quotes:  # a Chinese answer shows each sentence itself (citations left to the marker)
        head = re.sub(r"[(（][^)）]*[)）]", "", q)[:12]
        assert head in r.answer


@pytest.mark.slow
def test_points_the_judge_finds_off_the_question_are_not_listed(fake_assistant_factory):
    """With every sentence judged not to answer the question, nothing is composed: the chain answers
    the usual way (here: the scripted model's sentence, which is not grounded, so a refusal)."""
    from tests.helpers import AFFIRMS, scripted_judge

    judge = scripted_judge(AFFIRMS, yes=0.1)
    a = fake_assistant_factory(MODEL_TEXT, judge=judge, compose=True)
    r = a.ask("区域治理效能的提升依靠人工智能的哪几条路径?")
    assert judge.chat.calls >= 2  # the planned points were judged
    assert "综述就此提出的要点" not in r.answer and "\n- " not in r.answer


@pytest.mark.slow
def test_an_english_list_answer_without_a_model_quotes_the_points(real_index):
    """No LLM (extractive): an English answer lists the review's sentences in quotation marks, each
    with its marker, and says it is quoting; no Chinese stands outside quotes."""
    from assistant.answering.chain import Assistant

    a = Assistant(real_index.settings, backend="extractive", index=real_index)
    r = a.ask("Through which paths does AI raise the effectiveness of regional governance?")
    assert r.grounded and r.answer.startswith("The review's points on this") and "Extractive" in r.note
    lines = r.answer.split("\n- ")[1:]
    assert len(lines) >= 3
    for line in lines:
        outside = re.sub(r"“[^”]*”", "", line)
        assert not re.search(r"[\u4e00-\u9fff]", outside), line
        assert re.search(r"\[\d+\]", line)


@pytest.mark.slow
def test_without_a_judge_an_off_topic_broad_question_is_not_composed(fake_assistant_factory):
    """No judge: nothing shows a sentence answers the question, so a question the review does not
    treat (its closest sentences are not close) gets no list of quotes."""
    a = fake_assistant_factory("NOT_FOUND", compose=True)
    r = a.ask("如何腌制一坛好吃的泡菜?")
    assert r.refused and r.state == "not_covered" and "\n- " not in r.answer


@pytest.mark.slow
def test_the_whole_review_summary_opens_with_the_findings_and_covers_every_part(real_index):
    """No model needed: the abstract's main findings first (its inline (1)(2)(3) as points of their
    own), then every part in order, each point a whole sentence of the review with its marker."""
    import shutil
    from dataclasses import replace

    from assistant.answering.chain import Assistant
    from assistant.answering.summarize import summarize

    s = replace(real_index.settings, cache_dir=real_index.settings.cache_dir / "summary-test")
    shutil.rmtree(s.cache_dir / "llm-cache", ignore_errors=True)  # computed now, not read back
    out = summarize(Assistant(s, backend="extractive", index=real_index), "all", ("zh",), progress=lambda m: None)
    points = out["zh"].split("\n- ")[1:]
    ids = [c["passage"]["id"] for c in out["citations"]]
    assert ids[0] == "abstract.zh" and len(points) == len(ids)
    assert any("逐层传导" in p for p in points[:6]) and any("门槛" in p for p in points[:6])
    parts = [i.split(".")[0].lstrip("s") for i in ids if i.startswith("s")]
    assert sorted(set(parts)) == ["1", "2", "3", "4", "5"] and parts == sorted(parts)  # all five, in order
    for p, c in zip(points, out["citations"]):
        assert p.endswith(f"[{c['marker']}]。") and c["quotes"][0]["text"].rstrip("。")[:10] in c["passage"]["text"]


@pytest.mark.slow
def test_a_judge_that_fails_is_said_and_only_close_points_stand(fake_assistant_factory):
    """The judge's model fails on every call: the points rest on similarity alone (the extractive
    bar), and the answer says so."""
    from typing import Any

    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.llm.backends import Backend

    class Broken(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "broken"

        def _generate(self, messages: list[Any], stop: Any = None, run_manager: Any = None, **kw: Any):
            raise ConnectionError("judge endpoint down")

    a = fake_assistant_factory(MODEL_TEXT, judge=Backend("custom", "broken", Broken()), compose=True)
    r = a.ask("区域治理效能的提升依靠人工智能的哪几条路径?")
    assert r.answer.count("\n- ") >= 2 and MODEL_TEXT not in r.answer and "相似度" in r.note
    judged = [c for c in r.checks if c.verdict is not None]
    assert judged and all("relevance" not in c.verdict.scores for c in judged)
    none = fake_assistant_factory(MODEL_TEXT, compose=True).ask("区域治理效能的提升依靠人工智能的哪几条路径?")
    assert "相似度" not in none.note  # no judge configured is not a failure to report


@pytest.mark.slow
def test_an_english_question_is_planned_from_its_chinese_rendering(fake_assistant_factory):
    """The review is Chinese: an English question's sections come from its Chinese rendering, not
    from what the English words retrieved (here: hits about another section), and the judge reads
    the rendering beside each Chinese sentence."""
    from tests.helpers import AFFIRMS, scripted_judge

    judge = scripted_judge(AFFIRMS)
    a = fake_assistant_factory(MODEL_TEXT, judge=judge, compose=True)
    english = "Through which paths does AI make regional governance more effective?"
    rendering = "人工智能通过哪几条路径提升区域治理效能?"
    elsewhere = a.retriever.search("人工智能如何改变人才和资本在区域之间的集聚?", 24, "zh")
    events = list(a.composer.compose(english, "en", elsewhere, [english, rendering], listing=True))
    plan = next(p for kind, p in events if kind == "plan")
    assert plan.sections[0] == "4.2"
    points = [p for kind, p in events if kind == "point"]
    assert len(points) >= 2 and all(c.units[0].passage_id.startswith("s4.2.") for _, c in points)
