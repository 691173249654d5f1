"""What a statement *says*, not only what it is about: direction, negation and scope per clause,
clause alignment, and whether a statement's own terms occur in the review at all.

Similarity cannot tell "AI promotes X" from "AI inhibits X". Here each clause is reduced to its
topic (the words that are not direction or negation words) and its signs: for every polarity
family present (increase/decrease, forward/reverse, still/no longer, easy/hard, short/long term,
high/low, settled/disputed, sufficient/insufficient, universal/restricted) the product of the
word signs, flipped by each negation. A claim clause is compared with the evidence clause that
shares most of its rare topic words; differing signs (or differing negation, when no family is
shared) mean the claim says the opposite. The families were gathered from the predicates the
review itself uses (促进/抑制, 弱化/增强, 正向/逆向, 尚未, 仍将, 不再, 难以, 争议 …) and their
ordinary English renderings, so English claims can be checked without an LLM.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.answering.cues import FAMILIES_EN, FAMILIES_ZH, NEG_EN, NEG_ZH, NOT_NEG_EN, NOT_NEG_ZH, STOP_TERMS
from assistant.text import CJK, CJK_CHARS, detect_lang, jieba_ready

PUNCT_CUT = re.compile(r"[,，;；:：。！？!?]")
CONTRAST_CUT = re.compile(rf"(?<=[{CJK_CHARS}])(?=却|但是|但|然而|而是|反之)|\b(?:but|while|whereas|although)\b")
FUTURE_RESEARCH = re.compile(r"未来(?=研究|应|需|还|仍|将|发展视角)")


@dataclass
class Clause:
    text: str
    lang: str
    topic: str  # the clause without polarity and negation words
    signs: dict[str, int] = field(default_factory=dict)  # family → +1/−1 (negation applied)
    negated: int = 0  # parity of negations
    cues: list[str] = field(default_factory=list)  # the polarity and negation words found


_ZH_WORD: dict[str, tuple[str, int]] = {
    w: (fam, sign) for fam, (pos, neg) in FAMILIES_ZH.items() for sign, ws in ((1, pos), (-1, neg)) for w in ws
}
# one scan, longest alternatives first: a polarity word, a compound that only looks negated, a negation
_ZH_SCAN = re.compile("|".join(re.escape(w) for w in sorted({*_ZH_WORD, *NOT_NEG_ZH, *NEG_ZH}, key=len, reverse=True)))
_EN_WORDS = [
    (re.compile(r"\b" + re.escape(w)), fam, sign)
    for fam, (pos, neg) in FAMILIES_EN.items()
    for sign, ws in ((1, pos), (-1, neg))
    for w in ws
]


def _scan_zh(text: str) -> tuple[list[tuple[int, int, str, int]], list[tuple[int, int]]]:
    """Polarity words (start, end, family, sign) and negations (start, end) of a Chinese clause."""
    hits, negs = [], []
    for m in _ZH_SCAN.finditer(text):
        w = m.group(0)
        if w in _ZH_WORD:
            hits.append((m.start(), m.end(), *_ZH_WORD[w]))
            if w in NEG_ZH:  # 不再 is a direction word and a negation
                negs.append(m.span())
        elif w in NEG_ZH and w not in NOT_NEG_ZH:
            negs.append(m.span())
    return hits, negs


def analyse_clause(text: str) -> Clause:
    lang = detect_lang(text)
    signs: dict[str, int] = {}
    cues: list[str] = []
    if lang == "zh":
        t = FUTURE_RESEARCH.sub("  ", text)
        hits, negs = _scan_zh(t)
        for a, b, fam, s in hits:
            signs[fam] = signs.get(fam, 1) * s
            cues.append(t[a:b])
        cues += [t[a:b] for a, b in negs if (a, b) not in {(h[0], h[1]) for h in hits}]
        topic = t
        for a, b in sorted({*((a, b) for a, b, _, _ in hits), *negs}, reverse=True):
            topic = topic[:a] + " " + topic[b:]
        negated = len(negs) % 2
    else:
        low = " " + text.lower() + " "
        topic = low
        first: dict[str, int] = {}  # where each family's first cue stands
        for rx, fam, s in _EN_WORDS:
            for m in rx.finditer(low):
                signs[fam] = signs.get(fam, 1) * s
                first[fam] = min(first.get(fam, m.start()), m.start())
                cues.append(m.group(0))
                topic = topic.replace(m.group(0), " ", 1)
        masked = NOT_NEG_EN.sub(" ", low)
        negs = list(NEG_EN.finditer(masked))  # "no longer" is a persist cue (−1), not also a negation
        cues += [m.group(0) for m in negs]
        negated = len(negs) % 2
        # English negation reaches rightwards: in "significant only in X and shows no spillover" the
        # "no" negates the spillover, not the "only" before it
        for fam in list(signs):
            if negated and all(m.start() > first[fam] for m in negs):
                signs[fam] = -signs[fam]  # undone below, where the clause-wide parity flips it again
    if "up" in signs and "ease" not in signs and re.search(r"可能性|机会|概率|likelihood|chance|possibilit", text):
        signs["ease"] = signs["up"]  # raising the possibility of X makes X easier; lowering it, harder
    for fam in list(signs):
        if negated and not (fam == "persist" and signs[fam] < 0 and len(cues) == 1):
            signs[fam] = -signs[fam]
    return Clause(text, lang, topic, signs, negated, cues)


CITATION = re.compile(r"[(（][^()（）]*(?:19|20)\d\d[^()（）]*[)）]")


def strip_citations(text: str) -> str:
    """Drop author–year parentheses: they are not part of what a clause says."""
    return CITATION.sub("", text)


def split_clauses(text: str) -> list[str]:
    """Clauses at punctuation and at contrast words (却/但/but …); a piece before a contrast word that
    says nothing itself (no polarity cue) is the subject of what follows and stays joined to it
    ("对合理化的影响却会在短期内显现" is one clause, about 合理化)."""
    parts: list[str] = []
    for piece in PUNCT_CUT.split(text):
        subs = [p for p in CONTRAST_CUT.split(piece) if p is not None]
        merged: list[str] = []
        for sub in subs:
            if merged and not (analyse_clause(merged[-1]).signs or analyse_clause(merged[-1]).negated):
                merged[-1] += sub
            else:
                merged.append(sub)
        parts += [p.strip() for p in merged]
    return [p for p in parts if p and len(re.sub(r"\W", "", p)) >= 2]


def bigrams(s: str) -> list[str]:
    t = re.sub(rf"[^{CJK_CHARS}]", " ", s)
    return [t[i : i + 2] for i in range(len(t) - 1) if " " not in t[i : i + 2]]


class TopicAligner:
    """IDF-weighted character-bigram overlap between clause topics, IDF from the review's sentences."""

    def __init__(self, sentences: list[str]) -> None:
        df: Counter[str] = Counter()
        for s in sentences:
            df.update(set(bigrams(s)))
        self.n = max(1, len(sentences))
        self.df = df

    def idf(self, b: str) -> float:
        return math.log((self.n + 1) / (self.df.get(b, 0) + 0.5))

    def overlap(self, claim_topic: str, evidence_topic: str) -> float:
        """Share of the claim topic's (IDF-weighted) bigrams found in the evidence topic."""
        cb = set(bigrams(claim_topic))
        if not cb:
            return 0.0
        eb = set(bigrams(evidence_topic))
        total = sum(self.idf(b) for b in cb)
        return sum(self.idf(b) for b in cb & eb) / total if total else 0.0

    def align(self, claim_topic: str, evidence_topic: str, directional: bool = True) -> float:
        """How surely two clause topics are about the same thing: the claim's share found in the
        evidence, or (slightly discounted) a short directional evidence clause wholly inside the claim."""
        back = (
            self.overlap(evidence_topic, claim_topic) if directional and len(set(bigrams(evidence_topic))) >= 3 else 0.0
        )
        return max(self.overlap(claim_topic, evidence_topic), 0.8 * back)


@dataclass
class Conflict:
    claim_clause: str
    evidence_clause: str
    evidence_sentence: str
    reason: str
    alignment: float


ALIGN_MIN = 0.45  # a claim clause and an evidence clause are about the same thing (IDF bigram share)
ALIGN_NEGATION = 0.5  # negation alone (no shared family) decides only for closer alignments


def conflicts(claim: str, evidence: list[str], aligner: TopicAligner, align_min: float = ALIGN_MIN) -> list[Conflict]:
    """Chinese claim clauses whose best-aligned Chinese evidence clause says the opposite. (English
    claims are translated first, or compared by `cue_reading`: e5-small's clause similarities
    across languages, 0.80–0.86 for related and unrelated pairs alike, cannot align clauses.)"""
    ev = [(s, c, analyse_clause(c)) for s in evidence for c in split_clauses(strip_citations(s))]
    if not ev:
        return []
    out: list[Conflict] = []
    for cc in split_clauses(claim):
        a = analyse_clause(cc)
        if a.lang != "zh":
            continue
        scores = [aligner.align(a.topic, e.topic, directional=bool(e.signs or e.negated)) for _, _, e in ev]
        # among the clauses about the same thing, the one that speaks to the claim's own family decides
        # ("对合理化的影响却会在短期内显现" answers "合理化…体现在未来"; a bare topic clause says nothing)
        speaking = [i for i in range(len(ev)) if scores[i] >= align_min and ev[i][2].signs.keys() & a.signs.keys()]
        j = max(speaking or range(len(ev)), key=lambda i: scores[i])
        if scores[j] < align_min:
            continue
        sent, ec, e = ev[j]
        reason = _disagree(a, e, scores[j] >= ALIGN_NEGATION)
        if reason:
            out.append(Conflict(cc, ec, sent, reason, round(float(scores[j]), 3)))
    if not out and detect_lang(claim) == "zh":
        out += _sentence_level(claim, evidence, aligner, align_min)
    return out


def _sentence_level(claim: str, evidence: list[str], aligner: TopicAligner, align_min: float) -> list[Conflict]:
    """Families that occur exactly once in the whole claim and once in an aligned evidence sentence
    (the claim's topic and its verdict word may sit in different clauses: "关于X, 已形成一致结论")."""

    def once(text: str) -> tuple[dict[str, int], str]:
        fams: dict[str, list[int]] = {}
        topics = []
        for c in split_clauses(text):
            a = analyse_clause(c)
            topics.append(a.topic)
            for f, v in a.signs.items():
                fams.setdefault(f, []).append(v)
        return {f: v[0] for f, v in fams.items() if len(v) == 1}, " ".join(topics)

    cs, ct = once(claim)
    out = []
    for sent in evidence:
        es, et = once(strip_citations(sent))
        score = aligner.align(ct, et)
        if score < align_min:
            continue
        for f in cs.keys() & es.keys():
            if f in ("settled", "persist", "term", "direction") and cs[f] != es[f]:
                out.append(Conflict(claim, sent, sent, f"{f} (sentence)", round(score, 3)))
                break
    return out


def _disagree(a: Clause, e: Clause, close: bool) -> str:
    shared = [f for f in a.signs if f in e.signs]
    for f in shared:
        if a.signs[f] != e.signs[f]:
            return f"{f}: {'/'.join(a.cues) or '∅'} ≠ {'/'.join(e.cues) or '∅'}"
    if not shared and close and a.negated != e.negated:
        return f"negation: {'/'.join(a.cues) or '∅'} ≠ {'/'.join(e.cues) or '∅'}"
    return ""


# ------------------------------------------------------------------------------ terms
@lru_cache(maxsize=1)
def _posseg():
    import jieba.posseg

    jieba_ready()
    return jieba.posseg


# the closed class of Chinese interrogative morphemes (grammar, not any question's wording)
INTERROGATIVE = re.compile("哪|什么|怎|多少|为何|为什么|谁|几何")


def content_terms(zh: str) -> list[str]:
    """Nouns and noun-like words of a Chinese statement (what it is about), without polarity words."""
    a = analyse_clause(zh)
    out: list[str] = []
    for w, flag in _posseg().cut(a.topic if a.lang == "zh" else zh):
        w = w.strip()
        # nouns, idioms, abbreviations (欧盟) and noun-like verbs; plain verbs only when long (选址 yes, 提高 no)
        noun_like = flag[:1] in ("n", "l", "i", "j") or (flag[:1] == "v" and (flag != "v" or len(w) >= 3))
        if len(w) >= 2 and CJK.search(w) and noun_like and w not in STOP_TERMS and w not in out:
            if not INTERROGATIVE.search(w):  # 哪几个 is tagged an idiom; a question word is no subject
                out.append(w)
    return out


def missing_terms(zh: str, review_text: str, share: float = 2 / 3) -> list[str]:
    """Content terms of a Chinese statement that the review never uses (nor `share` of their bigrams;
    a machine translation's own word choice is forgiven with a lower share)."""
    out = []
    for t in content_terms(zh):
        if t in review_text:
            continue
        bs = bigrams(t)
        if bs and sum(b in review_text for b in bs) / len(bs) >= share:
            continue
        out.append(t)
    return out


@dataclass(frozen=True)
class CueReading:
    """How a sentence stands to a claim's cues across languages. `kind`: "" (no disagreement),
    "denies" (the sentence states the cue the claim denies), "opposite" (a shared family, other
    sign), "unconfirmed" (a direction the sentence never takes), "negation" (negation differs)."""

    kind: str = ""
    family: str = ""
    detail: str = ""

    def __bool__(self) -> bool:
        return bool(self.kind)


def cue_reading(claim: str, sentence: str) -> CueReading:
    """Does a sentence fail to share a claim's direction? For a claim in another language than the
    sentence, where clauses cannot be aligned: a shared family with the opposite sign, a direction
    the sentence never takes, or (no family at all) a different negation."""
    a = analyse_clause(claim)
    seen: dict[str, set[int]] = {}
    negs = 0
    clauses = [analyse_clause(c) for c in split_clauses(strip_citations(sentence))]
    for e in clauses:
        negs += e.negated
        for f, v in e.signs.items():
            seen.setdefault(f, set()).add(v)
    cues = "/".join(a.cues)
    if a.negated and a.signs:
        # "does not weaken X" against "弱化了X": the sentence states the very cue the claim denies, and
        # no clause of it denies that cue too; another clause's opposite word ("拓展") does not rescue it
        stated = any(not e.negated and e.signs.get(f) == -v for e in clauses for f, v in a.signs.items())
        denied = any(e.negated and e.signs.get(f) == v for e in clauses for f, v in a.signs.items())
        if stated and not denied:
            return CueReading("denies", next(iter(a.signs)), f"denies: {cues} vs the review")
    for f, v in a.signs.items():
        if f in seen and v not in seen[f]:
            return CueReading("opposite", f, f"{f}: {cues} vs the review")
    if a.signs and not any(f in seen and v in seen[f] for f, v in a.signs.items()):
        return CueReading("unconfirmed", next(iter(a.signs)), f"unconfirmed {cues}")
    if not a.signs and a.negated != negs % 2:
        return CueReading("negation", "", f"negation: {cues or '∅'} vs the review")
    return CueReading()
