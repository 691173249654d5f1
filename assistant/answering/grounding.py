"""Ground answers in the review: choose compact context, check every citation marker, refuse honestly.

Similarity (e5 cosine, shared Chinese bigrams, glossary anchors for English) only *places* a
sentence's markers on the evidence that fits it; whether the evidence says it is the verifier's
decision (`verify/`). A sentence is kept only when certified; its trace records every decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.verify import Label, Verdict, Verifier
from assistant.corpus.document import Paragraph
from assistant.indexing.chunking import Sentence
from assistant.retrieval.hybrid import Hit, HybridRetriever
from assistant.text import CJK, bigram_overlap, bigrams, detect_lang, sentences

# Calibrated with multilingual-e5-small on this corpus (README, "Calibration"): Chinese statements
# score high against any Chinese sentence (unrelated ones up to 0.85, paraphrases 0.94+), English
# statements against Chinese sentences lower (unrelated ≤ 0.82, supported 0.80–0.88).
SUPPORT_COSINE = {"zh": 0.87, "en": 0.80}
SUPPORT_OVERLAP = 0.5  # share of a Chinese sentence's bigrams found in the passage
# Best passage similarity of a question: in scope 0.86–0.95, out of scope 0.82–0.86.
RELEVANCE_COSINE = 0.85  # below: the review does not cover the question (no LLM call)
CONFIDENT_COSINE = 0.87  # the extractive backend, which has no NOT_FOUND, answers only above this
SWITCH_MARGIN = 0.03  # a cited passage this much weaker than another context passage is replaced
# evidence-first context: passages searched, passages always represented, sentences from one passage
# at most (an English question would otherwise get only the English abstract, its own language)
SENTENCE_POOL, TOP_PASSAGES_KEPT, MAX_PER_PASSAGE = 10, 2, 3
# English sentence vs Chinese evidence: e5's cross-lingual cosine is noisy (an unrelated sentence can
# outscore the source by 0.07), so the review's glossary terms anchor it: evidence holding none of the
# sentence's terms loses ANCHOR_MISS, evidence holding them all gains ANCHOR_GAIN.
ANCHOR_MISS, ANCHOR_GAIN, ANCHOR_MIN_WEIGHT = 0.1, 0.06, 1.5
MARKER = re.compile(r"\s*[\[［【]\s*(\d{1,2})\s*[\]］】]")
# author–year parentheses an LLM copies or invents ("(Li Wanli et al., 2023)"): markers replace them
AUTHOR_YEAR = re.compile(r"\s*[(（][^()（）]{0,80}?(?:19|20)\d\d[a-z]?[)）]")

REFUSAL = {
    "zh": "抱歉,这篇综述没有涉及这个问题。",
    "en": "Sorry — the review does not cover this question.",
}


@dataclass
class ContextPassage:
    marker: int
    hit: Hit
    text: str  # what the LLM sees: the most relevant sentences, in source order
    units: list[Sentence] = field(default_factory=list)
    single: bool = False  # one evidence sentence (evidence-first context), checked against it alone

    @property
    def passage(self) -> Paragraph:
        return self.hit.passage


@dataclass
class CheckedSentence:
    text: str  # without markers
    markers: list[int]
    support: float
    repaired: bool = False
    evidence: dict[int, Sentence] = field(default_factory=dict)  # marker → the passage sentence that supports it
    verdict: Verdict | None = None  # the verifier's decision (None: a sentence the chain wrote itself)


@dataclass
class Check:
    """One generated sentence and what was decided about it (the answer's trace)."""

    sentence: str
    kept: bool
    verdict: Verdict | None  # None: no evidence in the context was close enough to check it against
    markers: list[int] = field(default_factory=list)
    quote_id: str | None = None


class Grounder:
    """Shared by ask, cite and summarize: sentence vectors come from the store, loaded once."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self.retriever = retriever
        self.index = retriever.index
        s = self.index.settings
        self.support_cos = (
            {"zh": s.support_threshold, "en": s.support_threshold}
            if s.support_threshold is not None
            else dict(SUPPORT_COSINE)
        )
        self.relevance_cos = RELEVANCE_COSINE if s.min_similarity is None else s.min_similarity
        ids, mat = self.index.store.sentence_matrix()
        self.row = {sid: i for i, sid in enumerate(ids)}
        self.matrix = mat
        self.by_passage: dict[str, list[Sentence]] = {}
        for u in self.index.sentences:
            self.by_passage.setdefault(u.passage_id, []).append(u)
        self._text_vecs: dict[str, np.ndarray] = {}
        self._aligner = None
        self.verifier: Verifier | None = None  # set by the Assistant: decides support
        self.glossary = None  # translate.Glossary, set by the Assistant: anchors English sentences
        self._idfs: dict[str, float] = {}

    # -- vectors ---------------------------------------------------------------------------
    def unit_vectors(self, passage_id: str) -> tuple[list[Sentence], np.ndarray]:
        units = self.by_passage.get(passage_id, [])
        if units:
            return units, self.matrix[[self.row[u.id] for u in units]]
        if passage_id not in self._text_vecs:  # front matter, references: embed the whole text once
            text = self.retriever.passages[passage_id].text
            self._text_vecs[passage_id] = self.retriever.embedder.embed_documents([text])[0]
        return [], self._text_vecs[passage_id][None, :]

    # -- context -----------------------------------------------------------------------------
    def relevant(self, hits: list[Hit], confident: bool = False) -> bool:
        floor = max(self.relevance_cos, CONFIDENT_COSINE) if confident else self.relevance_cos
        return bool(hits) and max(h.similarity for h in hits) >= floor

    def threshold(self, sentence: str) -> float:
        return self.support_cos[detect_lang(sentence)]

    def context(self, hits: list[Hit], queries: list[str], n: int, max_chars: int) -> list[ContextPassage]:
        """The top passages, each cut to the sentences closest to the question (source order kept)."""
        qv = self.retriever.embedder.embed_queries(queries)
        out = []
        for i, h in enumerate(hits[:n], 1):
            units, vecs = self.unit_vectors(h.passage.id)
            if not units or len(h.passage.text) <= max_chars:
                out.append(ContextPassage(i, h, h.passage.text[: max_chars * 2], units))
                continue
            keep = within_budget(units, (vecs @ qv.T).max(axis=1), max_chars)
            out.append(ContextPassage(i, h, "".join(u.text for u in keep), keep))
        return out

    def sentence_context(
        self, hits: list[Hit], queries: list[str], n_passages: int, n_sentences: int, list_question: bool = False
    ) -> list[ContextPassage]:
        """Evidence first: numbered single sentences, the closest to the question among the sentences of
        a wider pool of passages (the sentence that answers a narrow question often sits in a passage
        ranked below the ones about its topic), with the best sentence of each of the top passages
        kept; for a list question, every item of the enumeration it touches."""
        qv = self.retriever.embedder.embed_queries(queries)
        scored: list[tuple[float, int, Hit, Sentence]] = []
        for rank, h in enumerate(hits[: max(n_passages, SENTENCE_POOL)]):
            units, vecs = self.unit_vectors(h.passage.id)
            for u, sim in zip(units, (vecs @ qv.T).max(axis=1)) if units else []:
                scored.append((float(sim), rank, h, u))
        if not scored:
            return self.context(hits, queries, n_passages, 150)
        chosen: list[tuple[Hit, Sentence]] = []
        for rank in range(min(n_passages, TOP_PASSAGES_KEPT)):  # the best sentence of each top passage
            best = max((t for t in scored if t[1] == rank), default=None, key=lambda t: t[0])
            if best:
                chosen.append((best[2], best[3]))
        for _, _, h, u in sorted(scored, key=lambda t: -t[0]):
            if len(chosen) >= n_sentences:
                break
            if (
                all(u.id != c[1].id for c in chosen)
                and sum(c[0].passage.id == h.passage.id for c in chosen) < MAX_PER_PASSAGE
            ):
                chosen.append((h, u))
        if list_question:  # gather the enumeration (第一…第四, 一是…三是, 首先…最后) around the best hit
            chosen = self._enumeration(hits[:n_passages], chosen) or chosen
        return [ContextPassage(i, h, u.text, [u], single=True) for i, (h, u) in enumerate(chosen, 1)]

    def _enumeration(self, hits: list[Hit], chosen: list[tuple[Hit, Sentence]]) -> list[tuple[Hit, Sentence]]:
        from assistant.answering.questions import ENUM

        doc = self.index.doc
        by_id = {h.passage.id: h for h in hits}
        for h in hits[:2]:
            # items may sit in one paragraph or in sibling paragraphs of one section
            section = [p for p in doc.body if p.section_id == h.passage.section_id]
            items: list[tuple[Hit, Sentence]] = []
            for p in section:
                for u in self.by_passage.get(p.id, []):
                    head = re.sub(r"^[\s(（]*", "", u.text)
                    after_colon = re.split(r"[:：]", head, maxsplit=1)[-1].lstrip()  # "…梳理:第一部分讨论…"
                    if ENUM.match(head) or ENUM.match(after_colon):
                        hp = by_id.get(p.id) or Hit(p, h.score, h.similarity, h.chunk, [])
                        items.append((hp, u))
            if len(items) >= 2:
                return items[:8]
        return []

    # -- support -------------------------------------------------------------------------------
    def anchor_terms(self, sentence: str) -> dict[str, float]:
        """The review's terms (Chinese form → weight) an English sentence uses, by the glossary,
        weighted by rarity among the review's sentences (人工智能 is in most of them and tells little)."""
        if self.glossary is None or detect_lang(sentence) != "en":
            return {}
        return {zh: self.idf(zh) for zh, _ in self.glossary.matches(sentence, limit=20)}

    def idf(self, term: str) -> float:
        """How rare a term is among the review's sentences (log inverse document frequency)."""
        if term not in self._idfs:
            n = len(self.index.sentences)
            df = sum(term in u.text for u in self.index.sentences)
            self._idfs[term] = float(np.log((n + 1) / (df + 1)))
        return self._idfs[term]

    def anchored(self, cos: np.ndarray, terms: dict[str, float], texts: list[str]) -> np.ndarray:
        """Cosines adjusted by the (rarity-weighted) share of the sentence's terms each Chinese text
        holds; a term counts by the share of its bigrams present (要素集聚 in 要素高度集聚: 2/3)."""
        total = sum(terms.values())
        if total < ANCHOR_MIN_WEIGHT:
            return cos

        def present(term: str, text: str) -> float:
            if term in text:
                return 1.0
            bs = bigrams(term)
            return len(bs & bigrams(text)) / len(bs) if bs else 0.0

        share = np.array([sum(w * present(zh, t) for zh, w in terms.items()) / total for t in texts])
        chinese = np.array([bool(CJK.search(t)) for t in texts])  # English evidence: cosine alone
        return cos + np.where(~chinese, 0.0, np.where(share == 0, -ANCHOR_MISS, ANCHOR_GAIN * share))

    def support(
        self, sentence: str, ctx: ContextPassage, qvec: np.ndarray, terms: dict[str, float] | None = None
    ) -> tuple[float, Sentence | None]:
        """Support score of a sentence by a context item, and the sentence of the review that gives it."""
        terms = self.anchor_terms(sentence) if terms is None else terms
        if ctx.single and ctx.units:  # evidence-first context: exactly the sentence the LLM saw
            units, vecs = ctx.units, self.matrix[[self.row[u.id] for u in ctx.units]]
            sims = self.anchored(vecs @ qvec, terms, [ctx.text])
            lex = bigram_overlap(sentence, ctx.text)
            cos = float(sims.max())
            return max(cos, self.threshold(sentence) + 0.01 if lex >= SUPPORT_OVERLAP else 0.0), ctx.units[0]
        units, vecs = self.unit_vectors(ctx.passage.id)
        sims = self.anchored(vecs @ qvec, terms, [u.text for u in units] or [ctx.passage.text])
        j = int(np.argmax(sims))
        cos = float(sims[j])
        unit = units[j] if units else None
        lex = bigram_overlap(sentence, ctx.passage.text)
        if units and lex >= SUPPORT_OVERLAP:  # mostly the passage's own words, even if rephrased
            lexes = [bigram_overlap(sentence, u.text) for u in units]
            if max(lexes) >= SUPPORT_OVERLAP or cos < self.threshold(sentence):
                unit = units[int(np.argmax(lexes))]
        # a Chinese sentence mostly made of the passage's words is supported even if phrased differently
        return max(cos, self.threshold(sentence) + 0.01 if lex >= SUPPORT_OVERLAP else 0.0), unit

    @property
    def aligner(self):
        if self._aligner is None:
            from assistant.answering.meaning import TopicAligner

            self._aligner = TopicAligner([u.text for u in self.index.sentences])
        return self._aligner

    def check(
        self,
        answer: str,
        ctx: list[ContextPassage],
        contradicted: list[CheckedSentence] | None = None,
        trace: list[Check] | None = None,
    ) -> tuple[list[CheckedSentence], int]:
        """Place each sentence's markers on the evidence that fits it, then have the verifier decide;
        returns the certified sentences and how many were dropped. A sentence its evidence says the
        opposite of goes to `contradicted` (with that evidence), so the caller can quote what the
        review does say; every decision, kept or not, is appended to `trace`."""
        pieces = split_answer(AUTHOR_YEAR.sub("", answer))
        if not pieces:
            return [], 0
        qv = self.retriever.embedder.embed_queries([p[0] for p in pieces])
        by_marker = {c.marker: c for c in ctx}
        kept: list[CheckedSentence] = []
        dropped = 0
        for (text, markers), v in zip(pieces, qv):
            if len(re.sub(r"\W", "", text)) < 4:  # fragments such as a lone "。" carry no claim
                continue
            valid, repaired, found, score = self._place(text, markers, ctx, v)
            evidence = {m: found[m][1] for m in valid if found[m][1] is not None}
            if not valid or not evidence:
                dropped += 1
                if trace is not None:
                    trace.append(Check(text, False, None, markers))
                continue
            verdict = self.verifier.verify(
                text,
                [u.text for u in evidence.values()],
                context=" ".join(by_marker[m].passage.text for m in valid),
            )
            if trace is not None:
                trace.append(Check(text, verdict.supported, verdict, valid, next(iter(evidence.values())).id))
            if verdict.supported:
                kept.append(CheckedSentence(text, valid, score, repaired, evidence, verdict))
                continue
            dropped += 1
            said = {m: u for m, u in evidence.items() if u.text == verdict.quote} or evidence
            if contradicted is not None and verdict.label is Label.CONTRADICTED:
                contradicted.append(CheckedSentence(text, list(said), 0.0, repaired, said, verdict))
        return kept, dropped

    def _place(
        self, text: str, markers: list[int], ctx: list[ContextPassage], v: np.ndarray
    ) -> tuple[list[int], bool, dict[int, tuple[float, Sentence | None]], float]:
        """Which context items a sentence's markers should point to: its own markers when their
        evidence is close enough, another item when that is clearly closer, the closest one when its
        own markers point nowhere. Closeness places markers; it certifies nothing."""
        by_marker = {c.marker: c for c in ctx}
        terms = self.anchor_terms(text)
        found = {c.marker: self.support(text, c, v, terms) for c in ctx}
        scores = {m: sc for m, (sc, _) in found.items()}
        need = self.threshold(text)
        valid = [m for m in dict.fromkeys(markers) if m in by_marker and scores[m] >= need]
        best = max(scores, key=scores.get) if scores else None
        if (
            valid
            and best is not None
            and best not in valid
            and scores[best] > max(scores[m] for m in valid) + SWITCH_MARGIN
        ):
            valid = [best]  # another passage in the context supports the sentence clearly better
        repaired = not valid
        if repaired:
            valid = [best] if best is not None and scores[best] >= need else []
        return valid, repaired, found, max((scores[m] for m in valid), default=0.0)


def within_budget(units: list[Sentence], score: np.ndarray, budget: int) -> list[Sentence]:
    """The best-scoring sentences that fit in `budget` characters (the best one always), greedily,
    returned in source order so the excerpt reads as the review does."""
    chosen, total = [], 0
    for j in np.argsort(-score):
        if total and total + len(units[j].text) > budget:
            continue
        chosen.append(j)
        total += len(units[j].text)
    return [units[j] for j in sorted(chosen)]


def split_answer(answer: str) -> list[tuple[str, list[int]]]:
    """Sentences with the markers that end them (a marker after the full stop belongs before it)."""
    text = answer.strip()
    out: list[tuple[str, list[int]]] = []
    for a, b in sentences(text):
        seg = text[a:b]
        lead = re.match(r"^(?:\s*[\[［【]\s*\d{1,2}\s*[\]］】])+", seg)
        if lead and out:  # "… end. [2] Next sentence": the leading markers belong to the previous one
            out[-1][1].extend(int(m) for m in MARKER.findall(lead.group(0)))
            seg = seg[lead.end() :]
        markers = [int(m) for m in MARKER.findall(seg)]
        clean = MARKER.sub("", seg).strip()
        # "layout, [1], [2]." leaves "layout, , ." once markers are gone: drop the stray separators
        clean = re.sub(r"(?:\s*[,，、;；])+\s*([。！？.!?]*[”’」』)）]*)$", r"\1", clean)
        if not clean and out:  # a run of markers after a sentence end
            out[-1][1].extend(markers)
            continue
        if re.fullmatch(r"[\W_]*", clean) and out:
            out[-1][1].extend(markers)
            continue
        out.append((clean, markers))
    return out


def render(checked: list[CheckedSentence], lang: str) -> str:
    """The validated answer with markers placed before each sentence's final punctuation."""
    parts = []
    for c in checked:
        body = c.text.rstrip()
        end = ""
        m = re.search(r"[。！？.!?；;]+[”’」』)）]*$", body)
        if m:
            body, end = body[: m.start()].rstrip(), m.group(0)
        marks = "".join(f"[{n}]" for n in c.markers)
        parts.append(f"{body} {marks}{end}" if lang == "en" and marks else f"{body}{marks}{end}")
    return (" " if lang == "en" else "").join(parts)


def quoted(text: str, lang: str) -> str:
    """A review sentence shown as itself in an answer: as it stands in a Chinese answer, in
    quotation marks in an English one (Chinese in an English answer only inside quotes)."""
    body = text.strip()
    if lang == "zh" or detect_lang(body) == lang:
        return body
    return f"“{body.rstrip('。；;')}”."


def answer_language_ok(answer: str, lang: str) -> bool:
    clean = MARKER.sub("", answer)
    return detect_lang(clean) == lang if clean.strip() else True
