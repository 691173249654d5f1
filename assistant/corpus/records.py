"""A reference entry read into its parts (authors, title, journal, volume, issue, pages, publisher…),
so every format — GB/T 7714 numbered and author–year, BibTeX, RIS, CSL-JSON — is written from the
same reading of the printed entry, and the review's own entry is one more record like the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.document import Document, Reference
from assistant.text import CJK

# The GB/T 7714 type codes the review uses. [D] (学位论文) marks [9], a published report: it is read
# as a book everywhere, so BibTeX, RIS and CSL agree.
KINDS = ("J", "M", "D", "C", "R", "N")
JOURNAL = "区域经济评论"  # the review's journal: printed nowhere in the extracted text
NATIONALITY = re.compile(r"^(\[[^\]\d]+\])\s*")
ARTICLE_NUMBER = re.compile(r"\((\d{4})\)(\d{2})-(\d{4})-(\d+)")  # 2095-5766(2026)02-0150-11


@dataclass(frozen=True)
class Record:
    """What a formatter needs of one entry; text fields are plain (the PDF's italics dropped)."""

    n: int
    kind: str  # GB/T 7714 type code
    lang: str  # zh | en: the entry's script decides name forms and punctuation
    authors: tuple[str, ...]  # as printed, 等 / et al. left out
    et_al: bool
    nationality: str  # "[意大利]" before the first author, or ""
    title: str
    year: int | None
    journal: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    address: str = ""
    publisher: str = ""
    translators: tuple[str, ...] = ()
    translators_et_al: bool = False


def plain_entry(entry: str) -> str:
    """The entry without the `*…*` italics the PDF extraction left in it."""
    return entry.replace("*", "")


def record(r: Reference) -> Record:
    """Read a printed GB/T 7714 entry into its parts."""
    e = plain_entry(r.entry).strip()
    nat = NATIONALITY.match(e)
    e = e[nat.end() :] if nat else e
    lang = "en" if not CJK.search(e[:20]) else "zh"
    m = re.search(r"\[(" + "|".join(KINDS) + r")\]", e)
    kind = m.group(1) if m else "M"
    head, tail = (e[: m.start()], e[m.end() :]) if m else (e, "")
    parts = re.split(r"\.\s" if lang == "en" else r"[.．]", head, maxsplit=1)
    names = [a.strip() for a in re.split(r"[,，]", parts[0])]
    et_al = any(a in ("等", "et al", "et al.") for a in names)
    title = (parts[1] if len(parts) > 1 else head).strip().rstrip(". ")
    f: dict[str, str] = {}
    tail = tail.strip().lstrip(".．").strip()
    if kind in ("J", "N"):
        f.update(_journal_part(tail))
        translators: list[str] = []
        tr_et_al = False
    else:
        translators, tr_et_al, rest = _translators(tail)
        f.update(_publisher_part(rest))
    return Record(
        n=r.n,
        kind=kind,
        lang=lang,
        authors=tuple(r.authors),
        et_al=et_al,
        nationality=nat.group(1) if nat else "",
        title=title,
        year=r.year,
        translators=tuple(translators),
        translators_et_al=tr_et_al,
        **f,
    )


def _journal_part(tail: str) -> dict[str, str]:
    """'管理世界,2024,40(11).' / 'Regional studies, 2021, 55(10-11): 1751-1763.' / '经济学家,2023(6).'"""
    jm = re.match(r"\s*([^,，]+?)\s*[,，]\s*(.*)$", tail)
    if not jm:
        return {}
    f = {"journal": jm.group(1).strip()}
    ym = re.match(
        r"\s*(?:19|20)\d\d\s*(?:\(([^)]*)\))?\s*[,，]?\s*(\d+)?\s*(?:\(([^)]*)\))?\s*:?\s*([\d\-–]+)?", jm.group(2)
    )
    if ym:
        number = ym.group(3) or ym.group(1)
        for key, value in (("number", number), ("volume", ym.group(2)), ("pages", ym.group(4))):
            if value:
                f[key] = value.replace("–", "-")
    return f


def _translators(tail: str) -> tuple[list[str], bool, str]:
    """'安虎森,等,译.北京:…' -> (['安虎森'], True, '北京:…')."""
    tm = re.match(r"\s*([^.．:：\[\]]*?)\s*[,，]\s*(等\s*[,，]\s*)?译\s*[.．]\s*(.*)$", tail)
    if not tm:
        return [], False, tail
    names = [t.strip() for t in re.split(r"[,，]", tm.group(1)) if t.strip() and t.strip() != "等"]
    return names, bool(tm.group(2)), tm.group(3)


def _publisher_part(rest: str) -> dict[str, str]:
    """'上海:格致出版社,上海三联书店,上海人民出版社,2016.' -> place and every publisher, year dropped."""
    pm = re.match(r"\s*([^:：]+?)\s*[:：]\s*(.+?)\s*(?:[,，]\s*(?:19|20)\d\d\S*)?\s*[.．]?\s*$", rest)
    if not pm:
        return {}
    publisher = ", ".join(p.strip() for p in re.split(r"[,，]", pm.group(2)) if p.strip())
    return {"address": pm.group(1).strip(), "publisher": publisher}


def western_name(name: str) -> tuple[str, str]:
    """'DOLOREUX D' -> ('Doloreux', 'D.'); 'PORTER M E' -> ('Porter', 'M. E.'); 'TORRECILLA-SALINAS C'
    -> ('Torrecilla-Salinas', 'C.'). GB/T 7714 prints surnames in capitals and initials bare, which
    BibTeX and reference managers would read as a surname 'D'."""
    surname, *initials = name.split()
    family = "-".join(p[:1].upper() + p[1:].lower() for p in surname.split("-"))
    return family, " ".join(i if i.endswith(".") else i + "." for i in initials)


def review_reference(doc: Document) -> Reference:
    """The review's own entry, for a statement it makes without citing anyone: year, issue and pages
    from its article number (2095-5766(2026)02-0150-11: 11 pages from 150, so 150-160)."""
    m = ARTICLE_NUMBER.search(doc.metadata.get("article_number", ""))
    year, issue, first, count = (int(x) for x in m.groups()) if m else (2026, 2, 150, 11)
    entry = f"{', '.join(doc.authors)}. {doc.title}[J]. {JOURNAL}, {year}({issue}): {first}-{first + count - 1}."
    title = next((p for p in doc.front if p.id == "front.title"), doc.abstract)
    return Reference(0, entry, list(doc.authors), [], year, title)
