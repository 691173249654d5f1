"""Cross-lingual retrieval: translate English questions into Chinese with the LLM, helped by a
bilingual glossary of the review's own terms (built once per corpus and model, cached on disk).

The glossary also works without an LLM call per query: English words that match a glossary
rendering add its Chinese term to the searched queries.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from assistant.corpus.document import Document
from assistant.log import log, progress
from assistant.settings import Settings
from assistant.text import CJK, CJK_CHARS, CJK_RUN, jieba_ready

# "technology density" ~ "technology intensity" is 0.89; "regional development" ~ "regional innovation" 0.62
SNAP_RATIO = 0.8
EN_WORD = re.compile(r"[a-z][a-z\-']+")
EN_STOP = set(
    "the a an of to in and or for on by with as is are was were be been what which how does do did "
    "why who that this these those it its their about into from than other can could should would "
    "may might will review article paper authors author say says said mean means".split()
)


def _stem(w: str) -> str:
    """A light stemmer so "locate", "location" and "industries", "industrial" meet."""
    w = w.replace("isation", "ization")
    if len(w) > 5 and w.endswith("ies"):
        w = w[:-3] + "y"
    if len(w) > 4 and w.endswith("y"):
        return w[:-1] + "i"
    for suf in ("es", "s", "ing", "ed", "al"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    for suf in ("ion", "e"):
        if len(w) > len(suf) + 4 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def en_terms(text: str) -> set[str]:
    return {_stem(w) for w in EN_WORD.findall(text.lower()) if w not in EN_STOP}


def candidate_terms(doc: Document, limit: int = 70) -> list[str]:
    """The review's own terms: quoted phrases, keywords and the top TF-IDF words of the body."""
    import jieba.analyse

    jieba_ready()
    quoted = re.findall(rf"“([{CJK_CHARS}]{{2,10}})”", doc.source)
    body = "\n".join(p.text for p in doc.body)
    tfidf = jieba.analyse.extract_tags(body, topK=limit, allowPOS=("n", "nz", "vn", "nr", "ns", "nt", "l", "i"))
    seen: dict[str, None] = {}
    for t in [*doc.keywords, *quoted, *tfidf]:
        if 2 <= len(t) <= 10 and CJK_RUN.fullmatch(t):
            seen.setdefault(t, None)
    return list(seen)[: limit + 30]


def load_curated(path: Path) -> dict[str, str]:
    """`中文<TAB>rendering; alternative` lines; '#' starts a comment."""
    out: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        if line.strip() and not line.startswith("#") and "\t" in line:
            zh, en = line.split("\t", 1)
            out[zh.strip()] = en.strip()
    return out


def review_keywords(source: str) -> dict[str, str]:
    """The review's own keyword pairs (关键词 … / Key Words …, in the same order): its authors'
    English for its key terms, which fixes those terms in every rendering."""
    zh = re.search(r"关键词[:：]\s*(.+)", source)
    en = re.search(r"Key\s*Words?\s*[:：]\s*(.+)", source, re.I)
    if not (zh and en):
        return {}
    zhs = [t.strip() for t in re.split(r"[;；]", zh.group(1)) if t.strip()]
    ens = [t.strip() for t in re.split(r"[;；]", en.group(1)) if t.strip()]
    return dict(zip(zhs, ens)) if len(zhs) == len(ens) else {}


def with_keywords(pairs: dict[str, str], source: str) -> dict[str, str]:
    """Each keyword's own English first, the other renderings kept as alternatives."""
    out = dict(pairs)
    for zh, en in review_keywords(source).items():
        rest = [r.strip() for r in out.get(zh, "").split(";") if r.strip() and r.strip().lower() != en.lower()]
        out[zh] = "; ".join([en.lower(), *rest])
    return out


class Glossary:
    """Chinese term → English renderings (";"-separated), looked up by the words of an English query."""

    def __init__(self, pairs: dict[str, str]) -> None:
        self.pairs = pairs  # shared with the assistant, which adds the terms it learns during a session
        self._renderings = {zh: self._parse(en) for zh, en in pairs.items()}

    @staticmethod
    def _parse(en: str) -> list[set[str]]:
        return [en_terms(r) for r in en.split(";") if en_terms(r)]

    def renderings(self, zh: str) -> list[set[str]]:
        """The term's English renderings as word sets (parsed once, also for terms added later)."""
        if zh not in self._renderings:
            self._renderings[zh] = self._parse(self.pairs[zh])
        return self._renderings[zh]

    def matches(self, query: str, limit: int = 8) -> list[tuple[str, str]]:
        """Entries one of whose renderings occurs wholly in the query; longer renderings first."""
        q = en_terms(query)
        scored = []
        for zh, renderings in self._renderings.items():
            best = max((len(r) for r in renderings if r <= q), default=0)
            if best:
                scored.append((best, len(zh), zh))
        scored.sort(reverse=True)
        # drop a term contained in a longer matched one (区域创新 inside 区域创新生态系统)
        out: list[str] = []
        for _, _, zh in scored:
            if not any(zh in longer for longer in out):
                out.append(zh)
        return [(zh, self.pairs[zh].split(";")[0].strip()) for zh in out[:limit]]

    def snap(self, text: str, evidence: str) -> str:
        """`text` (English) with near-miss renderings of the evidence's review terms put in the glossary's
        form: a small model writes "technology density" for 技术密集度 even when told "technology intensity".
        A span is replaced only when it has as many words as the glossary form, shares a word with it and
        is spelled almost alike (ratio ≥ SNAP_RATIO); a span that is itself another term is left."""
        from difflib import SequenceMatcher

        have = en_terms(text)
        others: set[frozenset[str]] | None = None  # every term's renderings, built only if a term is missing
        for zh in sorted((k for k in self.pairs if len(k) >= 2 and k in evidence), key=len, reverse=True):
            if any(r <= have for r in self.renderings(zh)):
                continue
            form = self.pairs[zh].split(";")[0].strip()
            n = len(form.split())
            if n < 2:
                continue
            if others is None:
                others = {frozenset(r) for rs in self._renderings.values() for r in rs}
            form_terms = en_terms(form)
            words = list(re.finditer(r"[A-Za-z][A-Za-z\-']*", text))
            best: tuple[float, int, int] | None = None
            for i in range(len(words) - n + 1):
                a, b = words[i].start(), words[i + n - 1].end()
                span = text[a:b]
                terms = en_terms(span)
                if not terms & form_terms or frozenset(terms) in others:
                    continue
                ratio = SequenceMatcher(None, span.lower(), form.lower()).ratio()
                if ratio >= SNAP_RATIO and (best is None or ratio > best[0]):
                    best = (ratio, a, b)
            if best:
                _, a, b = best
                text = text[:a] + (form[0].upper() + form[1:] if a == 0 else form) + text[b:]
                have = en_terms(text)
        return text

    def to_json(self) -> dict[str, str]:
        return dict(self.pairs)


def parse_glossary_lines(text: str, wanted: list[str]) -> dict[str, str]:
    """Lines '3. english rendering' answer the 3rd wanted term; non-English renderings are dropped."""
    out: dict[str, str] = {}
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(wanted) == 1 and len(lines) == 1 and not re.match(r"^\s*\d", lines[0]):
        lines = [f"1. {lines[0]}"]  # asked for one term, a small model drops the number
    for line in lines:
        m = re.match(r"^\s*(\d+)[.)、:]\s*(.+?)\s*$", line)
        if not m:
            continue
        i = int(m.group(1)) - 1
        en = m.group(2).split("=")[-1].strip().strip(".,;")
        if 0 <= i < len(wanted) and re.fullmatch(r"[A-Za-z][A-Za-z \-'/(),]{1,80}", en):
            out[wanted[i]] = en
    return out


def _cache_file(settings: Settings, doc: Document, model: str, kind: str) -> Path:
    """One cache per corpus, LLM identity (endpoint + model, see chain.Assistant) and prompt text (an
    edited prompt never serves old translations)."""
    from assistant.answering.prompts import PROMPTS_DIR

    prompt = {"translations": "translate", "glossary": "glossary"}.get(kind, kind)
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(PROMPTS_DIR.glob(f"{prompt}.*.txt")))
    key = hashlib.sha256(f"{doc.source}|{model}|{kind}|{text}".encode()).hexdigest()[:16]
    return settings.cache_dir / "llm-cache" / f"{kind}-{key}.json"


def build_glossary(settings: Settings, doc: Document, chat: Any, model: str) -> Glossary:
    """Translate the review's terms with the LLM in small batches; cached per corpus and model."""
    curated = load_curated(settings.corpus_path.parent / "glossary.tsv")
    path = _cache_file(settings, doc, model, "glossary")
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if _valid_pairs(cached):
            return Glossary(with_keywords({**cached, **curated}, doc.source))
    except (OSError, ValueError):
        pass
    from assistant.answering.prompts import chat_prompt

    terms = candidate_terms(doc)
    prompt = chat_prompt("glossary", "en")
    pairs: dict[str, str] = {}
    for i in range(0, len(terms), 15):
        batch = terms[i : i + 15]
        n = min(i + 15, len(terms))
        progress(f"构建术语表 / building the glossary {n}/{len(terms)}", done=n == len(terms))
        msg = (prompt | chat).invoke({"terms": "\n".join(f"{k}. {t}" for k, t in enumerate(batch, 1))})
        pairs.update(parse_glossary_lines(str(msg.content), batch))
    if _valid_pairs(pairs):  # a failed or empty result is never cached
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(pairs, ensure_ascii=False, indent=1), encoding="utf-8")
    return Glossary(with_keywords({**pairs, **curated}, doc.source))


def _valid_pairs(obj: object) -> bool:
    """A usable glossary: a non-empty mapping of Chinese terms to English renderings."""
    return (
        isinstance(obj, dict)
        and len(obj) >= 5
        and all(
            isinstance(k, str) and isinstance(v, str) and CJK.search(k) and v.strip() and not CJK.search(v)
            for k, v in obj.items()
        )
    )


class LLMTranslator:
    """QueryRewriter: an English query gets its Chinese translation and the matching glossary terms."""

    def __init__(self, settings: Settings, doc: Document, chat: Any, model: str, glossary: Glossary) -> None:
        from assistant.answering.gloss import LLMCache

        self.chat = chat
        self.glossary = glossary
        # only well-formed entries are reused: a Chinese translation of an English text
        self.cache = LLMCache(_cache_file(settings, doc, model, "translations"), valid=lambda v: bool(CJK.search(v)))
        self.path = self.cache.path

    def translate(self, query: str) -> str:
        from assistant.answering.prompts import chat_prompt

        if (hit := self.cache.get(query)) is not None:
            return hit
        hints = "\n".join(f"{en} = {zh}" for zh, en in self.glossary.matches(query)) or "(none)"
        try:
            msg = (chat_prompt("translate", "en") | self.chat).invoke({"glossary": hints, "question": query})
        except Exception as e:  # an unreachable LLM must not break retrieval: search untranslated
            log.warning(
                f"查询翻译失败,按原文检索 / query translation failed ({type(e).__name__}); searching untranslated"
            )
            return ""
        zh = str(msg.content).strip().splitlines()[0].strip() if str(msg.content).strip() else ""
        if not CJK.search(zh) or len(zh) > 4 * len(query) + 20:
            return ""  # an empty or runaway translation is not cached
        self.cache.put(query, zh)
        return zh

    def rewrite(self, query: str, lang: str) -> list[str]:
        if lang != "en":
            return []
        out = []
        zh = self.translate(query)
        if zh:
            out.append(zh)
        terms = [zh_term for zh_term, _ in self.glossary.matches(query, 4)]
        if terms:
            out.append(" ".join(terms))
        return out


class GlossaryRewriter:
    """QueryRewriter without an LLM: an English query also searches the Chinese terms of the curated
    glossary its words match (so `--backend extractive` still finds Chinese passages)."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary

    def rewrite(self, query: str, lang: str) -> list[str]:
        if lang != "en":
            return []
        terms = [zh for zh, _ in self.glossary.matches(query, 6)]
        return [" ".join(terms)] if terms else []


def curated_rewriter(settings: Settings) -> GlossaryRewriter:
    curated = load_curated(settings.corpus_path.parent / "glossary.tsv")
    try:
        source = settings.corpus_path.read_text(encoding="utf-8")
    except OSError:
        source = ""
    return GlossaryRewriter(Glossary(with_keywords(curated, source)))
