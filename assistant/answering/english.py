"""English that stays English: answer sentences with Chinese words outside quotation marks get the
glossary's renderings (or one LLM call for words it lacks) and are dropped if Chinese remains; the
context a small model sees for an English answer carries the glossary's English after rare terms."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistant.answering.prompts import chat_prompt
from assistant.retrieval.translate import Glossary, parse_glossary_lines
from assistant.text import CJK_CHARS, CJK_RUN

QUOTED = re.compile(r"[“\"「『][^”\"」』A-Za-z]*[”\"」』]")  # a verbatim Chinese quote (no Latin letters)


class EnglishWriter:
    """One per assistant: its glossary (shared, growing), its chat model (None: no LLM) and the
    review's term rarity (common terms such as 人工智能 are not annotated)."""

    def __init__(self, glossary: Glossary, chat: Any, idf: Callable[[str], float]) -> None:
        self.glossary = glossary
        self.chat = chat
        self.idf = idf

    def clean(self, text: str) -> str:
        """An English sentence with Chinese words outside quotation marks: glossary terms are put in
        English; a sentence that still holds Chinese is dropped ('' returned)."""
        # "data silo(data silo)": a rendering followed by the same words in brackets says it once
        text = re.sub(r"\b([A-Za-z][A-Za-z \-]{1,60}?)\s*[(（]\s*\1\s*[)）]", r"\1", text, flags=re.I)
        outside = QUOTED.sub("", text)
        if not CJK_RUN.search(outside):
            return text
        pairs = self.glossary.pairs
        # "数据孤岛(data silo)", copied from the annotated context: the English the context gave stays
        fixed = re.sub(rf"[{CJK_CHARS}]+\s*[(（]\s*([A-Za-z][^()（）{CJK_CHARS}]*?)\s*[)）]", r"\1", text)
        fixed = re.sub(rf"\s*[(（][^()（）]*[{CJK_CHARS}][^()（）]*[)）]", "", fixed)  # a Chinese aside goes
        for zh in sorted((k for k in pairs if k in fixed), key=len, reverse=True):  # glossary terms, longest first
            fixed = fixed.replace(zh, f" {pairs[zh].split(';')[0].strip()} ")
        left = [t for t in dict.fromkeys(CJK_RUN.findall(QUOTED.sub("", fixed)))]
        if left and self.chat is not None and len(left) <= 4:  # terms the glossary lacks: ask once
            for zh, en in self._term_renderings(left).items():
                fixed = fixed.replace(zh, f" {en} ")
        fixed = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s+", " ", fixed)).strip()
        return "" if CJK_RUN.search(QUOTED.sub("", fixed)) else fixed

    def _term_renderings(self, terms: list[str]) -> dict[str, str]:
        """English renderings of Chinese words the glossary lacks (one LLM call), kept for the session."""
        try:
            msg = (chat_prompt("glossary", "en") | self.chat).invoke(
                {"terms": "\n".join(f"{k}. {t}" for k, t in enumerate(terms, 1))}
            )
        except Exception:
            return {}
        got = parse_glossary_lines(str(msg.content), terms)
        self.glossary.pairs.update(got)  # shared: later sentences and the glossary see it
        return got

    def annotate(self, text: str, limit: int = 3) -> str:
        """`text` with the glossary's English after the first use of its longest review terms."""
        found: list[str] = []
        for zh in sorted((k for k in self.glossary.pairs if len(k) >= 3 and k in text), key=len, reverse=True):
            # terms in most sentences (人工智能) are known to the model already
            if not any(zh in longer for longer in found) and self.idf(zh) >= 1.0:
                found.append(zh)
        for zh in found[:limit]:
            i = text.find(zh) + len(zh)
            text = f"{text[:i]}({self.glossary.pairs[zh].split(';')[0].strip()}){text[i:]}"
        return text
