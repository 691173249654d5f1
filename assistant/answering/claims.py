"""`cite`: find the sentences of the review that support a claim and the references cited for
exactly that statement (not every reference in the paragraph).

Sentences are ranked by e5 similarity to the claim (and to its Chinese translation), with the
share of the claim's Chinese bigrams found in the sentence as a second signal. Inside the best
sentences, each citation closes a clause; the references returned are those closing the clause
that matches the claim best.

Similarity only says what a claim is *about*. The verdict then reads what it *says*
(`meaning.py`): a claim clause whose best-aligned clause in the review has the opposite direction,
negation or scope is `contradicted` (the quote is that clause); a claim whose own terms the review
never uses is `not_found`, however similar its wording. Where an LLM is available it judges the
claims the rules pass (`judge.py`); `--backend extractive` keeps the rules alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answering.grounding import Grounder
from assistant.answering.meaning import (
    Conflict,
    TopicAligner,
    analyse_clause,
    conflicts,
    cue_disagreement,
    missing_terms,
    strip_citations,
)
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
    reason: str = ""  # why contradicted / not_found: the opposing cue or the terms the review lacks
    judged: str = ""  # the LLM judge's word, when one was asked


def make_citer(assistant: Any) -> Citer:
    """A Citer for an Assistant: with its LLM as the judge when it has one."""
    from assistant.answering.judge import Judge

    chat = getattr(assistant.backend, "chat", None)
    return Citer(assistant.grounder, judge=Judge(assistant.backend) if chat is not None else None)


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
    def __init__(self, grounder: Grounder, judge: Any = None) -> None:
        self.g = grounder
        self.retriever = grounder.retriever
        self.index = grounder.index
        self.aligner = TopicAligner([u.text for u in self.index.sentences])
        self.judge = judge  # optional LLM judge (judge.Judge) for claims the rules pass

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
        # the verdict applies each language's own floors (see the calibration note above)
        verdict = (
            ("not_found", "partial", "supported")[_level(zh_cos[top], en_cos[top], lex[top])]
            if top is not None
            else "not_found"
        )
        # only a real translation is read for meaning (a glossary rewriter's term list says nothing)
        rewriter = self.retriever.rewriter
        translation = rewriter.translate(claim) if lang == "en" and translate and hasattr(rewriter, "translate") else ""
        zh_claim = claim if lang == "zh" else translation
        result = CiteResult(claim, verdict, translation=translation)
        doc_by_id = self.index.doc.by_id()
        near = [j for j in order if rank[j] >= rank[top] - 0.02] if top is not None else []
        # what the claim says: opposite direction/negation/scope in the best-aligned clause of the review
        ranked, aligned = self._candidates(ids, order, zh_cos, lang, zh_claim)  # English claims: by their translation
        score = zh_cos if lang == "en" and zh_cos.any() else rank
        pool = [ids[j] for j in ranked[:8] if score[j] >= score[ranked[0]] - 0.08] if top is not None else []
        conf = self._conflicts(zh_claim or claim, pool) if verdict != "not_found" or lex[top] > 0.3 else []
        if conf:
            result.verdict, result.reason = "contradicted", conf[0].reason
            c = conf[0]
            u = next(
                self.index.sentence_by_id[i] for i in pool if self.index.sentence_by_id[i].text == c.evidence_sentence
            )
            p = doc_by_id[u.passage_id]
            a = p.text.find(c.evidence_clause, u.para_start)
            a, b = (a, a + len(c.evidence_clause)) if 0 <= a < u.para_end else (u.para_start, u.para_end)
            _, _, refs = self._clause_refs(p, u, a, b)
            result.quotes.append(Quote(u, p, float(rank[ids.index(u.id)]), (a, b), refs))
            result.references = list(refs)
            return result
        # what the claim is about: terms the review never uses mean it is not the review's claim
        lacking = missing_terms(zh_claim, self.index.doc.source, 0.67 if lang == "zh" else 0.3) if zh_claim else []
        said = ""
        # the judge is asked only where its word can change the verdict (~3 s a call): a partial claim,
        # an English claim with terms the review lacks, or one whose cues disagree with a top quote
        top2 = [self.index.sentence_by_id[ids[j]].text for j in ranked[:2]]
        top2_why = [cue_disagreement(claim, t) for t in top2] if lang == "en" else []  # read once, used thrice
        if self.judge is not None and (verdict == "partial" or lang == "en" and (lacking or any(top2_why))):
            said = self.judge.judge(claim, top2)
        result.judged = said
        weight = sum(len(t) for t in lacking)  # one short word may be a paraphrase's or a translation's own
        if lacking and (weight >= 3 or verdict != "supported") and not (lang == "en" and said == "supports"):
            result.verdict, result.reason = "not_found", "terms not in the review: " + ", ".join(lacking)
            return result
        if lang == "en" and (said == "contradicts" or (self.judge is None and result.verdict != "not_found")):
            # English claims: clauses cannot be aligned across languages. With an LLM the judge decides,
            # and only when the quote does not share the claim's own direction, negation or scope.
            # Without one (extractive) the cues decide alone: the best quote taking the opposite side of
            # a narrow family, or stating what the claim denies ("up" — promote/inhibit, weaken/strengthen
            # — takes too many objects to decide unaligned).
            for j, why in zip(ranked[:2], top2_why):
                u = self.index.sentence_by_id[ids[j]]
                if said and zh_claim and aligned.get(j, 0.0) < ALIGN_JUDGE:
                    continue  # the judge read an unrelated sentence
                rule_alone = why.endswith("vs the review") and why.split(":")[0] not in ("up", "negation")
                if why and (said == "contradicts" or rule_alone):
                    p = doc_by_id[u.passage_id]
                    a, b, refs = self._best_clause(p, u, variants, qv)
                    who = "the LLM judge and the cues" if said else "the cues"
                    result.verdict, result.reason = "contradicted", f"{who} ({why})"
                    result.quotes.append(Quote(u, p, float(rank[j]), (a, b), refs))
                    result.references = list(refs)
                    return result
        if self.judge is None and lang == "en":
            # a direction the best quotes never take leaves the claim only partly supported
            if result.verdict == "supported" and top2_why and all(top2_why):
                result.verdict, result.reason = "partial", "the review's wording does not confirm its direction"
        if said == "neutral" and result.verdict != "supported":
            result.verdict, result.reason = "not_found", "the LLM judge found it not addressed"
        if result.verdict == "not_found":
            return result
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

    def _candidates(
        self, ids: list[str], order: list[int], zh_cos: np.ndarray, lang: str, zh_claim: str = ""
    ) -> tuple[list[int], dict[int, float]]:
        """Sentences to check a claim against, best first, and their alignment with the (translated)
        claim. English claims: the Chinese sentences closest to the translation, those sharing its
        rare words first (a loose translation can be nearest to anything)."""
        if not (lang == "en" and zh_cos.any()):
            return order, {}
        zh = [j for j in np.argsort(-zh_cos) if detect_lang(self.index.sentence_by_id[ids[j]].text) == "zh"]
        if not zh or not zh_claim:
            return zh or order, {}
        topic = analyse_clause(zh_claim).topic
        aligned = {
            j: self.aligner.overlap(
                topic, analyse_clause(strip_citations(self.index.sentence_by_id[ids[j]].text)).topic
            )
            for j in zh[:30]
        }
        on_topic = sorted((j for j in aligned if aligned[j] >= ALIGN_JUDGE), key=lambda j: -aligned[j])
        return on_topic + [j for j in zh if j not in on_topic], aligned

    def _conflicts(self, claim: str, sentence_ids: list[str]) -> list[Conflict]:
        return conflicts(claim, [self.index.sentence_by_id[i].text for i in sentence_ids], self.aligner)

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
