"""The LLM as a judge of meaning: does a quoted passage SUPPORT, CONTRADICT or not address a claim?

Used where the rules in `meaning.py` cannot see the meaning: an English claim against Chinese
quotes (the clause alignment and word families need Chinese on both sides), and the answer
sentences the rules pass. Measured on the bundled 1.5B model: it catches most flips but calls
weakly supported statements CONTRADICTS too, and calls off-topic claims CONTRADICTS rather than
NEUTRAL — so "not addressed" is decided before it is asked, and callers treat its verdict as a
veto on support, never as the only evidence of a contradiction in Chinese.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from assistant.text import detect_lang

VERDICTS = ("supports", "contradicts", "neutral")


class Judge:
    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self._cache: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def judge(self, claim: str, quotes: list[str]) -> str:
        """'supports' | 'contradicts' | 'neutral', or '' when the LLM fails or answers otherwise."""
        if self.backend is None or getattr(self.backend, "chat", None) is None or not quotes:
            return ""
        from assistant.answering.prompts import chat_prompt

        passage = " ".join(q.strip() for q in quotes)[:600]
        key = (claim, passage)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        try:
            msg = (chat_prompt("judge", detect_lang(claim)) | self.backend.chat).invoke(
                {"passage": passage, "claim": claim}
            )
        except Exception:
            return ""
        m = re.search(r"\b(SUPPORTS?|CONTRADICTS?|NEUTRAL)\b", str(msg.content).upper())
        verdict = (
            {
                "SUPPORT": "supports",
                "SUPPORTS": "supports",
                "CONTRADICT": "contradicts",
                "CONTRADICTS": "contradicts",
                "NEUTRAL": "neutral",
            }.get(m.group(1), "")
            if m
            else ""
        )
        with self._lock:
            self._cache[key] = verdict
        return verdict
