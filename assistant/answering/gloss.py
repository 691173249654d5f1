"""Machine renderings of the review's own sentences, for readers of the other language: glosses of
quoted evidence (Chinese → English for English answers, the English abstract → Chinese) and the
one-line "what the review cites this reference for" of a dossier. Always marked as generated;
cached per corpus, LLM identity and prompt; shown and cached only when the verifier certifies it
against its quote (re-checked when read back); an empty or malformed result is never cached."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answering.meaning import strip_citations
from assistant.answering.prompts import PROMPTS_DIR
from assistant.log import log
from assistant.text import CJK, detect_lang


class LLMCache:
    """A small JSON file of text → text, written after each new entry; what is read back is
    validated (`valid`), so a damaged or foreign file is never reused."""

    def __init__(self, path: Path, valid: Callable[[str], bool] = lambda v: bool(v.strip())) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        self.data: dict[str, str] = (
            {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str) and valid(v)}
            if isinstance(raw, dict)
            else {}
        )

    def get(self, key: str) -> str | None:
        with self._lock:
            return self.data.get(key)

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self.data[key] = value
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")
            except OSError:
                pass


def cache_for(a: Any, kind: str, prompts: tuple[str, ...]) -> LLMCache:
    """One cache per corpus, LLM identity (backend, endpoint, model) and prompt text."""
    text = "".join((PROMPTS_DIR / f"{p}.{lg}.txt").read_text(encoding="utf-8") for p in prompts for lg in ("zh", "en"))
    who = f"{a.backend.name}|{a.backend.endpoint}|{a.backend.model}"
    key = hashlib.sha256(f"{a.index.doc.source}|{who}|{text}|1".encode()).hexdigest()[:16]
    return LLMCache(a.settings.cache_dir / "llm-cache" / f"{kind}-{key}.json")


class Glosser:
    """Glosses and reference-use lines through the assistant's LLM; nothing without one."""

    def __init__(self, a: Any) -> None:
        self.a = a
        self.glosses = cache_for(a, "glosses", ("gloss",))
        self.uses = cache_for(a, "ref-uses", ("ref_use",))

    @property
    def available(self) -> bool:
        return self.a.backend.chat is not None

    def _glossary_hints(self, text: str, target: str) -> str:
        tr = getattr(self.a, "translator", None)
        pairs = getattr(getattr(tr, "glossary", None), "pairs", None) or {}
        if target == "en":  # Chinese terms found in the sentence
            hits = sorted((zh for zh in pairs if zh in text), key=len, reverse=True)[:8]
            return "\n".join(f"{zh} = {pairs[zh].split(';')[0].strip()}" for zh in hits) or "(none)"
        return "\n".join(f"{en} = {zh}" for zh, en in tr.glossary.matches(text)) if tr else "(none)"

    def _english(self, out: str) -> str:
        """Chinese words left in an English rendering put in English (glossary, then the LLM), else ''."""
        fix = getattr(getattr(self.a, "english", None), "clean", None)
        return fix(out) if fix else ("" if CJK.search(out) else out)

    def _faithful(self, generated: str, source: str) -> bool:
        """Model text shown beside a quote must say what the quote says (same facts, same direction):
        the verifier certifies it, as it certifies an answer sentence, before it is shown or cached."""
        verifier = getattr(self.a, "verifier", None)
        return verifier is not None and verifier.verify(generated, [strip_citations(source)]).supported

    def _call(self, prompt: str, lang: str, values: dict[str, str]) -> str:
        from assistant.answering.prompts import chat_prompt

        try:
            msg = (chat_prompt(prompt, lang) | self.a.backend.chat).invoke(values)
        except Exception as e:  # a gloss is an aid: its failure never breaks an answer
            log.warning(f"译文生成失败 / gloss failed ({type(e).__name__})")
            return ""
        return str(msg.content).strip().splitlines()[0].strip() if str(msg.content).strip() else ""

    def gloss(self, text: str, target: str) -> str:
        """`text` (a quoted sentence) rendered in `target` ('en' or 'zh'); '' when unavailable."""
        if not self.available or not text.strip():
            return ""
        key = f"{target}|{text}"
        if (hit := self.glosses.get(key)) is not None:
            return hit if self._faithful(hit, text) else ""
        # citations are left out (the quote beside the gloss keeps them): a model romanises names wrongly
        bare = strip_citations(text)
        out = self._call("gloss", target, {"glossary": self._glossary_hints(bare, target), "text": bare})
        if target == "en" and out:
            out = self._english(out)
            glossary = getattr(getattr(self.a, "grounder", None), "glossary", None)
            out = glossary.snap(out, bare) if out and glossary is not None else out
        ok = out and len(out) < 8 * len(text) + 80 and detect_lang(re.sub(r"[(（][^)）]*[)）]", "", out)) == target
        if not ok or not self._faithful(out, text):
            return ""
        self.glosses.put(key, out)
        return out

    def use_line(self, reference: str, sentence: str, lang: str) -> str:
        """What the review cites a reference for, in one line, from the citing sentence only."""
        if not self.available:
            return ""
        key = f"{lang}|{reference}|{sentence}"
        if (hit := self.uses.get(key)) is not None:
            return hit if self._faithful(hit, sentence) else ""
        out = self._call("ref_use", lang, {"reference": reference, "sentence": sentence})
        if lang == "en" and out:
            out = self._english(out)
        ok = out and len(out) <= (80 if lang == "zh" else 240) and detect_lang(out) == lang  # a quoted term may stay
        if not ok or not self._faithful(out, sentence):
            return ""
        self.uses.put(key, out)
        return out


def gloss_quotes(glosser: Glosser | None, quotes: list[dict[str, Any]], lang: str, field: str = "text") -> None:
    """Add `gloss` (and the machine-translation mark) to each quote not in `lang`, in place."""
    if glosser is None or not glosser.available or lang not in ("zh", "en"):
        return
    for q in quotes:
        text = q.get(field, "")
        if text and detect_lang(text) != lang:
            g = glosser.gloss(text, lang)
            if g:
                q["gloss"], q["gloss_machine_translation"] = g, True
