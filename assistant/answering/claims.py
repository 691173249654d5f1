"""`cite`: find the sentences of the review that support a claim and the references cited for
exactly that statement (not every reference in the paragraph).

Sentences are ranked by e5 similarity to the claim (and to its Chinese translation), with the
share of the claim's Chinese bigrams found in the sentence as a second signal. Inside the best
sentences, each citation closes a clause; the references returned are those closing the clause
that matches the claim best.

Similarity only says what a claim is *about* (nothing close enough: `not_found`). Whether the
review *says* it is the verifier's decision (`verify/`): `supported` only when a quote restates the
claim or the entailment judge affirms it; the cue rules can only lower that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answering.grounding import Grounder
from assistant.answering.meaning import analyse_clause, strip_citations
from assistant.answering.verify import Label, Reason, Verdict, Verifier
from assistant.corpus.document import Paragraph
from assistant.errors import check_claim
from assistant.indexing.chunking import Sentence
from assistant.text import bigram_overlap, detect_lang

# Calibrated on claims (README, "Calibration"). Chinese pairs score high even when unrelated (up to
# 0.86) and a contradicting Chinese claim can reach 0.94, so Chinese support also needs shared
# wording (bigram overlap); English claims against Chinese sentences score 0.80–0.88 when supported.
ZH_SUPPORTED, ZH_OVERLAP, ZH_STRONG, ZH_PARTIAL = 0.92, 0.35, 0.95, 0.88
EN_SUPPORTED, EN_PARTIAL = 0.84, 0.80
OVERLAP_SUPPORTED = 0.6
ALIGN_JUDGE = 0.3  # an English claim's translation and a quote share this much (IDF bigrams) to be judged


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
    reason: str = ""  # a verify.Reason value: what decided the verdict
    detail: str = ""  # its specifics (the opposing cue, the terms the review lacks)
    scores: dict[str, float] = field(default_factory=dict)  # coverage, judge probabilities


def make_citer(assistant: Any) -> Citer:
    """A Citer for an Assistant, deciding with its verifier."""
    return Citer(assistant.grounder, assistant.verifier)


def reference_clause(p: Paragraph, u: Sentence, refs: set[int]) -> tuple[int, int]:
    """Offsets of the part of sentence `u` that the references `refs` close (the whole sentence
    when none does): a sentence citing others for its other clauses lends them nothing."""
    own = [(a, b) for a, b, r in clauses(p, u.para_start, u.para_end) if set(r) & refs]
    return (own[0][0], own[-1][1]) if own else (u.para_start, u.para_end)


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
    def __init__(self, grounder: Grounder, verifier: Verifier) -> None:
        self.g = grounder
        self.retriever = grounder.retriever
        self.index = grounder.index
        self.aligner = verifier.aligner
        self.verifier = verifier

    def _signals(
        self, variants: list[str], qv: np.ndarray, ids: list[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate sentence: best cosine of Chinese variants, of English variants, bigram overlap."""
        rows = np.array([self.g.row[i] for i in ids])
        sims = self.g.matrix[rows] @ qv.T  # (sentences, variants)
        langs = np.array([detect_lang(v) for v in variants])
        zh_cos = sims[:, langs == "zh"].max(axis=1) if (langs == "zh").any() else np.zeros(len(ids))
        en_cos = sims[:, langs == "en"].max(axis=1) if (langs == "en").any() else np.zeros(len(ids))
        zh_texts = [v for v, lg in zip(variants, langs) if lg == "zh" and len(v) >= 6]
        lex = np.array(
            [max((bigram_overlap(t, self.index.sentence_by_id[i].text) for t in zh_texts), default=0.0) for i in ids]
        )
        return zh_cos, en_cos, lex

    def cite(self, claim: str, k: int = 5, translate: bool = True, max_quotes: int = 3) -> CiteResult:
        claim = check_claim(claim)
        lang = detect_lang(claim)
        variants = self.retriever.queries_for(claim, lang, translate)
        hits = self.retriever.search(claim, k, lang, translate)
        qv = self.retriever.embedder.embed_queries(variants)
        if len(qv) == 0:
            return CiteResult(claim, "not_found")
        # candidates: sentences of the retrieved passages plus the best sentences anywhere
        sent_ids, _ = self.index.store.sentence_matrix()
        sims_all = self.g.matrix @ qv.T  # (sentences, variants): the best of each variant, not only overall
        cand = {sent_ids[i] for i in np.argsort(-sims_all.max(axis=1))[: 3 * k]}
        for col in range(sims_all.shape[1]):
            cand.update(sent_ids[i] for i in np.argsort(-sims_all[:, col])[: 2 * k])
        for h in hits:
            cand.update(u.id for u in self.g.by_passage.get(h.passage.id, []))
        ids = sorted(cand)
        zh_cos, en_cos, lex = self._signals(variants, qv, ids)
        # rank by the best similarity to any variant (a near-verbatim Chinese match counts as 0.90+)
        rank = np.maximum(
            np.maximum(zh_cos, en_cos), np.where(lex >= OVERLAP_SUPPORTED, 0.90 + 0.1 * (lex - OVERLAP_SUPPORTED), 0.0)
        )
        order = list(np.argsort(-rank))
        top = order[0] if order else None
        # retrieval says what the claim is about; the verifier says whether the review says it
        level = _level(zh_cos[top], en_cos[top], lex[top]) if top is not None else 0
        # only a real translation is read for meaning (a glossary rewriter's term list says nothing)
        rewriter = self.retriever.rewriter
        translation = rewriter.translate(claim) if lang == "en" and translate and hasattr(rewriter, "translate") else ""
        result = CiteResult(claim, "not_found", translation=translation)
        if top is None or (level == 0 and lex[top] <= 0.3):
            result.reason = Reason.NOT_SIMILAR.value
            return result
        ranked = self._candidates(ids, order, zh_cos, lang, translation)  # English claims: by their translation
        score = zh_cos if lang == "en" and zh_cos.any() else rank
        pool = [ids[j] for j in ranked[:8] if score[j] >= score[ranked[0]] - 0.08]
        text = self.index.sentence_by_id
        v = self.verifier.verify(
            claim,
            [text[ids[j]].text for j in ranked[:2]],
            lang,
            translation=translation,
            wider=[text[i].text for i in pool],
        )
        if level == 0 and v.label is not Label.CONTRADICTED:
            v = Verdict(Label.NOT_FOUND, Reason.NOT_SIMILAR, scores=v.scores)
        result.verdict, result.reason, result.detail, result.scores = v.label.value, v.reason.value, v.detail, v.scores
        if v.label is Label.NOT_FOUND:
            return result
        doc_by_id = self.index.doc.by_id()
        if v.label is Label.CONTRADICTED:  # the one sentence (and clause) that says otherwise
            u = next((text[i] for i in [*pool, *(ids[j] for j in ranked[:2])] if text[i].text == v.quote), None)
            u = u or text[ids[ranked[0]]]
            p = doc_by_id[u.passage_id]
            a = p.text.find(v.clause, u.para_start) if v.clause else -1
            if v.clause and 0 <= a < u.para_end:
                a, b, refs = self._clause_refs(p, u, a, a + len(v.clause))
            else:
                a, b, refs = self._best_clause(p, u, variants, qv)
            result.quotes.append(Quote(u, p, float(rank[ids.index(u.id)]), (a, b), refs))
            result.references = list(refs)
            return result
        near = [j for j in order if rank[j] >= rank[top] - 0.02]
        near.sort(key=lambda j: (text[ids[j]].text != v.quote, not text[ids[j]].refs, -rank[j]))  # verified, cited
        for j in near[:max_quotes]:
            u = text[ids[j]]
            p = doc_by_id[u.passage_id]
            a, b, refs = self._best_clause(p, u, variants, qv)
            result.quotes.append(Quote(u, p, float(rank[j]), (a, b), refs))
        for q in result.quotes:
            result.references.extend(n for n in q.refs if n not in result.references)
        return result

    def _candidates(
        self, ids: list[str], order: list[int], zh_cos: np.ndarray, lang: str, zh_claim: str = ""
    ) -> list[int]:
        """Sentences to check a claim against, best first. English claims: the Chinese sentences closest to the translation, those sharing its
        rare words first (a loose translation can be nearest to anything)."""
        if not (lang == "en" and zh_cos.any()):
            return order
        zh = [j for j in np.argsort(-zh_cos) if detect_lang(self.index.sentence_by_id[ids[j]].text) == "zh"]
        if not zh or not zh_claim:
            return zh or order
        topic = analyse_clause(zh_claim).topic
        aligned = {
            j: self.aligner.overlap(
                topic, analyse_clause(strip_citations(self.index.sentence_by_id[ids[j]].text)).topic
            )
            for j in zh[:30]
        }
        on_topic = sorted((j for j in aligned if aligned[j] >= ALIGN_JUDGE), key=lambda j: -aligned[j])
        return on_topic + [j for j in zh if j not in on_topic]

    def _clause_refs(self, p: Paragraph, u: Sentence, a: int, b: int) -> tuple[int, int, list[int]]:
        """The references that close the clause [a, b) of sentence u (or the nearest in its sentence)."""
        parts = clauses(p, u.para_start, u.para_end)
        i = next((k for k, (s, e, _) in enumerate(parts) if s <= a < e), 0)
        return a, b, _refs_of(parts, i)

    def _best_clause(
        self, p: Paragraph, u: Sentence, variants: list[str], qv: np.ndarray
    ) -> tuple[int, int, list[int]]:
        parts = clauses(p, u.para_start, u.para_end)
        if len(parts) == 1:
            return parts[0]
        texts = [p.text[a:b] for a, b, _ in parts]
        vecs = self.retriever.embedder.embed_documents(texts)
        sims = (vecs @ qv.T).max(axis=1)
        zh = [v for v in variants if detect_lang(v) == "zh"]
        if zh:
            sims = sims + np.array([max(bigram_overlap(z, t) for z in zh) for t in texts]) * 0.1
        i = int(np.argmax(sims))
        return parts[i][0], parts[i][1], _refs_of(parts, i)


def _refs_of(parts: list[tuple[int, int, list[int]]], i: int) -> list[int]:
    """The references closing clause i; an uncited clause is covered by the nearest citation in its
    sentence (the following one first)."""
    if not parts:
        return []
    if parts[i][2]:
        return list(parts[i][2])
    after = [r for _, _, r in parts[i + 1 :] if r]
    before = [r for _, _, r in parts[:i] if r]
    return list(after[0] if after else (before[-1] if before else []))


def _level(zh_cos: float, en_cos: float, lex: float) -> int:
    """2 = supported, 1 = partial, 0 = not found."""
    if (
        (zh_cos >= ZH_SUPPORTED and lex >= ZH_OVERLAP)
        or lex >= OVERLAP_SUPPORTED
        or zh_cos >= ZH_STRONG
        or en_cos >= EN_SUPPORTED
    ):
        return 2
    if zh_cos >= ZH_PARTIAL or lex >= ZH_OVERLAP or en_cos >= EN_PARTIAL:
        return 1
    return 0
