"""Every JSON shape the project hands out (CLI --json, the HTTP API, the web app): built here and
nowhere else, so the CLI, the API and the UI cannot drift apart. Fields may be added, never removed
or renamed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.corpus.document import Document, Paragraph, Reference

if TYPE_CHECKING:
    from assistant.answering.claims import CiteResult
    from assistant.answering.grounding import CheckedSentence, ContextPassage
    from assistant.answering.results import AskResult
    from assistant.research.dossier import Dossier
    from assistant.research.draft import DraftSentence


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


def refs_json(r: Reference) -> dict[str, Any]:
    return {
        **reference_json(r),
        "passages": list(r.cited_in),
        "authors": r.authors,
        "translators": r.translators,
        "year": r.year,
    }


def retrieve_json(query: str, hits: list[Any], doc: Document | None) -> dict[str, Any]:
    """The `retrieve` shape: the query and its ranked passages, each with the chunk that matched."""
    return {
        "query": query,
        "passages": [
            passage_json(
                h.passage,
                doc,
                h.score,
                similarity=round(h.similarity, 4),
                match={"start": h.chunk.start, "end": h.chunk.end},
            )
            for h in hits
            if doc is not None
        ],
    }


def citations_json(checked: list[CheckedSentence], ctx: list[ContextPassage], doc: Document) -> list[dict[str, Any]]:
    """Each cited passage once, with the exact sentences that support the answer and their refs.

    Markers keep the context numbering, so what was streamed and what is listed agree."""
    by_marker = {c.marker: c for c in ctx}
    evidence: dict[int, list] = {}
    for c in checked:
        for m in c.markers:
            units = evidence.setdefault(m, [])
            u = c.evidence.get(m)
            if u is not None and u not in units:
                units.append(u)
    cites = []
    for m in sorted(evidence):
        cp = by_marker[m]
        units = evidence[m]
        refs: list[int] = []
        for u in units:
            refs.extend(n for n in u.refs if n not in refs)
        cites.append(
            {
                "marker": m,
                "passage": passage_json(cp.passage, doc, cp.hit.score, similarity=round(cp.hit.similarity, 4)),
                "quotes": [{"text": u.text, "start": u.start, "end": u.end, "references": list(u.refs)} for u in units]
                or [{"text": cp.text, "start": cp.passage.start, "end": cp.passage.end, "references": []}],
                "quote_references": [reference_json(doc.reference(n)) for n in refs],
            }
        )
    return cites


def ask_json(r: AskResult) -> dict[str, Any]:
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
        "state": r.state,
        "checks": [check_json(c) for c in r.checks],
    }


def check_json(c: Any) -> dict[str, Any]:
    """One generated sentence's trace: what the verifier decided and why."""
    v = c.verdict
    return {
        "sentence": c.sentence,
        "kept": c.kept,
        "verdict": v.label.value if v is not None else "not_found",
        "reason": v.reason.value if v is not None else "no_evidence",
        **({"detail": v.detail} if v is not None and v.detail else {}),
        "quote_id": c.quote_id,
        "scores": dict(v.scores) if v is not None else {},
    }


def empty_ask_json(question: str, error: str = "") -> dict[str, Any]:
    """The `ask` shape for a question that could not be asked (a bad line of a batch file)."""
    return {
        "question": question,
        "language": "",
        "answer": "",
        "backend": "",
        "model": "",
        "citations": [],
        "grounded": False,
        "refused": False,
        "note": "",
        "standalone_question": "",
        "timings": {},
        "dropped_sentences": 0,
        "state": "error",
        "checks": [],
        **({"error": error} if error else {}),
    }


def cite_json(r: CiteResult, doc: Document, glosser: Any = None, lang: str = "") -> dict[str, Any]:
    """The `cite` JSON shape; with a Glosser, quotes not in `lang` carry a machine `gloss`."""
    support = []
    for q in r.quotes:
        s, e = q.passage.source_span(*q.clause)
        support.append(
            {
                "quote": q.sentence.text,
                "clause": q.passage.text[q.clause[0] : q.clause[1]],
                "start": q.sentence.start,
                "end": q.sentence.end,
                "clause_start": s,
                "clause_end": e,
                "score": round(q.score, 4),
                "references": q.refs,
                "passage": passage_json(q.passage, doc, q.score),
            }
        )
    if glosser is not None:
        from assistant.answering.gloss import gloss_quotes

        gloss_quotes(glosser, support, lang, field="quote")
    return {
        "claim": r.claim,
        "verdict": r.verdict,
        "support": support,
        **({"reason": r.reason} if r.reason else {}),
        **({"detail": r.detail} if r.detail else {}),
        **({"scores": r.scores} if r.scores else {}),
        "references": [reference_json(doc.reference(n)) for n in r.references],
        **({"translation": r.translation} if r.translation else {}),
        **(
            {"cite_instead": cite_instead_json(doc)}
            if cites_nothing(r.verdict, bool(support), bool(r.references))
            else {}
        ),
    }


CITE_REVIEW = {
    "zh": "综述此处未注明文献;如引用此观点,请引用综述本身。",
    "en": "The review cites no source here; to cite this point, cite the review itself.",
}


def cites_nothing(verdict: str, quoted: bool, cited: bool) -> bool:
    """The review says it (a supporting quote) but cites nobody for it: the review is the source."""
    return verdict in ("supported", "partial") and quoted and not cited


def cite_instead_json(doc: Document) -> dict[str, Any]:
    """The review's own entry, in every format `cite` offers, with the note saying why."""
    from assistant.corpus.bibformat import ay_entry, bibtex
    from assistant.corpus.records import review_reference

    me = review_reference(doc)
    return {"note": dict(CITE_REVIEW), "gbt7714": me.entry, "gbt7714_ay": ay_entry(me), "bibtex": bibtex([me])}


def empty_cite_json(claim: str, error: str = "") -> dict[str, Any]:
    """The `cite` shape for a claim that could not be checked (a bad line of a batch file)."""
    return {
        "claim": claim,
        "verdict": "not_found",
        "support": [],
        "references": [],
        **({"error": error} if error else {}),
    }


def sentence_json(d: DraftSentence, doc: Document) -> dict[str, Any]:
    cj = cite_json(d.result, doc) if d.result is not None else {"support": []}
    return {
        "sentence": d.text,
        "start": d.start,
        "end": d.end,
        "verdict": d.verdict,
        "support": cj["support"],
        **({"reason": cj["reason"]} if cj.get("reason") else {}),
        "citations": [
            {"as": c.text, "refs": c.refs, "problem": c.problem, **({"flag": c.flag} if c.flag else {})}
            for c in d.citations
        ],
        "suggest": d.suggest,
    }


def references_json(nums: list[int], doc: Document, bibtex_note: bool = False) -> dict[str, Any]:
    from assistant.corpus.bibformat import bibtex, gbt7714

    refs = [doc.reference(n) for n in nums]
    return {
        "references": [reference_json(r) for r in refs],
        "gbt7714": gbt7714(refs),
        "bibtex": bibtex(refs, doc.references, bibtex_note),
    }


def dossier_json(d: Dossier, doc: Document, bibtex_note: bool = False) -> dict[str, Any]:
    """The `refs N` shape: the reference, its formats (plain text), every citing sentence and its co-cited ones."""
    from assistant.corpus.bibformat import bibtex, plain

    r = d.reference
    citing = []
    for c in d.citing:
        s0, e0 = c.passage.source_span(*c.clause)
        citing.append(
            {
                "section": c.passage.section,
                "passage": c.passage.id,
                "start": c.sentence.start,
                "end": c.sentence.end,
                "sentence": c.sentence.text,
                "clause": c.clause_text,
                "clause_start": s0,
                "clause_end": e0,
                "as": c.forms,
                "use": c.use,
            }
        )
    return {
        **reference_json(r),
        "passages": list(r.cited_in),
        "gbt7714": plain(r.entry),
        "bibtex": bibtex([r], doc.references, bibtex_note),
        "times_cited": len(citing),
        "citing": citing,
        "co_cited": [{"n": m, "entry": doc.reference(m).entry, "count": k} for m, k in d.co_cited.most_common()],
    }
