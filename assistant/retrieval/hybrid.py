"""Hybrid retrieval: dense search in Chroma + BM25 over jieba tokens, fused by weighted RRF.

Language-aware: BM25 counts fully for Chinese queries and little for English ones (English words
rarely occur in the Chinese text). English queries also search the Chinese chunks on their own,
so the English abstract and references cannot crowd every slot. A `QueryRewriter` (e.g. an LLM
translating the question into Chinese) adds query variants that are searched and fused too.
Results are whole passages: chunks of one paragraph are merged and duplicates dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.corpus.document import Paragraph
from assistant.errors import check_query
from assistant.indexing.build import Index
from assistant.indexing.chunking import Chunk
from assistant.text import CJK, CJK_CHARS, detect_lang, jieba_ready

STOPWORDS = set(
    "的 了 和 是 在 与 及 等 对 中 为 以 而 或 并 其 也 都 就 被 把 这 那 有 会 能 将 从 由 于 上 下 "
    "之 所 如何 什么 哪些 哪 怎样 怎么 是否 吗 呢 吧 啊 一 个 种 些 方面 主要 文章 本文 研究 "
    "the a an of to in and or for on by with as is are was were be been what which how does do "
    "why who whom whose that this these those it its their there about into from than other".split()
)
TOKEN = re.compile(rf"[{CJK_CHARS}]+|[A-Za-z][A-Za-z\-']*|\d+(?:\.\d+)?")


class QueryRewriter(Protocol):
    """Adds query variants, e.g. a Chinese translation of an English question."""

    def rewrite(self, query: str, lang: str) -> list[str]: ...


@dataclass
class Hit:
    """A retrieved passage with its fused score and the chunk that matched best."""

    passage: Paragraph
    score: float
    similarity: float  # best dense cosine of its chunks against any query variant
    chunk: Chunk
    chunks: list[Chunk] = field(default_factory=list)


def add_domain_terms(terms: list[str]) -> None:
    """Teach jieba the review's own terms (quoted phrases, keywords) so BM25 matches them whole."""
    jb = jieba_ready()
    for t in terms:
        if 2 <= len(t) <= 12:
            jb.add_word(t, freq=20000)


def tokenize(text: str) -> list[str]:
    """jieba search-mode words for Chinese, lower-cased words for English; stopwords dropped."""
    jb = jieba_ready()
    out: list[str] = []
    for m in TOKEN.finditer(text):
        piece = m.group(0)
        if CJK.match(piece):
            words = jb.lcut_for_search(piece)
        else:
            words = [piece.lower()]
        out.extend(w for w in words if w not in STOPWORDS and not (len(w) == 1 and w.isascii()))
    return out


def domain_terms(index: Index) -> list[str]:
    doc = index.doc
    quoted = re.findall(rf"“([{CJK_CHARS}—\-+]{{2,12}})”", doc.source)
    return sorted(set(quoted) | set(doc.keywords))


class HybridRetriever:
    """Built once per index; `search` is cheap (tens of ms)."""

    def __init__(self, index: Index, rewriter: QueryRewriter | None = None) -> None:
        import bm25s

        from assistant.indexing.embeddings import get_embedder

        self.index = index
        self.settings = index.settings
        self.rewriter = rewriter
        self.embedder = get_embedder(self.settings)
        self.passages = index.doc.by_id()
        add_domain_terms(domain_terms(index))
        self.chunks = index.chunks
        self.chunks_of: dict[str, list[Chunk]] = {}
        for c in self.chunks:
            self.chunks_of.setdefault(c.passage_id, []).append(c)
        self.bm25 = bm25s.BM25()
        self.bm25.index([tokenize(c.embed_text) or ["∅"] for c in self.chunks], show_progress=False)

    # -- the individual rankings -------------------------------------------------------
    def _bm25(self, query: str) -> list[str]:
        toks = tokenize(query)
        if not toks:
            return []
        scores = self.bm25.get_scores(toks)
        order = np.argsort(-scores)[: self.settings.candidates]
        return [self.chunks[i].id for i in order if scores[i] > 0]

    def _dense(self, vec: np.ndarray, lang: str | None) -> list[tuple[str, float]]:
        return self.index.store.dense(vec, len(self.chunks), lang)

    # -- public ----------------------------------------------------------------------------
    def queries_for(self, query: str, lang: str, translate: bool = True) -> list[str]:
        extra: list[str] = []
        if translate and self.rewriter is not None and self.settings.translate_queries:
            extra = [q for q in self.rewriter.rewrite(query, lang) if q and q.strip() and q != query]
        return [query, *extra]

    def search(self, query: str, k: int | None = None, lang: str | None = None, translate: bool = True) -> list[Hit]:
        """Top-k passages for a query (validated), best first."""
        query = check_query(query)
        k = k or self.settings.k
        lang = lang if lang in ("zh", "en") else detect_lang(query)
        variants = self.queries_for(query, lang, translate)
        vecs = self.embedder.embed_queries(variants)
        s = self.settings
        sent_ids, sent_mat = self.index.store.sentence_matrix()
        # every ranking is a list of passage ids, best first (chunks and sentences mapped to passages)
        rankings: list[tuple[float, list[str]]] = []
        sims: dict[str, float] = {}
        best_chunk: dict[str, str] = {}
        to_passage = lambda ids: list(dict.fromkeys(self.index.by_id[c].passage_id for c in ids))  # noqa: E731
        for q, v in zip(variants, vecs):
            qlang = detect_lang(q)
            full = self._dense(v, None)
            for cid, sim in full:
                pid = self.index.by_id[cid].passage_id
                if sim > sims.get(pid, -1.0):
                    sims[pid], best_chunk[pid] = sim, cid
            rankings.append((s.dense_weight, to_passage([cid for cid, _ in full[: s.candidates]])))
            if qlang == "en":  # let Chinese passages compete among themselves too
                zh = self._dense(v, "zh")
                rankings.append((s.dense_weight, to_passage([cid for cid, _ in zh[: s.candidates]])))
            if len(sent_ids):  # one strongly matching sentence lifts a long passage
                order = np.argsort(-(sent_mat @ v))[: s.candidates]
                rankings.append(
                    (
                        s.sentence_weight,
                        list(dict.fromkeys(self.index.sentence_by_id[sent_ids[i]].passage_id for i in order)),
                    )
                )
            w = s.bm25_weight_zh if qlang == "zh" else s.bm25_weight_en
            if w > 0:
                rankings.append((w, to_passage(self._bm25(q))))
        fused: dict[str, float] = {}
        for w, pids in rankings:
            for rank, pid in enumerate(pids):
                fused[pid] = fused.get(pid, 0.0) + w / (s.rrf_k + rank + 1)
        hits: dict[str, Hit] = {}
        for pid, score in sorted(fused.items(), key=lambda kv: -kv[1]):
            own = self.chunks_of[pid]
            ch = self.index.by_id[best_chunk[pid]] if pid in best_chunk else own[0]
            hits[pid] = Hit(self.passages[pid], score, sims.get(pid, 0.0), ch, own)
        return list(hits.values())[:k]
