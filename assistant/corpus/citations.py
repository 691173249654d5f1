"""Find in-text author–year citations and link them to the numbered references.

Linking is by first author and year: exact name first, then a cited translator, then a one-
character typo in a name of the same length and year. A citation that fits several references
(same first author, same year) links to all of them — never to a guess.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.corpus.document import Citation, Document, Paragraph, Reference
from assistant.text import CJK_CHARS

PAREN = re.compile(r"[(（]([^()（）]{2,400})[)）]")
ITEM = re.compile(
    r"^(?P<name>.+?)\s*(?P<etal>等|,?\s*et\s+al\.?)?\s*[,，]\s*(?P<year>(?:19|20)\d\d)[a-z]?$",
    re.S,
)
CJK_NAME = re.compile(rf"^[{CJK_CHARS}·]{{1,12}}$")
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z\-' ]*$")


def _norm_ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def find_citations(text: str) -> list[Citation]:
    """Every author–year item inside parentheses, with its offsets in `text`."""
    found: list[Citation] = []
    for m in PAREN.finditer(text):
        inner_start = m.start(1)
        pos = 0
        for part in re.split(r"([;；])", m.group(1)):
            if part in (";", "；"):
                pos += len(part)
                continue
            lead = len(part) - len(part.lstrip())
            item = part.strip()
            s = inner_start + pos + lead
            pos += len(part)
            im = ITEM.match(item)
            if not im:
                continue
            name = _norm_ws(im.group("name"))
            if not (CJK_NAME.match(name.replace("和", "")) or LATIN_NAME.match(name)):
                continue
            found.append(
                Citation(
                    text=_norm_ws(item),
                    author=name,
                    year=int(im.group("year")),
                    et_al=bool(im.group("etal")),
                    start=s,
                    end=s + len(item),
                )
            )
    return found


def _surname_initial(name: str) -> tuple[str, str]:
    """'Porter M E' -> ('porter', 'm'); 'ChenYiping' -> ('chen', 'y'); 'Kikuchi T' -> ('kikuchi', 't')."""
    toks = name.split()
    first = toks[0]
    camel = re.match(r"^([A-Z][a-z]+)([A-Z][a-z]*)$", first)
    if camel and len(toks) == 1:
        return camel.group(1).lower(), camel.group(2)[0].lower()
    initial = toks[1][0].lower() if len(toks) > 1 else ""
    return first.lower(), initial


def _first_authors(name: str) -> list[str]:
    """'甄峰和李智轩' -> ['甄峰', '李智轩'] (first author first)."""
    return [n for n in re.split(r"和|与|、", name) if n]


def _one_off(a: str, b: str) -> bool:
    """Same length, exactly one differing character, and the same first character (surname)."""
    return len(a) == len(b) >= 2 and a[0] == b[0] and sum(x != y for x, y in zip(a, b)) == 1


def link_one(c: Citation, refs: list[Reference]) -> Citation:
    """Resolve one citation against the reference list."""
    same_year = [r for r in refs if r.year == c.year]
    if LATIN_NAME.match(c.author):
        sur, ini = _surname_initial(c.author)
        hits = [r for r in same_year if r.authors and r.authors[0].split()[0].lower() == sur]
        if len(hits) > 1 and ini:
            narrowed = [r for r in hits if len(r.authors[0].split()) > 1 and r.authors[0].split()[1][0].lower() == ini]
            hits = narrowed or hits
        how = "exact"
    else:
        names = _first_authors(c.author)
        first = names[0]
        hits = [r for r in same_year if r.authors and r.authors[0] == first]
        if hits and len(names) > 1:  # "A和B": prefer entries whose second author is B
            both = [r for r in hits if len(r.authors) > 1 and r.authors[1] == names[1]]
            hits = both or hits
        how = "exact"
        if not hits:
            hits = [r for r in same_year if first in r.translators]
            how = "translator"
        if not hits:
            hits = [r for r in same_year if r.authors and _one_off(r.authors[0], first)]
            how = "typo"
    if not hits:
        return replace(c, refs=(), how="unresolved")
    if len(hits) > 1:
        how = "ambiguous"
    return replace(c, refs=tuple(r.n for r in hits), how=how)


def link_document(doc: Document) -> Document:
    """Attach linked citations to every passage and the in-text forms to every reference."""
    doc.unresolved = []
    for r in doc.references:
        r.cited_as, r.cited_in = [], []
    for p in doc.passages():
        if p.kind in ("reference",) or p.lang != "zh":
            p.citations = []
            continue
        p.citations = [link_one(c, doc.references) for c in find_citations(p.text)]
        for c in p.citations:
            if not c.refs:
                doc.unresolved.append((p, c))
            for n in c.refs:
                r = doc.reference(n)
                if c.text not in r.cited_as:
                    r.cited_as.append(c.text)
                if p.id not in r.cited_in:
                    r.cited_in.append(p.id)
    return doc


def resolve_text(cite: str, doc: Document) -> list[int]:
    """Resolve a citation string as written (e.g. from an eval set) to reference numbers."""
    cs = find_citations(f"({cite})")
    if not cs:
        return []
    return sorted({n for c in cs for n in link_one(c, doc.references).refs})


def refs_in_span(p: Paragraph, start: int, end: int) -> list[int]:
    """References cited by citations lying inside text[start:end] of a passage."""
    out: list[int] = []
    for c in p.citations:
        if c.start >= start and c.end <= end:
            out.extend(n for n in c.refs if n not in out)
    return out
