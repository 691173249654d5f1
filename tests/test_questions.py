"""Question kinds without models: presupposed claims, references named in a question, lists."""

from __future__ import annotations

import pytest

from assistant.answering.questions import ENUM, is_list_question, premise, question_kind, referenced


@pytest.mark.parametrize(
    "q, claim",
    [
        (
            "Why does the review say AI promotes the rationalisation of industrial structure?",
            "AI promotes the rationalisation of industrial structure",
        ),
        ("为什么综述认为仅有数字基础设施就足以支撑区域产业协调发展?", "仅有数字基础设施就足以支撑区域产业协调发展"),
        ("综述为什么认为人工智能会缩小区域差距?", "人工智能会缩小区域差距"),
        (
            "According to the review, does AI make geographic distance irrelevant?",
            "AI make geographic distance irrelevant",
        ),
        ("Is AI a universally inclusive tool?", "AI is a universally inclusive tool"),
        ("人工智能会加剧区域发展不平衡吗?", "人工智能会加剧区域发展不平衡"),
        ("综述是否认为人工智能对产业结构合理化的影响主要体现在未来?", "人工智能对产业结构合理化的影响主要体现在未来"),
    ],
)
def test_premises_are_found(q, claim):
    assert premise(q) == claim


@pytest.mark.parametrize(
    "q",
    [
        "What is the intelligence divide?",
        "人工智能如何影响产业布局?",
        "What are the three parts of the framework?",
        "哪些因素影响区域创新?",
        "Does AI promote or hinder the rationalization of the industrial structure?",
        "人工智能促进还是抑制了产业结构合理化?",
    ],
)
def test_open_questions_have_no_premise(q):
    assert premise(q) == ""


def test_references_resolve_through_citation_links(doc):
    assert referenced("文献[24]在综述中被用来支持什么观点?", doc) == [24]
    assert referenced("What does reference 31 show?", doc) == [31]
    assert referenced("王如玉等(2018)讲了什么?", doc) == [24]
    ma = referenced("What finding of Ma Shuzhong et al. (2024) does the review rely on?", doc)  # pinyin
    assert ma and all("马述忠" in doc.reference(n).entry for n in ma)
    assert referenced("文献[99]说了什么?", doc) == []  # no such reference
    assert referenced("人工智能如何影响产业布局?", doc) == []


def test_list_questions_and_enumerations():
    assert is_list_question("综述提出了哪四个未来研究方向?") and is_list_question("What are the three parts?")
    assert not is_list_question("链主企业发生了什么转变?")
    assert ENUM.match("第二,诱发产业逆向梯度转移。") and ENUM.match("二是以数据驱动破解") and ENUM.match("第二部分讨论")
    assert not ENUM.match("人工智能正在重塑")


@pytest.mark.parametrize(
    "q, back",
    [
        ("为什么?", True),
        ("这种效应在哪些地区更明显?", True),
        ("它对中小城市有什么影响?", True),
        ("具体呢?", True),
        ("Why?", True),
        ("Does this hold for small cities too?", True),
        ("What about their effect on ports?", True),
        ("这篇综述如何评价高铁对城市分工的作用?", False),
        ("港口自动化因此降低了物流成本吗?", False),
        ("高铁如何改变沿线城市的产业分工?", False),
        ("How does port automation change regional logistics?", False),
    ],
)
def test_only_a_follow_up_that_refers_back_is_condensed(q, back):
    from assistant.answering.questions import refers_back

    assert refers_back(q) is back


@pytest.mark.parametrize(
    "q, kind",
    [
        # who says it does not change what is asked
        ("According to the review, what conditions must a port city meet to automate?", "broad"),
        ("In the authors' view, how does high-speed rail change urban specialisation?", "broad"),
        ("按照这篇综述，高铁是什么?", "definition"),
        ("What main lessons do the authors draw about rail?", "broad"),
        ("What does the abstract conclude about ports?", "broad"),
        ("What specific policy priorities does the review propose for ports?", "broad"),
        ("What is port automation?", "definition"),
        ("Where is the effect of rail stronger?", "fact"),
    ],
)
def test_question_kinds_see_past_attribution(q, kind):
    assert question_kind(q) == kind
