"""The polarity lexicon `meaning` reads clauses with, loaded from `assistant/data/cues.tsv`: for each
family, the words that push one way and the other, in Chinese and English; the negation words, the
compounds that only look negated, and the words that are never a statement's topic. Each entry
says where it comes from (`review`: the review's own wording; `general`: ordinary language); none
may come from an evaluation item's wording. Data only: the logic is in `meaning.py`."""

from __future__ import annotations

import re
from pathlib import Path

CUES_TSV = Path(__file__).resolve().parent.parent / "data" / "cues.tsv"
SOURCES = ("review", "general")


def _rows(path: Path = CUES_TSV) -> list[dict[str, str]]:
    lines = [ln.rstrip("\n") for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    head, body = lines[0].split("\t"), lines[1:]
    rows = [dict(zip(head, ln.split("\t"))) for ln in body if ln.strip()]
    for r in rows:
        if r.get("source") not in SOURCES or not r.get("word"):
            raise ValueError(f"{path}: bad entry {r}")
    return rows


def _families(rows: list[dict[str, str]], lang: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    out: dict[str, tuple[list[str], list[str]]] = {}
    for r in rows:
        if r["kind"] == "family" and r["lang"] == lang:
            pos, neg = out.setdefault(r["family"], ([], []))
            (pos if r["sign"] == "+" else neg).append(r["word"])
    return {f: (tuple(p), tuple(n)) for f, (p, n) in out.items()}


def _words(rows: list[dict[str, str]], kind: str, lang: str) -> tuple[str, ...]:
    return tuple(r["word"] for r in rows if r["kind"] == kind and r["lang"] == lang)


_ROWS = _rows()
# family → (+ words, − words). Longest match wins in Chinese; English matches by word prefix.
FAMILIES_ZH = _families(_ROWS, "zh")
FAMILIES_EN = _families(_ROWS, "en")
NEG_ZH = _words(_ROWS, "negation", "zh")
NOT_NEG_ZH = _words(_ROWS, "not_negation", "zh")  # compounds where 不/无/非/未 does not negate the clause
NEG_EN = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _words(_ROWS, "negation", "en")) + r")\b")
NOT_NEG_EN = re.compile("|".join(r"\b" + re.escape(w) + r"\b" for w in _words(_ROWS, "not_negation", "en")))
STOP_TERMS = set(_words(_ROWS, "stop", "zh"))  # words that are never what a statement is about
