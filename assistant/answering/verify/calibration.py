"""Every threshold the verifier uses, with the measurement that set it. Change a value only with a
new measurement on the calibration sets (tests/data/dev_verdicts.jsonl, own_verdicts.jsonl), and
report the frozen sets (tests/data/frozen_*.jsonl) before and after; never for one item's wording."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    value: float
    measured: str


CALIBRATION: dict[str, Threshold] = {
    "restate_coverage": Threshold(
        0.8,
        "share of a statement's content words found in its quote for a near-verbatim restatement; "
        "flipped claims that keep the quote's words are caught by the cue check, which a restatement "
        "must also pass (every cue word of the statement occurs in the quote)",
    ),
    "judge_supports": Threshold(
        0.6,
        "P(SUPPORTS) from the bundled 1.5B judge (few-shot, top-2 quotes) on the 40 calibration claims: "
        "supported paraphrases 10/13 at ≥ 0.6, no flipped or absent claim above 0.52",
    ),
    "judge_supports_en": Threshold(
        0.4,
        "the same for an English statement against Chinese quotes, where the judge is less sure of "
        "faithful renderings: on the calibration claims no flipped or absent English claim reached "
        "0.30, and 4 of 6 English paraphrases are above 0.4",
    ),
    "judge_translation_floor": Threshold(
        0.2,
        "an English claim is certified through its Chinese rendering only while the judge gives the "
        "English itself at least this P(SUPPORTS) (and its rendering 0.6): flipped English calibration "
        "claims sit at 0.02–0.30 on the English, and none passes both",
    ),
    "judge_contradicts": Threshold(
        0.75,
        "P(CONTRADICTS) for a contradiction by the judge alone (the cue veto finds the rest): the 1.5B "
        "judge puts 0.5–0.7 on most claims it cannot decide, supported ones included; 0.75 keeps one "
        "supported calibration claim above it",
    ),
    "judge_neutral": Threshold(
        0.45,
        "P(NEUTRAL) above which the quote is taken as silent on the claim (absent calibration claims "
        "0.36–0.60; flipped ones mostly below 0.35)",
    ),
    "absent_subject_chars": Threshold(
        4,
        "characters of a question's content terms (Chinese form) that the review never uses, above which "
        "its subject may be absent: one two-character word a translation chose (深圳 for a city named in "
        "passing) is too little; the earlier gate's value, kept",
    ),
    "unused_share": Threshold(
        2 / 3,
        "a term counts as used when the review uses two of its three bigrams (空间布局: 空间, 布局); "
        "written 0.67 before, which a three-bigram term's 0.667 missed",
    ),
    "unused_share_translated": Threshold(
        0.3,
        "the same for a machine translation of an English question, whose word choice is the "
        "translator's: one bigram in three is enough",
    ),
}


def threshold(name: str) -> float:
    return CALIBRATION[name].value
