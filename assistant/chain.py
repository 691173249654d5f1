"""The answering chain: condense → retrieve (cross-lingual) → relevance gate → prompt | LLM (streamed)
→ marker check per sentence → cited answer or an honest refusal.

Sentences are released to the caller only after their markers are checked, so what streams is
what is grounded. The `extractive` backend (or a failing LLM) quotes the best sentences instead.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from .errors import check_query
from .grounding import REFUSAL, CheckedSentence, ContextPassage, Grounder, render, split_answer
from .indexer import Index, ensure_index
from .llm.backends import Backend, LLMUnavailable, describe_failure, get_backend
from .prompts import chat_prompt
from .retrieval import HybridRetriever
from .settings import Settings
from .text import detect_lang

NOTES = {
    "extractive": {"zh": "(摘录模式:未使用大模型,以下为综述原文摘录。)",
                   "en": "(Extractive mode: no LLM; quoting the review in its own language.)"},
    "fallback": {"zh": "大模型不可用,已改用摘录模式:{why}", "en": "The LLM is unavailable; using extractive mode: {why}"},
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


class Assistant:
    """Everything a session needs, loaded once: index, retriever, grounder and the LLM backend."""

    def __init__(self, settings: Settings, backend: str | None = None, index: Index | None = None,
                 chat: Any = None) -> None:
        self.settings = settings
        self.index = index or ensure_index(settings)
        self.backend: Backend = get_backend(settings, backend) if chat is None else Backend("custom", "custom", chat)
        self.translator = None
        if self.backend.chat is not None and settings.translate_queries:
            self.translator = self._translator()
        self.retriever = HybridRetriever(self.index, rewriter=self.translator)
        self.grounder = Grounder(self.retriever)

    def _translator(self):
        from .translate import LLMTranslator, build_glossary

        try:
            who = f"{self.backend.name}|{self.backend.endpoint}|{self.backend.model}"  # cache key: endpoint + model
            glossary = build_glossary(self.settings, self.index.doc, self.backend.chat, who)
            return LLMTranslator(self.settings, self.index.doc, self.backend.chat, who, glossary)
        except Exception as e:  # an unreachable endpoint must not stop retrieval
            print(f"[reviewqa] {describe_failure(self.backend, e).en}; searching without translation",
                  file=sys.stderr)
            return None

    # ------------------------------------------------------------------------------ helpers
    def condense(self, question: str, history: list[tuple[str, str]], lang: str) -> str:
        """A follow-up plus the chat history → one standalone question (LLM), else a plain join."""
        if not history:
            return question
        turns = "\n".join(f"{'用户' if lang == 'zh' else 'User'}: {q}\n{'助手' if lang == 'zh' else 'Assistant'}: {a}"
                          for q, a in history[-3:])
        if self.backend.chat is None:
            return f"{history[-1][0]} {question}"
        try:
            out = (chat_prompt("condense", lang) | self.backend.chat).invoke({"history": turns, "question": question})
            text = str(out.content).strip().splitlines()[0].strip() if str(out.content).strip() else ""
            return text if 3 <= len(text) <= 400 else question
        except Exception:
            return f"{history[-1][0]} {question}"

    def citations(self, checked: list[CheckedSentence], ctx: list[ContextPassage]) -> list[dict]:
        """Each cited passage once, with the exact sentences that support the answer and their refs.

        Markers keep the context numbering, so what was streamed and what is listed agree."""
        from .serialize import passage_json, reference_json

        by_marker = {c.marker: c for c in ctx}
        evidence: dict[int, list] = {}
        for c in checked:
            for m in c.markers:
                units = evidence.setdefault(m, [])
                u = c.evidence.get(m)
                if u is not None and u not in units:
                    units.append(u)
        cites = []
        for m in sorted(evidence):
            cp = by_marker[m]
            units = evidence[m]
            refs: list[int] = []
            for u in units:
                refs.extend(n for n in u.refs if n not in refs)
            cites.append({
                "marker": m,
                "passage": passage_json(cp.passage, self.index.doc, cp.hit.score, similarity=round(cp.hit.similarity, 4)),
                "quotes": [{"text": u.text, "start": u.start, "end": u.end, "references": list(u.refs)} for u in units]
                or [{"text": cp.text, "start": cp.passage.start, "end": cp.passage.end, "references": []}],
                "quote_references": [reference_json(self.index.doc.reference(n)) for n in refs],
            })
        return cites

    # ------------------------------------------------------------------------------ ask
    def ask_stream(self, question: str, lang: str = "auto", history: list[tuple[str, str]] | None = None,
                   ) -> Iterator[dict[str, Any]]:
        """Events: {"type": "status"|"sentence"|"result", ...}; sentences are already checked."""
        question = check_query(question)
        lang = lang if lang in ("zh", "en") else detect_lang(question)
        t0 = time.perf_counter()
        standalone = self.condense(question, history or [], lang)
        yield {"type": "status", "stage": "retrieve"}
        hits = self.retriever.search(standalone, self.settings.k, detect_lang(standalone))
        queries = self.retriever.queries_for(standalone, detect_lang(standalone))
        t_ret = time.perf_counter()
        use_llm = self.backend.chat is not None
        result = AskResult(question, lang, "", self.backend.name, self.backend.model, [], False,
                           standalone_question=standalone if standalone != question else "")
        if not self.grounder.relevant(hits, confident=not use_llm):
            result.answer, result.refused = REFUSAL[lang], True
            result.timings = {"retrieve": t_ret - t0, "total": time.perf_counter() - t0}
            yield {"type": "sentence", "text": result.answer}
            yield {"type": "result", "result": result}
            return
        ctx = self.grounder.context(hits, queries, self.settings.context_passages, self.settings.context_chars)
        checked: list[CheckedSentence] = []
        dropped = 0
        first_token = None
        if use_llm:
            try:
                for kind, payload in self._generate(standalone, lang, ctx):
                    if kind == "first_token":
                        first_token = time.perf_counter()
                    elif kind == "sentence":
                        checked.append(payload)
                        yield {"type": "sentence", "text": render([payload], lang), "raw": payload}
                    elif kind == "dropped":
                        dropped += 1
            except LLMUnavailable as e:
                use_llm = False
                result.note = NOTES["fallback"][lang].format(why=e.message(lang))
                result.backend, result.model = "extractive", "extractive"
                yield {"type": "status", "stage": "fallback", "note": result.note}
        if not use_llm:
            checked = self._extract(queries, ctx)
            if not result.note:
                result.note = NOTES["extractive"][lang]
            for c in checked:
                yield {"type": "sentence", "text": render([c], detect_lang(c.text)), "raw": c}
        if not checked:
            result.answer, result.refused = REFUSAL[lang], True
            yield {"type": "sentence", "text": result.answer}
        else:
            result.citations = self.citations(checked, ctx)
            result.answer = render(checked, lang if use_llm else detect_lang(checked[0].text))
            result.grounded = True
        result.dropped_sentences = dropped
        t_end = time.perf_counter()
        result.timings = {"retrieve": round(t_ret - t0, 3), "total": round(t_end - t0, 3),
                          **({"first_token": round(first_token - t0, 3)} if first_token else {})}
        yield {"type": "result", "result": result}

    def ask(self, question: str, lang: str = "auto", history: list[tuple[str, str]] | None = None) -> AskResult:
        for ev in self.ask_stream(question, lang, history):
            if ev["type"] == "result":
                return ev["result"]
        raise RuntimeError("ask produced no result")

    # ------------------------------------------------------------------------------ generation
    def _generate(self, question: str, lang: str, ctx: list[ContextPassage]) -> Iterator[tuple[str, Any]]:
        """Stream the LLM and check each sentence as soon as it is complete."""
        passages = "\n".join(f"[{c.marker}] {c.text}" for c in ctx)
        chain = chat_prompt("answer", lang) | self.backend.chat
        buf, released, started = "", 0, False
        try:
            for chunk in chain.stream({"passages": passages, "question": question}):
                piece = str(chunk.content)
                if not piece:
                    continue
                if not started:
                    started = True
                    yield "first_token", None
                buf += piece
                if buf.lstrip().startswith("NOT_FOUND"):
                    return
                complete = split_answer(buf)[:-1]  # the last sentence may still grow
                for text, markers in complete[released:]:
                    yield from self._check_one(text, markers, ctx)
                released = max(released, len(complete))
        except Exception as e:
            raise describe_failure(self.backend, e) from None
        if "NOT_FOUND" in buf[:20]:
            return
        for text, markers in split_answer(buf)[released:]:
            yield from self._check_one(text, markers, ctx)

    def _check_one(self, text: str, markers: list[int], ctx: list[ContextPassage]) -> Iterator[tuple[str, Any]]:
        if "NOT_FOUND" in text:
            return
        marked = text + "".join(f"[{m}]" for m in markers)
        kept, dropped = self.grounder.check(marked, ctx)
        for k in kept:
            yield "sentence", k
        for _ in range(dropped):
            yield "dropped", None

    def _extract(self, queries: list[str], ctx: list[ContextPassage], limit: int = 3) -> list[CheckedSentence]:
        """No LLM: the context sentences closest to the question, quoted with their markers."""
        qv = self.retriever.embedder.embed_queries(queries)
        scored = []
        for c in ctx:
            units, vecs = self.grounder.unit_vectors(c.passage.id)
            if not units:
                continue
            sims = (vecs @ qv.T).max(axis=1)
            for u, s in zip(units, sims):
                scored.append((float(s), c.marker, u))
        scored.sort(key=lambda t: -t[0])
        out: list[CheckedSentence] = []
        for s, marker, u in scored:
            if len(out) >= limit or s < self.grounder.threshold(u.text) - 0.02:
                break
            if any(u.text == o.text for o in out):
                continue
            out.append(CheckedSentence(u.text, [marker], s, evidence={marker: u}))
        return out
