"""What a verification returns: a label, one reason from a closed set, the quote and its scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Label(StrEnum):
    SUPPORTED = "supported"
    PARTIAL = "partial"  # about the same thing, but nothing shows the quote says it
    CONTRADICTED = "contradicted"
    NOT_FOUND = "not_found"


class Reason(StrEnum):
    RESTATES = "restates"  # near-verbatim: the quote's own content words and cues
    JUDGE_SUPPORTS = "judge_supports"  # the entailment judge affirms it
    JUDGE_CONTRADICTS = "judge_contradicts"
    JUDGE_NEUTRAL = "judge_neutral"  # the judge finds the quote silent on it
    JUDGE_UNSURE = "judge_unsure"  # no judge probability clears its threshold
    NOT_RESTATED = "not_restated"  # no judge, and not near-verbatim: nothing certifies it
    CUE_CONFLICT = "cue_conflict"  # veto: the aligned clause of the quote has the opposite cue
    ABSENT_TERMS = "absent_terms"  # veto: terms the review never uses
    UNSUPPORTED_DETAIL = "unsupported_detail"  # veto: a number or name the quote lacks
    NO_EVIDENCE = "no_evidence"  # nothing to check it against
    NOT_SIMILAR = "not_similar"  # retrieval found nothing close enough (cite)
    JUDGE_FAILED = "judge_failed"  # the judge's model did not answer
    OFF_QUESTION = "off_question"  # veto: the judge finds the sentence does not answer the question


@dataclass
class Verdict:
    label: Label
    reason: Reason
    quote: str = ""  # the evidence sentence the verdict rests on
    clause: str = ""  # the part of it that decides (a cue conflict's clause)
    scores: dict[str, float] = field(default_factory=dict)  # coverage, judge probabilities
    detail: str = ""  # human-readable specifics (the cue words, the missing terms); never parsed

    @property
    def supported(self) -> bool:
        return self.label is Label.SUPPORTED

    def lowered(self, label: Label, reason: Reason, clause: str = "", detail: str = "") -> Verdict:
        """A veto: the same quote and scores with a lower label. Never raises one: nothing becomes
        `supported` this way, and a contradiction found stays a contradiction."""
        if label is Label.SUPPORTED or self.label in (label, Label.CONTRADICTED):
            return self
        return Verdict(label, reason, self.quote, clause or self.clause, dict(self.scores), detail)
