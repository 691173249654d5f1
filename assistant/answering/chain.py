"""The answering chain: condense → retrieve (cross-lingual) → relevance gate → prompt | LLM (streamed)
→ marker check per sentence → cited answer or an honest refusal.

Sentences are released to the caller only after their markers are checked, so what streams is
what is grounded. The `extractive` backend (or a failing LLM) quotes the best sentences instead.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from assistant.answering.english import EnglishWriter
from assistant.answering.grounding import (
    REFUSAL,
    Check,
    CheckedSentence,
    ContextPassage,
    Grounder,
    quoted,
    render,
    split_answer,
)
from assistant.answering.prompts import chat_prompt
from assistant.answering.questions import question_kind
from assistant.answering.results import (
    COMPOSED,
    NOTES,
    POINT,
    PREMISE,
    AskEvent,
    AskResult,
    DoneEvent,
    SentenceEvent,
    StatusEvent,
)
from assistant.answering.verify import Label
from assistant.errors import check_query
from assistant.indexing.build import Index, ensure_index
from assistant.llm.backends import Backend, LLMUnavailable, describe_failure, get_backend, get_judge_backend
from assistant.log import log
from assistant.retrieval.hybrid import Hit, HybridRetriever
from assistant.serialize import citations_json
from assistant.settings import Settings
from assistant.text import detect_lang

NOT_FOUND_RX = re.compile(r"not[\s_-]*found", re.I)


class Assistant:
    """Everything a session needs, loaded once: index, retriever, grounder and the LLM backend."""

    def __init__(
        self,
        settings: Settings,
        backend: str | None = None,
        index: Index | None = None,
        chat: Any = None,
        judge: Backend | None = None,
    ) -> None:
        """`chat`: a LangChain chat model to answer with instead of the configured backend (tests,
        seams); it judges nothing unless `judge` (a Backend) is given too."""
        self.settings = settings
        self.index = index or ensure_index(settings)
        self.backend: Backend = get_backend(settings, backend) if chat is None else Backend("custom", "custom", chat)
        self.translator = None
        if self.backend.chat is not None and settings.translate_queries:
            self.translator = self._translator()
        rewriter = self.translator
        if rewriter is None and settings.translate_queries:  # no LLM: the curated glossary still bridges
            from assistant.retrieval.translate import curated_rewriter

            rewriter = curated_rewriter(settings)
        if rewriter is not None:
            self.glossary_pairs: dict[str, str] = rewriter.glossary.pairs
        else:  # English answers are still cleaned with the curated glossary
            from assistant.retrieval.translate import load_curated

            self.glossary_pairs = load_curated(settings.corpus_path.parent / "glossary.tsv")
        self.retriever = HybridRetriever(self.index, rewriter=rewriter)
        self.grounder = Grounder(self.retriever)
        from assistant.retrieval.translate import Glossary

        self.grounder.glossary = Glossary(self.glossary_pairs)
        self.english = EnglishWriter(self.grounder.glossary, self.backend.chat, self.grounder.idf)
        self.verifier = self._verifier(judge if chat is not None else get_judge_backend(settings, self.backend))
        self.grounder.verifier = self.verifier
        self._citer = None
        from assistant.answering.compose import Composer

        self.composer = Composer(self)

    def _verifier(self, judge_backend: Backend | None):
        """The one verifier every answer, claim, premise and summary goes through."""
        from assistant.answering.verify import Verifier
        from assistant.answering.verify.judge import EntailmentJudge

        return Verifier(EntailmentJudge(judge_backend), self.grounder.aligner, self.index.doc.source)

    @property
    def glosser(self):
        """Machine renderings of quoted evidence for readers of the other language."""
        if getattr(self, "_glosser", None) is None:
            from assistant.answering.gloss import Glosser

            self._glosser = Glosser(self)
        return self._glosser

    @property
    def citer(self):
        """The claim checker (`cite`), shared for premise checks."""
        if self._citer is None:
            from assistant.answering.claims import make_citer

            self._citer = make_citer(self)
        return self._citer

    def _translator(self):
        from assistant.retrieval.translate import LLMTranslator, build_glossary

        try:
            who = f"{self.backend.name}|{self.backend.endpoint}|{self.backend.model}"  # cache key: endpoint + model
            glossary = build_glossary(self.settings, self.index.doc, self.backend.chat, who)
            return LLMTranslator(self.settings, self.index.doc, self.backend.chat, who, glossary)
        except Exception as e:  # an unreachable endpoint must not stop retrieval
            log.warning(f"{describe_failure(self.backend, e).en}; searching without translation")
            return None

    # ------------------------------------------------------------------------------ helpers
    def condense(self, question: str, history: list[tuple[str, str]], lang: str) -> str:
        """A follow-up plus the chat history → one standalone question (LLM), else a plain join."""
        from assistant.answering.questions import refers_back

        if not history or not refers_back(question):
            return question  # a new question stands as asked: an unrelated earlier turn must not bend it
        turns = "\n".join(
            f"{'用户' if lang == 'zh' else 'User'}: {q}\n{'助手' if lang == 'zh' else 'Assistant'}: {a}"
            for q, a in history[-3:]
        )
        if self.backend.chat is None:
            return f"{history[-1][0]} {question}"
        try:
            out = (chat_prompt("condense", lang) | self.backend.chat).invoke({"history": turns, "question": question})
            text = str(out.content).strip().splitlines()[0].strip() if str(out.content).strip() else ""
            return text if 3 <= len(text) <= 400 else question
        except Exception:
            return f"{history[-1][0]} {question}"

    # ------------------------------------------------------------------------------ ask
    def ask_stream(
        self,
        question: str,
        lang: str = "auto",
        history: list[tuple[str, str]] | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[AskEvent]:
        """StatusEvent, then checked Sentences as they pass, then DoneEvent with the whole result;
        markers numbered from [1] in order of appearance. `stop`: set from another thread (the web
        app's Stop), the model stops at its next token, even before a sentence is complete."""
        from assistant.answering.relabel import MarkerOrder

        order = MarkerOrder()
        for ev in self._ask_stream(question, lang, history, stop):
            yield order.event(ev)

    def _ask_stream(
        self,
        question: str,
        lang: str = "auto",
        history: list[tuple[str, str]] | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[AskEvent]:
        from assistant.text import other_latin_language

        question = check_query(question)
        foreign = lang not in ("zh", "en") and other_latin_language(question)
        lang = lang if lang in ("zh", "en") else detect_lang(question)
        t0 = time.perf_counter()
        standalone = self.condense(question, history or [], lang)
        yield StatusEvent("retrieve")
        from assistant.answering.grounding import SENTENCE_POOL

        hits = self.retriever.search(standalone, max(self.settings.k, SENTENCE_POOL), detect_lang(standalone))
        queries = self.retriever.queries_for(standalone, detect_lang(standalone))
        t_ret = time.perf_counter()
        use_llm = self.backend.chat is not None
        result = AskResult(
            question,
            lang,
            "",
            self.backend.name,
            self.backend.model,
            [],
            False,
            standalone_question=standalone if standalone != question else "",
            note=NOTES["other_language"]["en"] if foreign else "",
        )
        from assistant.answering.questions import premise, referenced

        notes: list[CheckedSentence] = []
        ref_ctx = self._reference_context(referenced(standalone, self.index.doc), hits)
        claim = "" if ref_ctx else premise(standalone)
        checked_premise = self.citer.cite(claim) if claim else None
        if (
            not ref_ctx
            and self.not_covered(hits, queries)
            and not (checked_premise and checked_premise.verdict == "contradicted")
        ):
            result.answer, result.refused, result.state = REFUSAL[lang], True, "not_covered"
            result.timings = {"retrieve": t_ret - t0, "total": time.perf_counter() - t0}
            yield SentenceEvent(result.answer)
            yield DoneEvent(result)
            return
        ctx = ref_ctx or self.context_for(standalone, hits, queries)
        if checked_premise and checked_premise.verdict == "contradicted":
            result.state = "corrected"
        if checked_premise and checked_premise.verdict in ("contradicted", "not_found"):
            # the question takes for granted what the review does not say: say so first, cited
            notes.append(
                CheckedSentence(PREMISE[checked_premise.verdict][lang].format(x=claim.rstrip("。.?？")), [], 1.0)
            )
            if checked_premise.verdict == "contradicted" and checked_premise.quotes:
                q = checked_premise.quotes[0]
                hit = next((h for h in hits if h.passage.id == q.passage.id), None) or Hit(
                    q.passage, 0.0, q.score, self.index.chunks[0], []
                )
                ctx = [
                    ContextPassage(1, hit, q.sentence.text, [q.sentence], single=True),
                    *[
                        ContextPassage(i, c.hit, c.text, c.units, c.single)
                        for i, c in enumerate([c for c in ctx if not c.units or c.units[0].id != q.sentence.id], 2)
                    ],
                ]
                notes.append(
                    CheckedSentence(
                        PREMISE["says"][lang].format(q=q.sentence.text.strip().rstrip("。！？!?")),
                        [1],
                        1.0,
                        evidence={1: q.sentence},
                    )
                )
        if checked_premise and checked_premise.verdict != "supported":
            # asked neutrally: a small model answers "Yes, …" to a leading question whatever its context says
            standalone = PREMISE["ask"][lang].format(x=claim.rstrip("。.?？"))
        for n in notes:
            yield SentenceEvent(render([n], lang), n)
        checked: list[CheckedSentence] = list(notes)
        dropped = 0
        contradicted: list[CheckedSentence] = []  # model sentences whose evidence says the opposite
        first_token = None
        composed = False
        shape = question_kind(standalone)
        if self.settings.compose and not ref_ctx and not notes and shape in ("list", "broad"):
            # the review's own points on it, each with its source; no model text to check
            for kind, payload in self.composer.compose(standalone, lang, hits, queries, shape == "list"):
                if kind == "plan":
                    composed, ctx = True, []
                    lead = CheckedSentence(COMPOSED["lead"][lang], [], 1.0)
                    checked.append(lead)
                    yield StatusEvent("compose", f"{payload.how}: {', '.join(payload.sections)}")
                    yield SentenceEvent(lead.text, lead)
                elif kind == "check":
                    result.checks.append(payload)
                elif kind == "note":
                    result.note = " ".join(filter(None, [result.note, NOTES[payload][lang]]))
                elif kind == "point":
                    point, passage = payload
                    checked.append(point)
                    ctx.append(passage)
                    yield SentenceEvent(POINT + render([point], lang), point)
        if use_llm and not composed:
            try:
                for kind, payload in self._generate(standalone, lang, ctx, stop):
                    if kind == "first_token":
                        first_token = time.perf_counter()
                    elif kind == "sentence":
                        checked.append(payload)
                        yield SentenceEvent(render([payload], lang), payload)
                    elif kind == "dropped":
                        dropped += 1
                    elif kind == "contradicted":
                        contradicted.append(payload)
                    elif kind == "check":
                        result.checks.append(payload)
                    elif kind == "quote" and not any(
                        payload.evidence.keys() == c.evidence.keys() and c.evidence for c in checked
                    ):
                        checked.append(payload)
                        yield SentenceEvent(render([payload], lang), payload)
                    elif kind == "stopped":
                        result.state = "time_cut" if payload == "cut" else result.state
                        result.note = " ".join(
                            filter(None, [result.note, NOTES[payload][lang].format(s=self.settings.answer_seconds)])
                        )
            except LLMUnavailable as e:
                use_llm = False
                result.note = NOTES["fallback"][lang].format(why=e.message(lang))
                result.backend, result.model = "extractive", "extractive"
                yield StatusEvent("fallback", result.note)
        if composed and not use_llm:
            result.note = NOTES["extractive"][lang]
        if not use_llm and not composed:
            checked = notes + self._extract(queries, ctx)
            if not result.note:
                result.note = NOTES["extractive"][lang]
            for c in checked[len(notes) :]:
                yield SentenceEvent(render([c], detect_lang(c.text)), c)
        if use_llm and contradicted and not ref_ctx and not [c for c in checked if c.markers]:
            # every sentence the model wrote was dropped, at least one because its evidence says the
            # opposite: the evidence is about the question, so quote it rather than refuse
            result.note = " ".join(filter(None, [result.note, NOTES["withheld"][lang]]))
            result.state = "withheld"
            for c in self._evidence_of(contradicted, lang):
                checked.append(c)
                yield SentenceEvent(render([c], lang), c)
        if ref_ctx and not [c for c in checked if c.markers]:
            # a question about a reference: the sentences that cite it are the answer, quoted
            for c in ref_ctx[:3]:
                u = c.units[0]
                said = CheckedSentence(
                    PREMISE["cites"][lang].format(q=u.text.strip().rstrip("。！？!?")),
                    [c.marker],
                    1.0,
                    evidence={c.marker: u},
                )
                checked.append(said)
                yield SentenceEvent(render([said], lang), said)
        if result.state == "time_cut" and not [c for c in checked if c.markers]:
            # a time cut says nothing about the review: the best quotes stand, not a refusal
            for c in self._extract(queries, ctx):
                c.text = quoted(c.text, lang)
                checked.append(c)
                yield SentenceEvent(render([c], lang), c)
        if not [c for c in checked if c.markers]:
            result.answer, result.refused, result.state = REFUSAL[lang], True, "not_covered"
            yield SentenceEvent(result.answer)
        else:
            result.citations = citations_json(checked, ctx, self.index.doc)
            if composed:
                result.answer = checked[0].text + "".join(POINT + render([c], lang) for c in checked[1:])
            else:
                result.answer = render(checked, lang if use_llm else detect_lang(checked[-1].text))
            result.grounded = True
            if use_llm and self.settings.glosses:
                yield StatusEvent("gloss")
                from assistant.answering.gloss import gloss_quotes

                gloss_quotes(self.glosser, [q for c in result.citations for q in c["quotes"]], lang)
        result.dropped_sentences = dropped
        t_end = time.perf_counter()
        result.timings = {
            "retrieve": round(t_ret - t0, 3),
            "total": round(t_end - t0, 3),
            **({"first_token": round(first_token - t0, 3)} if first_token else {}),
        }
        yield DoneEvent(result)

    def context_for(self, question: str, hits: list[Hit], queries: list[str]) -> list[ContextPassage]:
        """What the LLM sees: numbered single evidence sentences (the whole enumeration for a list
        question), or passage excerpts with REVIEWQA_CONTEXT_SENTENCES=0."""
        from assistant.answering.questions import is_list_question

        listing = is_list_question(question)
        if self.settings.context_sentences > 0 or listing:
            return self.grounder.sentence_context(
                hits,
                queries,
                self.settings.context_passages,
                self.settings.context_sentences or 6,
                list_question=listing,
            )
        return self.grounder.context(hits, queries, self.settings.context_passages, self.settings.context_chars)

    def ask(self, question: str, lang: str = "auto", history: list[tuple[str, str]] | None = None) -> AskResult:
        for ev in self.ask_stream(question, lang, history):
            if isinstance(ev, DoneEvent):
                return ev.result
        raise RuntimeError("ask produced no result")

    def not_covered(self, hits: list[Hit], queries: list[str]) -> bool:
        """The review does not speak to the question: nothing retrieved is close enough, or its
        subject is absent from the review's words (the gate before any model call)."""
        use_llm = self.backend.chat is not None
        return not self.grounder.relevant(hits, confident=not use_llm) or self._off_topic(queries)

    # ------------------------------------------------------------------------------ generation
    def _off_topic(self, queries: list[str]) -> bool:
        """The question's own subject is absent from the review (verify.absence). The reference list
        does not count: a cited title naming 欧盟 is not the review discussing the EU (questions about
        a reference are routed through the citation links before this)."""
        from assistant.answering.verify.absence import subject_absence

        zh = next((q for q in queries if detect_lang(q) == "zh" and len(q) >= 6), "")
        absence = subject_absence(zh, self._own_text, translated=zh != queries[0]) if zh else None
        if absence and absence.unused:
            log.info("terms the review never uses: %s", ", ".join(absence.unused))
        return bool(absence and absence.absent)

    @property
    def _own_text(self) -> str:
        """The review's own words: everything but the reference list."""
        if getattr(self, "_own", None) is None:
            doc = self.index.doc
            self._own = "\n".join(p.text for p in [*doc.front, doc.abstract, *doc.body, *doc.notes, doc.abstract_en])
        return self._own

    def _reference_context(self, refs: list[int], hits: list) -> list[ContextPassage]:
        """A question about references: the review's sentences that cite them, numbered."""
        if not refs:
            return []
        from assistant.answering.claims import reference_clause
        from assistant.retrieval.hybrid import Hit

        doc_by_id = self.index.doc.by_id()
        units = [u for u in self.index.sentences if set(u.refs) & set(refs)][:8]
        out = []
        for i, u in enumerate(units, 1):
            p = doc_by_id[u.passage_id]
            hit = next((h for h in hits if h.passage.id == p.id), None) or Hit(p, 0.0, 0.0, self.index.chunks[0], [])
            # the clause these references close: a sentence citing others for its other clauses must
            # not lend their point to this reference
            a, b = reference_clause(p, u, set(refs))
            out.append(ContextPassage(i, hit, p.text[a:b].strip(" ,，;；"), [u], single=True))
        return out

    def _generate(
        self, question: str, lang: str, ctx: list[ContextPassage], stop: threading.Event | None = None
    ) -> Iterator[tuple[str, Any]]:
        """Stream the LLM and check each sentence as soon as it is complete. Bounded: past
        `answer_seconds`, or when the model repeats a sentence it already wrote (a loop that would run
        to the token limit), the stream is closed, which stops generation; what is checked stands."""
        from difflib import SequenceMatcher

        # for an English answer the review's terms carry their English in the context, so a small
        # model copies it rather than coining a calque ("technology density" for 技术密集度)
        passages = "\n".join(f"[{c.marker}] {self.english.annotate(c.text) if lang == 'en' else c.text}" for c in ctx)
        chain = chat_prompt("answer", lang) | self.backend.chat
        buf, released, started = "", 0, False
        seen: list[str] = []
        deadline = float("inf")  # the bound counts generation, from the first token: not the wait for the model
        stream = chain.stream({"passages": passages, "question": question})
        try:
            for chunk in stream:
                if stop is not None and stop.is_set():
                    return  # stopped by the user: the stream is closed below, which frees the model
                piece = str(chunk.content)
                if not piece:
                    continue
                if not started:
                    started = True
                    deadline = time.perf_counter() + self.settings.answer_seconds
                    yield "first_token", None
                buf += piece
                if NOT_FOUND_RX.match(buf.lstrip()):
                    return
                complete = split_answer(buf)[:-1]  # the last sentence may still grow
                for text, markers in complete[released:]:
                    if len(text) > 15 and any(SequenceMatcher(None, text, old).ratio() > 0.9 for old in seen):
                        yield "stopped", "loop"
                        return
                    seen.append(text)
                    yield from self._check_one(text, markers, ctx, lang)
                released = max(released, len(complete))
                if time.perf_counter() > deadline:
                    yield "stopped", "cut"
                    return
        except Exception as e:
            raise describe_failure(self.backend, e) from None
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()  # stops the model now, not when the generator is collected
        if NOT_FOUND_RX.search(buf[:24]):
            return
        for text, markers in split_answer(buf)[released:]:
            yield from self._check_one(text, markers, ctx, lang)

    def _check_one(
        self,
        text: str,
        markers: list[int],
        ctx: list[ContextPassage],
        lang: str,
    ) -> Iterator[tuple[str, Any]]:
        if NOT_FOUND_RX.search(text):
            return
        if lang == "en":
            from assistant.text import other_latin_language

            text = "" if other_latin_language(text) else self.english.clean(text)
            if not text:
                yield "dropped", None
                return
            cited = [c.passage.text for c in ctx if c.marker in markers] or [c.text for c in ctx]
            text = self.grounder.glossary.snap(text, "\n".join(cited))
        marked = text + "".join(f"[{m}]" for m in markers)
        contradicted: list[CheckedSentence] = []
        trace: list[Check] = []
        kept, dropped = self.grounder.check(marked, ctx, contradicted, trace)
        for t in trace:
            yield "check", t
        for k in kept:
            yield "sentence", k
        for _ in range(dropped):
            yield "dropped", None
        for c in contradicted:
            yield "contradicted", c
        by_id = {u.id: (c.marker, u) for c in ctx for u in c.units}
        for t in trace:  # about the question but not certified: the quote it rests on stands instead
            if not t.kept and t.verdict is not None and t.verdict.label is Label.PARTIAL and t.quote_id in by_id:
                marker, u = by_id[t.quote_id]
                yield "quote", CheckedSentence(self._stand_in(u.text, lang), [marker], 0.0, evidence={marker: u})

    def _stand_in(self, text: str, lang: str) -> str:
        """A quote standing in for an uncertified sentence. In an English answer it carries its
        machine translation, shown only when the verifier certifies it against the quote (the
        glosser's rule), so an English reader is not left with Chinese alone."""
        q = quoted(text, lang)
        if lang != "en" or detect_lang(text) == "en" or not self.settings.glosses:
            return q
        gloss = self.glosser.gloss(text, "en")
        return f"{gloss.rstrip('. ')} (machine translation of {q.rstrip('.')})." if gloss else q

    def _evidence_of(self, contradicted: list[CheckedSentence], lang: str, limit: int = 2) -> list[CheckedSentence]:
        """The review's own sentences that contradicted the model, each once, quoted with its marker."""
        out: list[CheckedSentence] = []
        seen: set[str] = set()
        for c in contradicted:
            for m, u in c.evidence.items():
                if u.id in seen or len(out) >= limit:
                    continue
                seen.add(u.id)
                # Chinese answers quote the sentence; English ones the same stand-in as an uncertified
                # sentence gets: its certified machine translation with the quote, else the quote
                q = self._stand_in(u.text, "en") if lang == "en" else u.text.strip().rstrip("。！？!?")
                text = PREMISE["review_says"][lang].format(q=q)
                out.append(CheckedSentence(text, [m], 1.0, evidence={m: u}))
        return out

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
