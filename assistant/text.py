"""Small text utilities shared by chunking, retrieval, evaluation and quoting."""

from __future__ import annotations

import re
import unicodedata

# A sentence ends at 。！？!? (plus closing quotes/brackets), or at '. ' before an English capital.
_ZH_END = re.compile(r"[。！？!?；;][”’」』)）]*")
_EN_END = re.compile(r"(?<=[A-Za-z0-9)\]”\"])[.!?](?=\s+[A-Z“\"(\[])")
CJK_CHARS = "\u4e00-\u9fff"  # the CJK ideographs, for building patterns: one definition for every module
CJK = _CJK = re.compile(f"[{CJK_CHARS}]")
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_NOT_CJK = re.compile(f"[^{CJK_CHARS}]")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) covering `text`; semicolons split long Chinese clauses too."""
    cuts: set[int] = set()
    for m in _ZH_END.finditer(text):
        if m.group(0)[0] in "；;" and in_paren(text, m.start()):
            continue  # ';' separating citations inside parentheses does not end a clause
        cuts.add(m.end())
    for m in _EN_END.finditer(text):
        cuts.add(m.end())
    spans, start = [], 0
    for c in sorted(cuts):
        if c > start:
            spans.append((start, c))
            start = c
    if start < len(text):
        spans.append((start, len(text)))
    # trim leading whitespace inside each span
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        if a < b:
            out.append((a, b))
    return out


def in_paren(text: str, i: int) -> bool:
    """True if offset i lies inside an open parenthesis (so a ';' there is a citation separator)."""
    depth = 0
    for ch in text[:i]:
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
    return depth > 0


def normalize(s: str) -> str:
    """For matching: NFKC (full-width → half-width), no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)).lower()


_NOT_PROSE = re.compile(r"!?\[[^\]\n]{0,200}\]\([^)\n]{0,500}\)|https?://\S+|<[^<>\n]{0,300}>")


def detect_lang(text: str) -> str:
    """'zh' or 'en' by which has more words (a Chinese word ≈ 2 characters); ties and empty text → 'en'.

    So "AI如何影响区域经济?" is Chinese, and an English answer with a stray Chinese term stays English.
    Links, HTML tags and markdown images are not words of the question and are not counted."""
    text = _NOT_PROSE.sub(" ", text)
    cjk = len(_CJK.findall(text))
    words = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if cjk / 2 > words else "en"


_OTHER_STOP = set(
    "le la les des est une du au aux et que qui dans pour sur avec pas selon quel quelle comment pourquoi "
    "der die das und ist nicht mit wie warum welche el los las por para como qué cuál según "
    "il lo gli della delle che perché quale".split()
)
_EN_STOP = set("the of and is are what how why which does do in on for to with according".split())


def other_latin_language(text: str) -> bool:
    """A question in French, German, Spanish or Italian (by their function words): answered in
    English with a note saying so, never in a language the checks cannot read."""
    words = re.findall(r"[a-záéíóúàèìòùâêîôûäöüçñß]+", text.lower())
    if len(words) < 3 or _CJK.search(text):
        return False
    other = sum(w in _OTHER_STOP for w in words)
    return other >= 2 and other > sum(w in _EN_STOP for w in words)


def cjk_only(s: str) -> str:
    """The Chinese characters of `s`, nothing else."""
    return _NOT_CJK.sub("", s)


def bigrams(s: str) -> set[str]:
    """Character bigrams of the Chinese in `s` (punctuation, digits and Latin dropped first)."""
    t = cjk_only(s)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def bigram_overlap(sentence: str, other: str) -> float:
    """Share of `sentence`'s Chinese bigrams found in `other`; 0 for fewer than 4 (too short to say)."""
    b = bigrams(sentence)
    return len(b & bigrams(other)) / len(b) if len(b) >= 4 else 0.0


_JIEBA_READY = False


def jieba_ready():
    """jieba, initialised once per process (dictionary loaded, its log quiet)."""
    global _JIEBA_READY
    import logging

    import jieba

    if not _JIEBA_READY:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _JIEBA_READY = True
    return jieba


def mask_userinfo(url: str) -> str:
    """A URL as it may be printed: credentials in it (`http://user:sk-…@host/v1`) become `***@`."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@", r"\1***@", url.strip())


_ESCAPES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x01-\x08\x0b-\x1f\x7f-\x9f]")
# zero-width and direction marks, BOM, word joiners: invisible, so a query of only these is empty,
# and a bidi override in an echoed file name would turn the rest of the message around
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes of an argument (surrogateescape) or JSON "\\ud800"


def clean_text(text: str) -> str:
    """Terminal escape sequences (ANSI/OSC) and control characters removed: never echoed raw."""
    return _CONTROL.sub("", _ESCAPES.sub("", text))


def has_surrogates(text: str) -> bool:
    """True for text that is not valid Unicode (it cannot be written as UTF-8)."""
    return bool(_SURROGATE.search(text))


def shown(value: object, limit: int | None = 200) -> str:
    """A user-supplied value as a message may echo it: escape sequences, control and invisible
    characters removed (a terminal would act on them), tabs and newlines made spaces (the message
    stays one line), undecodable characters as U+FFFD (they cannot be printed or sent as UTF-8),
    and at most `limit` characters."""
    text = clean_text(re.sub(r"[\t\n\r]+", " ", str(value)))
    text = _SURROGATE.sub("\ufffd", INVISIBLE.sub("", text))
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
