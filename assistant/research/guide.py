"""The review's guide, shown when it opens (NotebookLM's source guide, done from the parse): its
framework as a map (three parts, seven aspects; each node opens its key sentences and the
references cited there), the abstract's main findings, and starter questions per section that are
checked answerable before they are offered. After an answer, follow-ups come from the sections next
to the one it was answered from, checked the same way.

"Answerable" is checked without the model: the composer's plan for the question (retrieval, then
the review's own points) must find at least two points in the section the question is about. So a
starter never leads to a refusal, and the check costs a retrieval, not a generation."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.corpus.document import in_section

if TYPE_CHECKING:
    from assistant.answering.chain import Assistant
    from assistant.indexing.chunking import Sentence

KEY_PER_NODE = 3
FOLLOW_UPS = 3
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\d+\.\s*)")
_AI_AND = "人工智能与"


@dataclass
class GuideNode:
    section_id: str
    title: str  # without its numbering
    level: int
    key: list[Sentence] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)  # cited in the section and its subsections
    starter: dict[str, str] = field(default_factory=dict)  # lang → question, only where answerable
    children: list[GuideNode] = field(default_factory=list)


@dataclass
class Guide:
    findings: dict[str, list[Sentence]]  # lang → the abstract's sentences (the review's own English too)
    nodes: list[GuideNode]

    def flat(self) -> list[GuideNode]:
        return [n for top in self.nodes for n in (top, *top.children)]

    def starters(self, lang: str) -> list[str]:
        return [n.starter[lang] for n in self.flat() if n.starter.get(lang)]


@lru_cache(maxsize=1)
def english_headings() -> dict[str, str]:
    """Heading (without numbering) → English, from assistant/data/headings.tsv."""
    from assistant.settings import PACKAGE_DATA

    rows = (PACKAGE_DATA / "headings.tsv").read_text(encoding="utf-8").splitlines()
    cells = [r.split("\t") for r in rows if r.strip() and not r.startswith("#")]
    return {c[0]: c[1] for c in cells[1:]}  # after the header row


def english_title(title: str) -> str:
    return english_headings().get(title, title)


def starter_questions(title: str) -> dict[str, str]:
    """A section's starter question in both languages, from its heading ("人工智能与X" → how AI
    affects X; other headings → what that part says)."""
    en = english_title(title)
    if title.startswith(_AI_AND) and en.startswith("AI and "):
        x, x_en = title[len(_AI_AND) :], en[len("AI and ") :]
        return {"zh": f"人工智能如何影响{x}?", "en": f"How does AI affect {x_en}?"}
    return {"zh": f"综述的“{title}”部分有哪些要点?", "en": f"What does the review say in its section on {en.lower()}?"}


class GuideBuilder:
    """Builds the guide once per assistant (a few seconds: one retrieval per section) and answers
    follow-up suggestions from it."""

    def __init__(self, a: Assistant) -> None:
        self.a = a
        self._guide: Guide | None = None
        self._lock = threading.Lock()

    def guide(self) -> Guide:
        with self._lock:
            if self._guide is None:
                self._guide = self._build()
            return self._guide

    def answerable(self, question: str) -> bool:
        """The gate before the model lets it through and the composer finds at least two of the
        review's points for it: what `ask` does with it first, without the model."""
        from assistant.answering.compose import MIN_POINTS
        from assistant.answering.questions import is_list_question
        from assistant.text import detect_lang

        r, lang = self.a.retriever, detect_lang(question)
        hits, queries = r.search(question, 24, lang), r.queries_for(question, lang)
        if self.a.not_covered(hits, queries):
            return False
        plan = self.a.composer.plan(question, hits, queries, is_list_question(question))
        return bool(plan and len(plan.points) >= MIN_POINTS)

    def _build(self) -> Guide:
        from assistant.answering.summarize import key_sentences

        doc = self.a.index.doc
        by = self.a.grounder.by_passage
        # the abstract's sentences but the closing outlook, in Chinese and in the review's own English
        findings = {"zh": by.get(doc.abstract.id, [])[:-1], "en": by.get(doc.abstract_en.id, [])[:-1]}
        nodes: list[GuideNode] = []
        for s in doc.sections:
            title = _NUMBERING.sub("", s.title).strip()
            subtree = [p for x in doc.sections if in_section(x.id, s.id) for p in x.paragraphs]
            node = GuideNode(
                s.id,
                title,
                s.level,
                key_sentences(self.a, subtree, KEY_PER_NODE),
                sorted({n for p in subtree for n in p.refs}),
            )
            node.starter = {lang: q for lang, q in starter_questions(title).items() if self.answerable(q)}
            if s.level == 1 or not nodes:
                nodes.append(node)
            else:
                nodes[-1].children.append(node)
        return Guide(findings, nodes)

    def follow_ups(self, question: str, lang: str) -> list[str]:
        """Starter questions of the sections next to the one the question is answered from (its
        siblings, then its parent), each already checked answerable; never the question itself."""
        from assistant.text import detect_lang

        g = self.guide()
        r = self.a.retriever
        hits = r.search(question, 10, detect_lang(question))
        sections = self.a.composer.sections(hits)
        if not sections:
            return []
        home = sections[0]
        flat = g.flat()
        parent = home.rsplit(".", 1)[0] if "." in home else ""
        here = _pos(flat, home)

        def kin(n: GuideNode) -> tuple[int, int]:  # siblings first, then the parent, then the rest
            sibling = n.section_id.rsplit(".", 1)[0] == parent if "." in n.section_id else not parent
            return (0 if sibling else 1 if n.section_id == parent else 2, abs(_pos(flat, n.section_id) - here))

        order = sorted((n for n in flat if n.section_id != home), key=kin)
        out = [n.starter[lang] for n in order if n.starter.get(lang) and n.starter[lang] != question.strip()]
        return list(dict.fromkeys(out))[:FOLLOW_UPS]


def _pos(flat: list[GuideNode], section_id: str) -> int:
    return next((i for i, n in enumerate(flat) if n.section_id == section_id), 0)
