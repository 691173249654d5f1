"""The one place that decides whether a statement is what its quote says.

`Verifier.verify(statement, evidence, lang)` → `Verdict(label, reason, quote, clause, scores)`.
A statement is `supported` only on positive evidence: it restates its quote (near-verbatim, same
cues), or the entailment judge affirms it from token probabilities. Rules (cue conflicts, terms
the review never uses, numbers the quote lacks) may only lower a verdict, never raise one.
"""

from assistant.answering.verify.verdict import Label, Reason, Verdict
from assistant.answering.verify.verifier import Verifier

__all__ = ["Label", "Reason", "Verdict", "Verifier"]
