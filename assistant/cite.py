"""`cite`: find the sentences of the review that support a claim and the references cited for
exactly that statement (not every reference in the paragraph).

Sentences are ranked by e5 similarity to the claim (and to its Chinese translation), with the
share of the claim's Chinese bigrams found in the sentence as a second signal. Inside the best
sentences, each citation closes a clause; the references returned are those closing the clause
that matches the claim best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .chunking import Sentence
from .document import Paragraph
from .errors import check_query
from .grounding import Grounder, bigrams
from .text import detect_lang

# Calibrated on claims (README, "Calibration"). Chinese pairs score high even when unrelated (up to
# 0.86) and a contradicting Chinese claim can reach 0.94, so Chinese support also needs shared
# wording (bigram overlap); English claims against Chinese sentences score 0.80–0.88 when supported.
ZH_SUPPORTED, ZH_OVERLAP, ZH_STRONG, ZH_PARTIAL = 0.92, 0.35, 0.95, 0.88
EN_SUPPORTED, EN_PARTIAL = 0.84, 0.80
OVERLAP_SUPPORTED = 0.6


@dataclass
class Quote:
    sentence: Sentence
    passage: Paragraph
    score: float
    clause: tuple[int, int]  # offsets inside the passage text
    refs: list[int]


@dataclass
class CiteResult:
    claim: str
    verdict: str
    quotes: list[Quote] = field(default_factory=list)
    references: list[int] = field(default_factory=list)
    translation: str = ""


def clauses(p: Paragraph, a: int, b: int) -> list[tuple[int, int, list[int]]]:
    """Split text[a:b] after each citation parenthesis; each clause carries the refs that close it."""
    groups: list[tuple[int, list[int]]] = []
    for c in sorted(p.citations, key=lambda c: c.start):
        if a <= c.start and c.end <= b:
            close = p.text.find(")", c.end)
            close2 = p.text.find("）", c.end)
            ends = [x for x in (close, close2) if x != -1]
            end = min(ends) + 1 if ends else c.end
            if groups and groups[-1][0] == end:
                groups[-1][1].extend(n for n in c.refs if n not in groups[-1][1])
            else:
                groups.append((end, list(c.refs)))
    out: list[tuple[int, int, list[int]]] = []
    start = a
    for end, refs in groups:
        out.append((start, end, refs))
        start = end
    tail = p.text[start:b]
    if out and len(re.sub(r"\W", "", tail)) < 6:
        s0, _, r0 = out[-1]
        out[-1] = (s0, b, r0)
    elif start < b:
        out.append((start, b, []))
    return out


class Citer:
    def __init__(self, grounder: Grounder) -> None:
        self.g = grounder
        self.retriever = grounder.retriever
        self.index = grounder.index

    def _signals(self, variants: list[str], qv: np.ndarray, ids: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate sentence: best cosine of Chinese variants, of English variants, bigram overlap."""
        rows = np.array([self.g.row[i] for i in ids])
        sims = self.g.matrix[rows] @ qv.T  # (sentences, variants)
        langs = np.array([detect_lang(v) for v in variants])
        zh_cos = sims[:, langs == "zh"].max(axis=1) if (langs == "zh").any() else np.zeros(len(ids))
        en_cos = sims[:, langs == "en"].max(axis=1) if (langs == "en").any() else np.zeros(len(ids))
        zh_texts = [v for v, lg in zip(variants, langs) if lg == "zh" and len(v) >= 6]
        lex = np.array([max((_overlap(t, self.index.sentence_by_id[i].text) for t in zh_texts), default=0.0)
                        for i in ids])
        return zh_cos, en_cos, lex

    def cite(self, claim: str, k: int = 5, translate: bool = True, max_quotes: int = 3) -> CiteResult:
        claim = check_query(claim)
        lang = detect_lang(claim)
        variants = self.retriever.queries_for(claim, lang, translate)
        hits = self.retriever.search(claim, k, lang, translate)
        zh_texts = [v for v in variants if detect_lang(v) == "zh" and len(v) >= 6]
        qv = self.retriever.embedder.embed_queries(variants)
        if len(qv) == 0:
            return CiteResult(claim, "not_found")
        # candidates: sentences of the retrieved passages plus the best sentences anywhere
        sent_ids, _ = self.index.store.sentence_matrix()
        glob = np.argsort(-(self.g.matrix @ qv.T).max(axis=1))[: 3 * k]
        cand = {sent_ids[i] for i in glob}
        for h in hits:
            cand.update(u.id for u in self.g.by_passage.get(h.passage.id, []))
        ids = sorted(cand)
        zh_cos, en_cos, lex = self._signals(variants, qv, ids)
        # rank by the best similarity to any variant (a near-verbatim Chinese match counts as 0.90+)
        rank = np.maximum(np.maximum(zh_cos, en_cos),
                          np.where(lex >= OVERLAP_SUPPORTED, 0.90 + 0.1 * (lex - OVERLAP_SUPPORTED), 0.0))
        order = list(np.argsort(-rank))
        top = order[0] if order else None
        # the verdict applies each language's own floors (see the calibration note above)
        verdict = ("not_found", "partial", "supported")[_level(zh_cos[top], en_cos[top], lex[top])] \
            if top is not None else "not_found"
        result = CiteResult(claim, verdict, translation=zh_texts[0] if lang == "en" and zh_texts else "")
        if verdict == "not_found":
            return result
        doc_by_id = self.index.doc.by_id()
        near = [j for j in order if rank[j] >= rank[top] - 0.02]
        near.sort(key=lambda j: (not self.index.sentence_by_id[ids[j]].refs, -rank[j]))  # cited first
        for j in near[:max_quotes]:
            s = float(rank[j])
            u = self.index.sentence_by_id[ids[j]]
            p = doc_by_id[u.passage_id]
            a, b, refs = self._best_clause(p, u, variants, qv)
            result.quotes.append(Quote(u, p, s, (a, b), refs))
        for q in result.quotes:
            result.references.extend(n for n in q.refs if n not in result.references)
        return result

    def _best_clause(self, p: Paragraph, u: Sentence, variants: list[str], qv: np.ndarray) -> tuple[int, int, list[int]]:
        parts = clauses(p, u.para_start, u.para_end)
        if len(parts) == 1:
            return parts[0]
        texts = [p.text[a:b] for a, b, _ in parts]
        vecs = self.retriever.embedder.embed_documents(texts)
        sims = (vecs @ qv.T).max(axis=1)
        zh = [v for v in variants if detect_lang(v) == "zh"]
        if zh:
            sims = sims + np.array([max(_overlap(z, t) for z in zh) for t in texts]) * 0.1
        i = int(np.argmax(sims))
        a, b, refs = parts[i]
        if not refs:  # an uncited clause is covered by the nearest citation in its sentence
            after = [r for _, _, r in parts[i + 1:] if r]
            before = [r for _, _, r in parts[:i] if r]
            refs = after[0] if after else (before[-1] if before else [])
        return a, b, list(refs)


def _overlap(claim: str, sentence: str) -> float:
    b = bigrams(claim)
    return len(b & bigrams(sentence)) / len(b) if len(b) >= 4 else 0.0


def _level(zh_cos: float, en_cos: float, lex: float) -> int:
    """2 = supported, 1 = partial, 0 = not found."""
    if (zh_cos >= ZH_SUPPORTED and lex >= ZH_OVERLAP) or lex >= OVERLAP_SUPPORTED or zh_cos >= ZH_STRONG \
            or en_cos >= EN_SUPPORTED:
        return 2
    if zh_cos >= ZH_PARTIAL or lex >= ZH_OVERLAP or en_cos >= EN_PARTIAL:
        return 1
    return 0


def cite_json(r: CiteResult, doc: Any) -> dict[str, Any]:
    from .serialize import passage_json, reference_json

    support = []
    for q in r.quotes:
        s, e = q.passage.source_span(*q.clause)
        support.append({"quote": q.sentence.text, "clause": q.passage.text[q.clause[0]:q.clause[1]],
                        "start": q.sentence.start, "end": q.sentence.end, "clause_start": s, "clause_end": e,
                        "score": round(q.score, 4), "references": q.refs,
                        "passage": passage_json(q.passage, doc, q.score)})
    return {"claim": r.claim, "verdict": r.verdict, "support": support,
            "references": [reference_json(doc.reference(n)) for n in r.references],
            **({"translation": r.translation} if r.translation else {})}
