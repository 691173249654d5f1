"""The entailment judge: SUPPORTS / CONTRADICTS / NEUTRAL read from the model's token probabilities,
not from a free-text word (a word says nothing of how sure the model is; thresholds need a number).

One prompt per (statement, passage) pair with `max_tokens=1`: the three labels' first tokens are
prefixes of their words (`S`/`Support`/` SUPPORT`, `CON`/`Contr`, `NE`), so each label's probability
is the sum over the top tokens that begin it, renormalised over the three. llama.cpp (in-process)
and OpenAI-compatible servers both return `top_logprobs`; an endpoint that returns none gives its
one word probability 1 (its scores then say so). The fixed few-shot prefix stays in llama.cpp's
prompt cache, so a pair costs its passage and claim only (~0.3–1.5 s on 2 cores)."""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from assistant.text import detect_lang

LABELS = {"supports": "SUPPORTS", "contradicts": "CONTRADICTS", "neutral": "NEUTRAL"}
ANSWERS = {"yes": "YES", "no": "NO"}  # the relevance prompt's two words
PASSAGE_CHARS = 600  # two review sentences fit; the longest is ~330 characters


def label_probabilities(top: list[dict[str, Any]], labels: dict[str, str] = LABELS) -> dict[str, float]:
    """{label: probability} from one position's top tokens (token, logprob), renormalised."""
    mass = dict.fromkeys(labels, 0.0)
    for t in top:
        word = str(t.get("token", "")).strip().upper()
        if not word:
            continue
        for label, full in labels.items():
            if full.startswith(word):
                mass[label] += math.exp(float(t.get("logprob", -100.0)))
    total = sum(mass.values())
    return {k: round(v / total, 4) for k, v in mass.items()} if total > 0 else {}


class EntailmentJudge:
    """Scores pairs with one backend's chat model; `None` backend: no judge (`available` False)."""

    def __init__(self, backend: Any = None, cache_size: int = 4096) -> None:
        self.backend = backend
        chat = getattr(backend, "chat", None)
        if chat is not None and getattr(chat, "streaming", False):  # an OpenAI model built for streaming
            chat = chat.model_copy(update={"streaming": False})
        self._chat = chat.bind(logprobs=True, top_logprobs=10, max_tokens=1) if chat is not None else None
        self._cache: OrderedDict[tuple[str, ...], dict[str, float]] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._chat is not None

    @property
    def name(self) -> str:
        b = self.backend
        return f"{b.name}: {b.model}" if b is not None else "none"

    def _key(self, prompt: str, lang: str, statement: str, passage: str) -> tuple[str, ...]:
        b = self.backend
        digest = _prompt_digest(prompt, lang)
        return (digest, getattr(b, "endpoint", ""), getattr(b, "model", ""), statement, passage)

    def score(self, statement: str, quotes: list[str]) -> dict[str, float] | None:
        """{supports, contradicts, neutral} for the statement against the quotes together; None when
        there is no judge or its model fails (the caller then certifies nothing by it)."""
        if not quotes:
            return None
        return self._ask("entail", {"claim": statement}, statement, quotes, LABELS)

    def relevance(self, question: str, sentence: str) -> float | None:
        """P(YES): the sentence states part of what the question asks (a benefit is not an answer to a
        question about risks); None without a judge."""
        probs = self._ask("relevant", {"question": question}, question, [sentence], ANSWERS)
        return None if probs is None else probs["yes"]

    def _ask(
        self, prompt: str, fields: dict[str, str], statement: str, quotes: list[str], labels: dict[str, str]
    ) -> dict[str, float] | None:
        if self._chat is None:
            return None
        from assistant.answering.prompts import chat_prompt

        lang = detect_lang(statement)
        passage = " ".join(q.strip() for q in quotes)[:PASSAGE_CHARS]
        key = self._key(prompt, lang, statement, passage)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            msg = (chat_prompt(prompt, lang) | self._chat).invoke({"passage": passage, **fields})
        except Exception:
            return None
        probs = _probabilities(msg, labels)
        if not probs:
            return None
        with self._lock:
            self._cache[key] = probs
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return probs


@lru_cache(maxsize=8)
def _prompt_digest(prompt: str, lang: str) -> str:
    """The judge prompt's text in a cache key: an edited prompt never serves old scores."""
    from assistant.answering.prompts import load_messages

    return hashlib.sha1(repr(load_messages(prompt, lang)).encode()).hexdigest()[:12]


def _probabilities(msg: Any, labels: dict[str, str] = LABELS) -> dict[str, float]:
    """The label distribution of a reply: from its first token's top logprobs, else its one word."""
    lp = (getattr(msg, "response_metadata", None) or {}).get("logprobs") or {}
    content = lp.get("content") if isinstance(lp, dict) else None
    if content:
        probs = label_probabilities(content[0].get("top_logprobs") or [content[0]], labels)
        if probs:
            return probs
    word = str(getattr(msg, "content", "")).strip().upper()
    for label, full in labels.items():
        if word and (full.startswith(word) or word.startswith(full[:3])):
            return {k: (1.0 if k == label else 0.0) for k in labels} | {"from_text": 1.0}
    return {}
