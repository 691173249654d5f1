"""Plan, gather, compose: a broad or list question is answered with the review's own points.

A model asked "how does AI affect X?" over six retrieved sentences writes one sentence ("…体现在三个
方面[1]。") and never lists the three. Here the answer is planned from the review's structure instead:

1. **plan** — the section(s) the question is about: the sections of the top retrieved passages,
   weighted by rank (the hybrid retriever's ranking is measured; a section title alone is too short
   for e5 to separate "治理" from "创新");
2. **gather** — the review's own enumeration there (第一/第二, 一是/二是, 首先/其次/最后) when the
   sentences closest to the question open or belong to one, else the closest sentences of those
   sections; each point must answer the question (the judge's relevance check: a governance path is
   not a risk), 2–8 points in the review's order;
3. **compose** — one point per source sentence, each its own marker: a Chinese answer shows the
   sentence itself; an English one its machine translation when the verifier certifies it against
   the sentence, else the sentence quoted.

With fewer than two points the chain answers the usual way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering.grounding import AUTHOR_YEAR, CONFIDENT_COSINE, Check, CheckedSentence, ContextPassage, quoted
from assistant.answering.questions import LAST, ordinal
from assistant.answering.verify import Label, Reason, Verdict
from assistant.indexing.chunking import Sentence
from assistant.retrieval.hybrid import Hit
from assistant.text import detect_lang

if TYPE_CHECKING:
    from assistant.answering.chain import Assistant

VOTE_HITS = 10  # passages whose sections vote
VOTE_SHARE = 0.6  # a second section is planned when its vote is this share of the first's
ANCHORS = 3  # the closest sentences that may open (or belong to) an enumeration
CLOSE = 0.04  # without an enumeration: sentences within this cosine of the closest one
MIN_POINTS, MAX_POINTS = 2, 8
RELEVANT = 0.5  # the judge's P(YES) for "this sentence answers the question"
SKIP_SECTIONS = ("front", "refs", "notes")


@dataclass
class Plan:
    """What the answer will be made of: sections, how the points were found, the points in order."""

    sections: list[str]
    how: str  # "enumeration" | "closest"
    points: list[Sentence] = field(default_factory=list)
    similarity: dict[str, float] = field(default_factory=dict)  # sentence id → cosine to the question


def point_text(a: Assistant, sentence: str, lang: str) -> tuple[str, str]:
    """A review sentence as one point of an answer or a summary, and its gloss ('' if none): the
    sentence itself (its author–year parentheses left to the marker), or in English its machine
    translation when the verifier certifies it against the sentence, else the sentence quoted."""
    own = AUTHOR_YEAR.sub("", sentence).strip()
    if lang == "en" and a.settings.glosses and a.glosser.available:
        gloss = a.glosser.gloss(own, "en")
        if gloss:
            return gloss, gloss
    return quoted(own, lang), ""


class Composer:
    def __init__(self, a: Assistant) -> None:
        self.a = a
        self.sentences = a.index.sentences
        self.order = {u.id: i for i, u in enumerate(self.sentences)}
        doc = a.index.doc
        self.section_of = {p.id: p.section_id for p in doc.passages()}
        self.paragraph = doc.by_id()

    # -- plan -------------------------------------------------------------------------------------
    def sections(self, hits: list[Hit]) -> list[str]:
        votes: dict[str, float] = defaultdict(float)
        for rank, h in enumerate(hits[:VOTE_HITS]):
            if h.passage.section_id not in SKIP_SECTIONS:
                votes[h.passage.section_id] += 1 / (rank + 3)
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        return [s for s, v in ranked if v >= VOTE_SHARE * ranked[0][1]][:2] if ranked else []

    def plan(self, question: str, hits: list[Hit], queries: list[str], listing: bool = True) -> Plan | None:
        """`listing`: the question asks for a list, so the review's own enumeration is looked for (in
        the first section only: a recap elsewhere enumerates other things); a broad question gets the
        sentences closest to it, wherever they sit in the planned sections."""
        sections = self.sections(hits)
        pool = [u for u in self.sentences if self.section_of.get(u.passage_id) in sections]
        if not pool:
            return None
        g = self.a.grounder
        qv = self.a.retriever.embedder.embed_queries(queries)
        sims = (g.matrix[[g.row[u.id] for u in pool]] @ qv.T).max(axis=1)
        sim = {u.id: float(s) for u, s in zip(pool, sims)}
        ranked = [pool[i] for i in np.argsort(-sims)]
        for anchor in [u for u in ranked if self.section_of[u.passage_id] == sections[0]][:ANCHORS] if listing else []:
            items = self.enumeration(anchor)
            if len(items) >= MIN_POINTS:
                lead = [] if ordinal(anchor.text) is not None else [anchor]
                return Plan(sections, "enumeration", lead + items, sim)
        best = sim[ranked[0].id]
        close = [u for u in ranked if sim[u.id] >= best - CLOSE][:MAX_POINTS]
        return Plan(sections, "closest", sorted(close, key=lambda u: self.order[u.id]), sim)

    def enumeration(self, anchor: Sentence) -> list[Sentence]:
        """The one enumeration the anchor belongs to, or that it opens (its next two sentences start
        it), within its section: items in increasing order, closed by 最后 or a restart."""
        i = self.order[anchor.id]
        section = self.section_of[anchor.passage_id]
        same = lambda j: 0 <= j < len(self.sentences) and self.section_of[self.sentences[j].passage_id] == section  # noqa: E731
        n = ordinal(anchor.text)
        if n is None:
            start = next((j for j in (i + 1, i + 2) if same(j) and ordinal(self.sentences[j].text) == 1), None)
            if start is None:
                return []
        else:  # back to its first item
            start = i
            while n != 1 and same(start - 1):
                start -= 1
                n = ordinal(self.sentences[start].text) or n
            if ordinal(self.sentences[start].text) != 1:
                return []
        items: list[Sentence] = []
        last = 0
        j = start
        while same(j) and len(items) < MAX_POINTS:
            k = ordinal(self.sentences[j].text)
            if k is not None:
                if k <= last:
                    break  # a second enumeration begins
                items.append(self.sentences[j])
                last = k
                if k == LAST:
                    break
            j += 1
        return items

    # -- gather -----------------------------------------------------------------------------------
    def relevant(self, question: str, plan: Plan) -> Iterator[tuple[Sentence, bool, float | None]]:
        """Each planned point, whether it answers the question and the judge's P(YES) (None: no judge
        or it failed). Without the judge nothing shows a point answers the question but its cosine,
        so only points as close as the extractive backend's bar stand."""
        judge = self.a.verifier.judge
        for u in plan.points:
            p = judge.relevance(question, u.text) if judge.available else None
            ok = p >= RELEVANT if p is not None else plan.similarity.get(u.id, 0.0) >= CONFIDENT_COSINE
            yield u, ok, p

    # -- compose ----------------------------------------------------------------------------------
    def point(self, u: Sentence, marker: int, lang: str, sim: float) -> CheckedSentence:
        verdict = Verdict(Label.SUPPORTED, Reason.RESTATES, u.text, scores={"similarity": round(sim, 4)})
        text, _ = point_text(self.a, u.text, lang)
        return CheckedSentence(text, [marker], sim, evidence={marker: u}, verdict=verdict)

    def compose(
        self, question: str, lang: str, hits: list[Hit], queries: list[str], listing: bool = True
    ) -> Iterator[tuple[str, Any]]:
        """("plan", Plan) first; then ("check", Check) for each point judged and ("point",
        (CheckedSentence, ContextPassage)) for each kept one, in the review's order, released once
        two have passed, and ("note", "unjudged") if the judge's model failed; nothing at all when
        fewer than two points answer the question."""
        zh = next((q for q in queries if detect_lang(q) == "zh"), "")
        plan_hits = hits
        if zh and detect_lang(question) != "zh":
            # the review is Chinese: its sections are found more surely from the question's Chinese
            # rendering (an English query leans to the abstract and the overview sections)
            plan_hits = self.a.retriever.search(zh, max(len(hits), VOTE_HITS), "zh")
        plan = self.plan(question, plan_hits, queries, listing)
        if plan is None or len(plan.points) < MIN_POINTS:
            return
        by_id = {h.passage.id: h for h in [*plan_hits, *hits]}
        pending: list[tuple[str, Any]] = []
        kept, announced = 0, False
        judged = self.a.verifier.judge.available
        # the judge reads a question and a review sentence in one language: the Chinese rendering
        for u, ok, p in self.relevant(zh or question, plan):
            if judged and p is None:  # the judge's model failed: say the points rest on similarity only
                judged = False
                pending.append(("note", "unjudged"))
            scores = {"relevance": round(p, 4)} if p is not None else {}
            why = Verdict(Label.SUPPORTED, Reason.RESTATES, u.text, scores=scores)
            if not ok:
                why = Verdict(Label.PARTIAL, Reason.OFF_QUESTION, u.text, scores=scores)
            pending.append(("check", Check(u.text, ok, why, [kept + 1] if ok else [], u.id)))
            if ok:
                kept += 1
                para = self.paragraph[u.passage_id]
                hit = by_id.get(para.id) or Hit(para, 0.0, 0.0, self.a.index.chunks[0], [])
                c = ContextPassage(kept, hit, u.text, [u], single=True)
                pending.append(("point", (self.point(u, kept, lang, plan.similarity.get(u.id, 0.0)), c)))
            if kept >= MIN_POINTS:
                if not announced:
                    yield "plan", plan
                    announced = True
                yield from pending
                pending = []
        if announced:
            yield from pending  # the judged points after the last kept one
