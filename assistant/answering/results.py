"""What the answering chain hands out: the typed stream events, the final `AskResult`, and the
fixed sentences it writes itself (premise corrections, notes), in both languages. JSON shapes for
these are built in `assistant.serialize` only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # results are read by the CLI and the API without loading the checks
    from assistant.answering.grounding import CheckedSentence

PREMISE = {
    "contradicted": {"zh": "综述并不认为{x}。", "en": "No — the review does not say that {x}."},
    "not_found": {"zh": "综述没有提出“{x}”这一说法。", "en": "The review does not state that {x}."},
    "says": {"zh": "综述的说法是:“{q}”。", "en": "What it says is: “{q}”."},
    "review_says": {"zh": "综述的说法是:“{q}”。", "en": "What the review says instead: {q}"},
    "ask": {"zh": "综述关于“{x}”是怎么说的?", "en": "What does the review say about whether {x}?"},
    "cites": {"zh": "综述在此引用该文献:“{q}”。", "en": "The review cites it here: “{q}”."},
}
COMPOSED = {
    "lead": {
        "zh": "综述就此提出的要点如下(按原文顺序,每点注明出处):",
        "en": "The review's points on this, in its own order, each with its source:",
    },
}
POINT = "\n- "  # a composed answer's points, one per line
NOTES = {
    "extractive": {
        "zh": "(摘录模式:未使用大模型,以下为综述原文摘录。)",
        "en": "(Extractive mode: no LLM; quoting the review in its own language.)",
    },
    "fallback": {
        "zh": "大模型不可用,已改用摘录模式:{why}",
        "en": "The LLM is unavailable; using extractive mode: {why}",
    },
    "cut": {
        "zh": "(回答在 {s:.0f} 秒后截止,仅保留已核对的句子。)",
        "en": "(The answer was stopped after {s:.0f} s; only the sentences checked so far are kept.)",
    },
    "loop": {"zh": "(模型开始重复,回答到此为止。)", "en": "(The model began to repeat itself; the answer ends here.)"},
    "withheld": {
        "zh": "(模型的回答与综述原文相反,已撤下;以下为综述的原话。)",
        "en": "(The model's answer said the opposite of the review and was withheld; the review's own words are in the sources.)",
    },
    "unjudged": {
        "zh": "(核对模型未能回答:以下要点仅按与问题的相似度选取。)",
        "en": "(The checking model did not answer: these points were chosen by their similarity to the question only.)",
    },
    "other_language": {
        "zh": "(问题的语言不是中文或英文:以英文回答。)",
        "en": "(The question is not in Chinese or English: answering in English.)",
    },
}


@dataclass
class AskResult:
    question: str
    language: str
    answer: str
    backend: str
    model: str
    citations: list[dict[str, Any]]
    grounded: bool
    refused: bool = False
    note: str = ""
    standalone_question: str = ""
    dropped_sentences: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    checks: list[Any] = field(default_factory=list)  # grounding.Check: every generated sentence, kept or not
    state: str = "answered"  # answered | corrected | not_covered | time_cut | withheld


@dataclass(frozen=True)
class StatusEvent:
    """A stage has begun ("retrieve", "fallback", "gloss"); `note` says why when it matters."""

    stage: str
    note: str = ""


@dataclass(frozen=True)
class SentenceEvent:
    """One sentence of the answer, already checked and rendered with its markers; `checked` is None
    for a refusal."""

    text: str
    checked: CheckedSentence | None = None


@dataclass(frozen=True)
class DoneEvent:
    """The last event: the whole answer with its citations."""

    result: AskResult


AskEvent = StatusEvent | SentenceEvent | DoneEvent
