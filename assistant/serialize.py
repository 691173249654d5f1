"""The JSON shapes of DESIGN.md (fields may be added, never removed or renamed)."""

from __future__ import annotations

from typing import Any

from assistant.corpus.document import Document, Paragraph, Reference


def reference_json(r: Reference) -> dict[str, Any]:
    return {"n": r.n, "entry": r.entry, "cited_as": list(r.cited_as)}


def passage_json(p: Paragraph, doc: Document, score: float = 0.0, **extra: Any) -> dict[str, Any]:
    refs = [p.ref_number] if p.kind == "reference" and p.ref_number else p.refs
    return {
        "id": p.id,
        "kind": p.kind,
        "lang": p.lang,
        "section": p.section,
        "text": p.text,
        "score": round(float(score), 6),
        "start": p.start,
        "end": p.end,
        "references": [reference_json(doc.reference(n)) for n in refs],
        **extra,
    }


def refs_json(doc: Document, r: Reference) -> dict[str, Any]:
    return {
        **reference_json(r),
        "passages": list(r.cited_in),
        "authors": r.authors,
        "translators": r.translators,
        "year": r.year,
    }


def ask_json(r: Any) -> dict[str, Any]:
    """An AskResult as the `ask` JSON shape."""
    return {
        "question": r.question,
        "language": r.language,
        "answer": r.answer,
        "backend": r.backend,
        "model": r.model,
        "citations": r.citations,
        "grounded": r.grounded,
        "refused": r.refused,
        "note": r.note,
        "standalone_question": r.standalone_question,
        "timings": r.timings,
        "dropped_sentences": r.dropped_sentences,
    }
