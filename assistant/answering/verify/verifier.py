"""`Verifier.verify`: the single decision on whether a statement is what its quotes say.

Order: vetoes first (a number or name the quotes lack, a clause of the quote with the opposite
cue), then the two ways to certify (a near-verbatim restatement, the entailment judge's SUPPORTS
probability), then what the judge's other probabilities say; a statement left uncertified whose
own terms the review never uses is `not_found`. Nothing
is `supported` by the absence of a detected conflict."""

from __future__ import annotations

import re
from typing import Any

from assistant.answering.meaning import missing_terms
from assistant.answering.verify.absence import unused_share
from assistant.answering.verify.calibration import threshold
from assistant.answering.verify.judge import EntailmentJudge
from assistant.answering.verify.restate import restates
from assistant.answering.verify.verdict import Label, Reason, Verdict
from assistant.text import detect_lang

# a number, or (in Chinese text) a Latin name: details a quote must hold for a statement to be its
_DETAIL = re.compile(r"\d+(?:\.\d+)?%?|(?<![A-Za-z])[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*")
# English cue readings that decide a contradiction without aligned clauses: the narrow families
# (persistence, time, level, scope …) and an explicit denial. Promote/inhibit ("up") takes too
# many objects, and a bare negation too many forms, to decide unaligned: those go to the judge.
_NARROW_OPPOSITE = frozenset({"denies", "opposite"})
_WIDE_FAMILIES = frozenset({"up"})


class Verifier:
    """Holds what verification needs once: the judge, the clause aligner, the review's own text."""

    def __init__(self, judge: EntailmentJudge, aligner: Any, review_text: str) -> None:
        self.judge = judge
        self.aligner = aligner
        self.review_text = review_text

    def verify(
        self,
        statement: str,
        evidence: list[str],
        lang: str | None = None,
        *,
        translation: str = "",
        context: str = "",
        wider: list[str] | None = None,
    ) -> Verdict:
        """The verdict on `statement` against `evidence` (the quotes it cites, best first).
        `translation`: its Chinese rendering when it is English (read by the vetoes only: a
        translation is model text and certifies nothing); `context`: the passages around the quotes,
        where its numbers and names must occur; `wider`: further sentences the cue veto reads."""
        lang = lang or detect_lang(statement)
        evidence = [e for e in evidence if e and e.strip()]
        if not evidence:
            return Verdict(Label.NOT_FOUND, Reason.NO_EVIDENCE)
        best = Verdict(Label.PARTIAL, Reason.NOT_RESTATED, evidence[0])
        veto = self._veto(statement, evidence, lang, translation, context or " ".join(evidence), wider)
        if veto is not None:
            return veto
        # a statement whose own terms the review never uses is not the review's: it is not a
        # restatement however many of the quote's words it copies ("综述认为欧盟的法案……" + a real
        # sentence), and when nothing certifies it, it is not found
        zh = statement if lang == "zh" else translation
        lacking = missing_terms(zh, self.review_text, unused_share(zh is not statement)) if zh else []
        foreign = sum(len(t) for t in lacking) >= 3
        for quote in evidence:
            ok, cov = restates(statement, quote, threshold("restate_coverage"))
            best.scores["coverage"] = max(best.scores.get("coverage", 0.0), cov)
            if ok and not foreign:
                return Verdict(Label.SUPPORTED, Reason.RESTATES, quote, quote, dict(best.scores))
        judged = self._judged(statement, evidence, best, translation)
        if judged.supported or judged.label is Label.CONTRADICTED:
            return judged
        if foreign:
            return judged.lowered(Label.NOT_FOUND, Reason.ABSENT_TERMS, detail=", ".join(lacking))
        return judged

    def _judged(self, statement: str, evidence: list[str], best: Verdict, translation: str = "") -> Verdict:
        if not self.judge.available:
            return best
        probs = self.judge.score(statement, evidence[:2])
        if probs is None:
            return Verdict(Label.PARTIAL, Reason.JUDGE_FAILED, best.quote, scores=dict(best.scores))
        scores = {**best.scores, **{f"p_{k}": v for k, v in probs.items()}}
        s, c, n = probs.get("supports", 0.0), probs.get("contradicts", 0.0), probs.get("neutral", 0.0)
        cross = detect_lang(statement) == "en" and any(detect_lang(e) == "zh" for e in evidence[:2])
        if s >= threshold("judge_supports_en" if cross else "judge_supports") and s > c:
            return Verdict(Label.SUPPORTED, Reason.JUDGE_SUPPORTS, best.quote, scores=scores)
        if cross and translation:
            # the judge reads Chinese against Chinese more surely; the rendering counts only while the
            # English itself keeps some support (a rendering that drifted from it certifies nothing)
            t = self.judge.score(translation, evidence[:2]) or {}
            scores.update({f"p_{k}_translation": v for k, v in t.items()})
            ts, tc = t.get("supports", 0.0), t.get("contradicts", 0.0)
            if ts >= threshold("judge_supports") and ts > tc and s >= threshold("judge_translation_floor"):
                return Verdict(Label.SUPPORTED, Reason.JUDGE_SUPPORTS, best.quote, scores=scores)
            c = max(c, tc)
        if c >= threshold("judge_contradicts"):
            return Verdict(Label.CONTRADICTED, Reason.JUDGE_CONTRADICTS, best.quote, scores=scores)
        if n >= threshold("judge_neutral"):
            return Verdict(Label.NOT_FOUND, Reason.JUDGE_NEUTRAL, best.quote, scores=scores)
        return Verdict(Label.PARTIAL, Reason.JUDGE_UNSURE, best.quote, scores=scores)

    # ------------------------------------------------------------------ vetoes (lower only)
    def _veto(
        self, statement: str, evidence: list[str], lang: str, translation: str, context: str, wider: list[str] | None
    ) -> Verdict | None:
        from assistant.answering.meaning import conflicts, cue_reading, strip_citations

        plain = strip_citations(context)
        for tok in _DETAIL.findall(statement):
            if tok.isdigit() and len(tok) == 1:
                continue  # "3 paths": small counts are phrased freely
            if lang == "en" and not tok[0].isdigit():
                continue  # capitalised English words are ordinary prose
            if tok not in context and tok not in plain:
                return Verdict(Label.NOT_FOUND, Reason.UNSUPPORTED_DETAIL, evidence[0], detail=tok)
        zh = statement if lang == "zh" else translation
        if zh:
            found = conflicts(zh, [*evidence, *(wider or [])], self.aligner)
            if found:
                c = found[0]
                return Verdict(
                    Label.CONTRADICTED, Reason.CUE_CONFLICT, c.evidence_sentence, c.evidence_clause, detail=c.reason
                )
        if lang == "en":
            for quote in evidence[:2]:
                r = cue_reading(statement, quote)
                if r.kind in _NARROW_OPPOSITE and r.family not in _WIDE_FAMILIES:
                    return Verdict(Label.CONTRADICTED, Reason.CUE_CONFLICT, quote, quote, detail=r.detail)
        return None
