"""Answers go through the verifier: a model sentence its quote contradicts is never shown as
grounded, even when the judge affirms everything, and the answer quotes what the review says; the
trace records every sentence the model wrote."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # real embeddings

GAP_QUOTE = "加剧区域间发展差距"  # the review (s4.1): the intelligence divide may widen regional gaps


@pytest.fixture(params=["no judge", "local judge"])
def judge(request):
    return request.getfixturevalue("local_judge") if request.param == "local judge" else None


def test_a_false_premise_the_model_repeats_is_corrected_with_the_contradicting_quote(fake_assistant_factory, judge):
    wrong = "综述认为人工智能会缩小所有地区之间的差距"
    a = fake_assistant_factory(f"{wrong}[1]。", judge=judge)
    r = a.ask("为什么综述认为人工智能会缩小所有地区之间的差距?")
    assert wrong not in r.answer.replace("综述并不认为", "") and r.grounded
    assert any(GAP_QUOTE in q["text"] for c in r.citations for q in c["quotes"]), r.answer
    assert not [c for c in r.checks if c.sentence.startswith(wrong) and c.kept]


def test_an_endpoint_injecting_the_opposite_is_not_shown_as_grounded(fake_assistant_factory, judge):
    injected = "人工智能会显著缩小区域间发展差距"
    a = fake_assistant_factory(f"{injected}[1]。", judge=judge)
    r = a.ask("智能鸿沟会对区域发展差距产生什么影响?")
    assert injected not in r.answer
    dropped = [c for c in r.checks if c.sentence.startswith(injected)]
    assert dropped and not dropped[0].kept
    assert any(GAP_QUOTE in q["text"] for c in r.citations for q in c["quotes"]), r.answer


def test_the_trace_is_in_the_json_with_every_generated_sentence(fake_assistant_factory):
    from assistant.serialize import ask_json

    a = fake_assistant_factory("巴黎是法国的首都[1]。人工智能会显著缩小区域间发展差距[1]。")
    out = ask_json(a.ask("智能鸿沟会对区域发展差距产生什么影响?"))
    assert [c["kept"] for c in out["checks"]] == [False, False]
    assert {c["verdict"] for c in out["checks"]} <= {"not_found", "contradicted", "partial"}
    assert all(set(c) >= {"sentence", "kept", "verdict", "reason", "quote_id", "scores"} for c in out["checks"])


@pytest.mark.parametrize(
    ("judge", "shown"),
    [
        ({"supports": 0.9, "contradicts": 0.05, "neutral": 0.05}, True),
        ({"supports": 0.05, "contradicts": 0.9, "neutral": 0.05}, False),
    ],
)
def test_a_gloss_is_shown_and_cached_only_when_the_verifier_certifies_it(fake_assistant_factory, judge, shown):
    quote = "人工智能技术正在推动产业集群的生态优化。"
    rendering = "AI technology is driving the ecological optimisation of industrial clusters."
    a = fake_assistant_factory(rendering, judge=judge)
    a.glosser.glosses.data.clear()
    assert (a.glosser.gloss(quote, "en") == rendering) is shown
    assert (a.glosser.glosses.get(f"en|{quote}") is not None) is shown
