"""Near-verbatim restatement: a statement made of its quote's own content words and cue words.

This is the one rule that may certify, because it reads the statement *as written*, framing
included: "存在两类风险:一是以场景赋能提升治理效率" over a quote about governance paths lacks 风险 and
两类, so it is not a restatement whatever the rest copies. A flip that keeps every word of the quote
("并不会加剧" for "会加剧") adds a cue word the quote lacks, so it is not one either."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from assistant.text import CJK, detect_lang

# reporting frames that restate nothing of the quote ("综述认为X" restates X)
FRAME_ZH = frozenset("综述 本文 文章 该文 研究 研究表明 现有研究 学者 作者 认为 指出 表明 发现 提出 强调 这篇".split())
FRAME_EN = frozenset(
    "the a an of and or to in on at for with by as from that this these those it its is are was were be been "
    "being has have had which who whom whose what review reviews says say said states argues notes finds "
    "found shows study studies research also".split()
)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z-]+|\d+(?:\.\d+)?%?")


@lru_cache(maxsize=4096)
def content_words(text: str) -> tuple[str, ...]:
    """What a statement asserts, word by word: jieba words for Chinese (2+ characters, or digits),
    lower-cased words for English; citation parentheses and reporting frames left out."""
    from assistant.answering.meaning import strip_citations

    text = strip_citations(text)
    if detect_lang(text) == "zh":
        from assistant.text import jieba_ready

        words = [w.strip() for w in jieba_ready().lcut(text)]
        return tuple(w for w in words if (len(w) >= 2 and CJK.search(w) or w.isdigit()) and w not in FRAME_ZH)
    return tuple(w.lower() for w in _EN_WORD.findall(text) if w.lower() not in FRAME_EN)


def coverage(statement: str, quote: str) -> float:
    """Share of the statement's content words that occur in the quote (0 when it has none)."""
    words = content_words(statement)
    if not words:
        return 0.0
    hay = quote if detect_lang(statement) == "zh" else quote.lower()
    return sum(w in hay for w in words) / len(words)


@lru_cache(maxsize=4096)
def _cues(text: str) -> Counter[str]:
    from assistant.answering.meaning import analyse_clause, split_clauses, strip_citations

    out: Counter[str] = Counter()
    for c in split_clauses(strip_citations(text)):
        out.update(analyse_clause(c).cues)
    return out


def same_cues(statement: str, quote: str) -> bool:
    """Every direction, scope and negation cue of the statement is in the quote, as often."""
    return not (_cues(statement) - _cues(quote))


def restates(statement: str, quote: str, min_coverage: float) -> tuple[bool, float]:
    """(is it a near-verbatim restatement, its coverage). Languages must match: a rendering in the
    other language is a translation, which only the judge can vouch for."""
    if detect_lang(statement) != detect_lang(quote):
        return False, 0.0
    cov = coverage(statement, quote)
    return cov >= min_coverage and same_cues(statement, quote), round(cov, 3)
