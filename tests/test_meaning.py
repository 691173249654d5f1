"""Meaning checks without models: direction, negation and scope per clause, alignment, absent terms.
Every rule is tried on a statement of the review, its paraphrase, and its flip."""

from __future__ import annotations

import pytest

from assistant.answering.meaning import TopicAligner, analyse_clause, conflicts, cue_reading, missing_terms


@pytest.fixture(scope="module")
def aligner(doc):
    from assistant.indexing.chunking import sentence_units

    return TopicAligner([u.text for u in sentence_units(doc)])


def test_signs_compose_with_negation():
    assert analyse_clause("人工智能会抑制产业结构合理化水平提升").signs["up"] == -1
    assert analyse_clause("人工智能并不会促进产业结构合理化").signs["up"] == -1
    assert analyse_clause("这种抑制作用才会减弱").signs["up"] == 1  # inhibiting a decline
    assert analyse_clause("仅有数字底座并不足以支撑").signs["suffice"] == -1
    assert analyse_clause("AI does not weaken the constraint").signs["up"] == 1
    assert analyse_clause("区域发展不平衡").negated == 0  # 不平衡 is a word, not a negation


REVIEW = "高铁网络虽然能够促进城市间的要素流动,却会抑制中小城市的人口集聚(张三等,2023)。"


@pytest.mark.parametrize(
    "claim, opposite",
    [
        ("高铁网络会促进中小城市的人口集聚。", True),  # flipped direction
        ("高铁网络会抑制中小城市人口的集聚。", False),  # paraphrase
        ("高铁网络不利于中小城市的人口集聚。", False),  # paraphrase with another word of the family
        ("高铁网络能够促进城市间的要素流动。", False),  # the other clause, same direction
        ("高铁网络会抑制城市间的要素流动。", True),  # the other clause, flipped
    ],
)
def test_conflicts_follow_the_aligned_clause(aligner, claim, opposite):
    assert bool(conflicts(claim, [REVIEW], aligner)) is opposite


@pytest.mark.parametrize(
    "claim, evidence, opposite",
    [
        (
            "数字技术已经打破了本地根植性的贸易地理结构。",
            "数字技术虽然弱化了距离效应,但是尚未打破本地根植性的贸易地理结构。",
            True,
        ),
        (
            "数字技术尚未打破本地根植性的贸易地理结构。",
            "数字技术虽然弱化了距离效应,但是尚未打破本地根植性的贸易地理结构。",
            False,
        ),
        ("这种效应存在空间溢出效应。", "人工智能驱动区域产业协同,且不存在空间溢出效应。", True),
        ("地理因素依然是产业布局的基本变量。", "因此,地理因素仍将是产业布局的基本变量。", False),
        ("地理因素不再是产业布局的基本变量。", "因此,地理因素仍将是产业布局的基本变量。", True),
        ("港口自动化的成本优势主要在长期显现。", "而港口自动化的成本优势却会在短期内显现。", True),
        (
            "关于人工智能是否引发区域创新生态负向邻地效应,现有研究已经形成一致结论。",
            "但在人工智能是否引发区域创新生态负向邻地效应以及是否加剧区域发展不平衡等方面仍存在一定争议。",
            True,
        ),
    ],
)
def test_negation_time_and_consensus(aligner, claim, evidence, opposite):
    assert bool(conflicts(claim, [evidence], aligner)) is opposite


def test_unrelated_clause_is_not_a_contradiction(aligner):
    assert not conflicts("城市绿地能够提升居民健康水平。", [REVIEW], aligner)


def test_missing_terms(doc):
    assert "粮食产量" in missing_terms("人工智能显著提高了东北地区的粮食产量。", doc.source)
    assert missing_terms("人工智能会抑制产业结构合理化水平的提升。", doc.source) == []


def test_english_cues_against_chinese():
    ev = "但仅有数字底座并不足以支撑区域产业协调发展。"
    assert cue_reading("Digital infrastructure alone is sufficient.", ev)
    assert not cue_reading("Digital infrastructure alone is not sufficient.", ev)
    assert cue_reading("AI strengthens the constraint.", "弱化地理距离的刚性约束。")
    assert not cue_reading("AI weakens the constraint.", "弱化地理距离的刚性约束。")


def test_an_english_denial_of_what_the_sentence_states_disagrees_though_another_clause_goes_up():
    ev = "人工智能拓展了供应链的地理分布(李万利等,2023),进一步弱化了产业发展对集中式集群的依赖。"
    assert cue_reading("AI does not weaken the dependence on concentrated clusters.", ev)
    assert not cue_reading("AI weakens the dependence on concentrated clusters.", ev)
    # a denial the sentence makes too agrees
    ev2 = "数字技术虽然弱化了距离效应,但是尚未打破本地根植性的贸易地理结构。"
    assert not cue_reading("Digital technology has not broken the local trade geography.", ev2)


def test_lowering_a_possibility_is_making_it_harder(aligner):
    ev = "另一方面,这种要素高度集中的模式降低了其他地区获得人工智能技术红利的可能性。"
    assert conflicts("高度集中的要素使其他地区更容易获得人工智能技术红利。", [ev], aligner)
    assert not conflicts("高度集中的要素使其他地区更难获得人工智能技术红利。", [ev], aligner)


YE = (
    "现有研究表明,受技术经济效应滞后性影响,人工智能对产业结构高度化水平的影响更多体现在未来,"
    "而对产业结构合理化水平的影响却会在短期内显现(叶祥松等,2023)。"
)


@pytest.mark.parametrize(
    "claim, opposite",
    [
        ("人工智能对产业结构合理化的影响主要体现在未来。", True),  # 合理化 is the short-term one
        ("人工智能对产业结构合理化的影响在短期内就会显现。", False),  # paraphrase
        ("人工智能对产业结构高度化的影响更多体现在未来。", False),  # the other clause, as said
        ("人工智能对产业结构高度化的影响在短期内显现。", True),  # the other clause, flipped
    ],
)
def test_a_subject_before_a_contrast_word_stays_with_its_predicate(aligner, claim, opposite):
    """ "而对合理化的影响却会在短期内显现" is one clause: 合理化 is what 短期 is said of; a whole
    sentence with two contrasted clauses is judged clause by clause, in both directions."""
    assert bool(conflicts(claim, [YE], aligner)) is opposite


def test_abbreviations_are_terms_too():
    from assistant.answering.meaning import content_terms

    assert "欧盟" in content_terms("综述如何评价欧盟的人工智能法案?")


def test_english_negation_reaches_rightwards():
    """ "significant only in X and shows no spillover": the "no" negates the spillover, not the
    "only" before it (the review's 仅…且不存在 says the same); "does not weaken" still flips."""
    claim = "AI-driven synergy is significant only in regions with developed AI infrastructure and shows no spillover"
    assert (
        analyse_clause(claim).signs["scope"]
        == analyse_clause("这种效应仅在基础设施发展水平较高地区显著").signs["scope"]
    )
    assert not cue_reading(
        claim, "人工智能驱动区域产业协同,但这种效应仅在人工智能基础设施发展水平较高地区显著,且不存在空间溢出效应。"
    )
    assert analyse_clause("AI does not weaken the constraint").signs["up"] == 1
    assert (
        analyse_clause("geographic factors are no longer a basic variable").signs
        == analyse_clause("地理因素不再是基本变量").signs
    )
