"""Reference dossiers: one reference of the review with every sentence that cites it, the in-text
form written there, what the review uses it for (one generated line per citing sentence, zh and
en) and the references cited alongside it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from assistant.corpus.document import Document, Paragraph, Reference
from assistant.errors import UserError
from assistant.indexing.chunking import Sentence


def times_cited(doc: Document) -> Counter:
    """How many in-text citations of the review point at each reference."""
    return Counter(n for p in doc.passages() for c in p.citations for n in c.refs)


def check_ref_number(doc: Document, n: int) -> None:
    if not 1 <= n <= len(doc.references):
        raise UserError(
            f"没有第 {n} 条文献(共 {len(doc.references)} 条)。",
            f"There is no reference [{n}] (the review has {len(doc.references)}).",
        )


@dataclass
class Citing:
    """One sentence of the review that cites the reference, and the clause the reference closes."""

    sentence: Sentence
    passage: Paragraph
    clause: tuple[int, int]  # offsets in the paragraph
    forms: list[str]  # the in-text citations written there ("王如玉等,2018")
    use: dict[str, Any]  # {"zh", "en", "generated"}: what the review uses it for (LLM, marked)

    @property
    def clause_text(self) -> str:
        return self.passage.text[self.clause[0] : self.clause[1]].strip(" ,，;；")


@dataclass
class Dossier:
    reference: Reference
    citing: list[Citing] = field(default_factory=list)
    co_cited: Counter = field(default_factory=Counter)  # reference number → sentences citing both


def dossier(index: Any, n: int, glosser: Any = None) -> Dossier:
    """Everything the review does with reference `n`; with a Glosser, the generated use lines."""
    from assistant.answering.claims import reference_clause

    doc: Document = index.doc
    check_ref_number(doc, n)
    r = doc.reference(n)
    by_id = doc.by_id()
    out = Dossier(r)
    for u in index.sentences:
        if n not in u.refs:
            continue
        p = by_id[u.passage_id]
        forms = [c.text for c in p.citations if n in c.refs and u.para_start <= c.start and c.end <= u.para_end]
        # the clause this reference closes (a sentence may cite others for other clauses)
        c = Citing(u, p, reference_clause(p, u, {n}), forms, {"zh": "", "en": "", "generated": False})
        if glosser is not None and glosser.available:
            who = f"[{n}] {(r.authors or ['?'])[0]}, {r.year}"  # the title would pull Chinese into English
            c.use = {
                "zh": glosser.use_line(who, c.clause_text, "zh"),
                "en": glosser.use_line(who, c.clause_text, "en"),
                "generated": True,
            }
        out.citing.append(c)
        out.co_cited.update(m for m in set(u.refs) if m != n)
    return out


def by_citations(doc: Document) -> list[tuple[int, int]]:
    """(reference number, in-text citations of it), most cited first, then in list order."""
    counts = times_cited(doc)
    return sorted(((r.n, counts.get(r.n, 0)) for r in doc.references), key=lambda t: (-t[1], t[0]))
