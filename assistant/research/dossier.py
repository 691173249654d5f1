"""Reference dossiers: one reference of the review with every sentence that cites it, the in-text
form written there, what the review uses it for (one generated line per citing sentence, zh and
en) and the references cited alongside it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from assistant.corpus.document import Document
from assistant.errors import UserError


def times_cited(doc: Document) -> Counter:
    """How many in-text citations of the review point at each reference."""
    return Counter(n for p in doc.passages() for c in p.citations for n in c.refs)


def check_ref_number(doc: Document, n: int) -> None:
    if not 1 <= n <= len(doc.references):
        raise UserError(
            f"没有第 {n} 条文献(共 {len(doc.references)} 条)。",
            f"There is no reference [{n}] (the review has {len(doc.references)}).",
        )


def dossier(index: Any, n: int, glosser: Any = None) -> dict[str, Any]:
    """Everything the review does with reference `n`; with a Glosser, the generated use lines."""
    from assistant.answering.claims import reference_clause
    from assistant.corpus.bibformat import bibtex
    from assistant.serialize import reference_json

    doc: Document = index.doc
    check_ref_number(doc, n)
    r = doc.reference(n)
    by_id = doc.by_id()
    citing, co = [], Counter()
    for u in index.sentences:
        if n not in u.refs:
            continue
        p = by_id[u.passage_id]
        forms = [c.text for c in p.citations if n in c.refs and u.para_start <= c.start and c.end <= u.para_end]
        # the clause this reference closes (a sentence may cite others for other clauses)
        a, b = reference_clause(p, u, {n})
        clause = p.text[a:b].strip(" ,，;；")
        use = {"zh": "", "en": "", "generated": False}
        if glosser is not None and glosser.available:
            who = f"[{n}] {(r.authors or ['?'])[0]}, {r.year}"  # the title would pull Chinese into English
            use = {
                "zh": glosser.use_line(who, clause, "zh"),
                "en": glosser.use_line(who, clause, "en"),
                "generated": True,
            }
        s0, e0 = p.source_span(a, b)
        citing.append(
            {
                "section": p.section,
                "passage": p.id,
                "start": u.start,
                "end": u.end,
                "sentence": u.text,
                "clause": clause,
                "clause_start": s0,
                "clause_end": e0,
                "as": forms,
                "use": use,
            }
        )
        co.update(m for m in set(u.refs) if m != n)
    return {
        **reference_json(r),
        "passages": list(r.cited_in),
        "gbt7714": r.entry,
        "bibtex": bibtex([r], doc.references),
        "times_cited": len(citing),
        "citing": citing,
        "co_cited": [{"n": m, "entry": doc.reference(m).entry, "count": k} for m, k in co.most_common()],
    }


def by_citations(doc: Document) -> list[tuple[int, int]]:
    """(reference number, in-text citations of it), most cited first, then in list order."""
    counts = times_cited(doc)
    return sorted(((r.n, counts.get(r.n, 0)) for r in doc.references), key=lambda t: (-t[1], t[0]))
