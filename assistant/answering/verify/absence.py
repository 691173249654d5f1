"""Is the question's subject absent from the review? A "not covered" refusal is a claim about the
review, so it rests on the review's text: the question's content terms (in their Chinese form) that
the review's own words never use, nor most of their bigrams, 4+ characters in all. A machine
translation's own word choice is forgiven with a lower bigram share.

Tried and not kept (2026-12-03): asking the bundled 1.5B judge whether the review's sentences closest
to each unused term speak of it. It said YES (P 0.70–0.94) for every term, those of absent subjects
(房价, 欧盟, 芯片, 华为) as much as a translation's wording (优先, 事项), so it would have answered 9 of
10 absent questions. A judge that can tell them apart (a stronger hosted one) is the way to refuse
less on wording; single-term embedding similarity did not separate them either (0.82–0.88 for all)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.verify.calibration import threshold


@dataclass(frozen=True)
class Absence:
    """`unused`: the question's content terms the review's own words never use."""

    unused: tuple[str, ...] = ()

    @property
    def absent(self) -> bool:
        return sum(len(t) for t in self.unused) >= threshold("absent_subject_chars")


def unused_share(translated: bool) -> float:
    """The share of a term's bigrams the review must use for the term to count as used."""
    return threshold("unused_share_translated" if translated else "unused_share")


def subject_absence(zh: str, review_text: str, translated: bool = False) -> Absence:
    """The question's (Chinese form) subject against the review's own words (no reference list)."""
    from assistant.answering.meaning import missing_terms

    return Absence(tuple(missing_terms(zh, review_text, unused_share(translated))))
