"""Format references for pasting: GB/T 7714 numbered (as the review prints them), GB/T 7714
author–year (著者-出版年制) and BibTeX.

The PDF's italics survive in `Reference.entry` as `*…*`: text output drops them (`plain`), HTML
turns them into <i> (`entry_html`), Markdown keeps them as they are.

BibTeX keys are surname + year + first title word, romanised with pypinyin for Chinese
(`cai2019xin`), so they are ASCII and stable.
"""

from __future__ import annotations

import re
from html import escape

from assistant.corpus.document import Reference
from assistant.corpus.records import Record, plain_entry, record, western_name
from assistant.text import CJK

TYPES = {"J": "article", "M": "book", "D": "book", "C": "inproceedings", "R": "techreport", "N": "article"}
NOTE = "in 耿子恒, 沈体雁, 肖金成 (2026), 区域经济评论 2026(2)"


def plain(entry: str) -> str:
    """An entry for text output: no Markdown asterisks."""
    return plain_entry(entry)


def entry_html(entry: str) -> str:
    """An entry for HTML: escaped, the PDF's italics as <i>."""
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", escape(entry, quote=False))


def gbt7714(refs: list[Reference]) -> str:
    """The numbered list, renumbered from 1 (a list for the user's own text), in plain text."""
    return "\n".join(f"[{i}] {plain(r.entry)}" for i, r in enumerate(refs, 1))


# ---------------------------------------------------------------------------- author–year
def _year_labels(all_refs: list[Reference]) -> dict[int, str]:
    """'2020a', '2020b' for entries sharing authors and year (GB/T 7714-2015, 著者-出版年制), in list order."""
    groups: dict[tuple, list[int]] = {}
    for r in all_refs:
        groups.setdefault((tuple(r.authors), r.year), []).append(r.n)
    return {
        n: f"{year or ''}{'abcdefghijklmnopqrstuvwxyz'[i] if len(ns) > 1 else ''}"
        for (_, year), ns in groups.items()
        for i, n in enumerate(ns)
    }


def ay_entry(r: Reference, all_refs: list[Reference] | None = None) -> str:
    """One entry in author–year order: authors. year. title[type]. journal, volume(issue): pages."""
    f = record(r)
    year = (_year_labels(all_refs) if all_refs else {}).get(r.n, str(f.year or ""))
    zh = f.lang == "zh"
    names = list(f.authors) + (["等" if zh else "et al"] if f.et_al else [])
    out = [f"{f.nationality}{', '.join(names)}.", f"{year}.", f"{f.title}[{f.kind}]."]
    if f.kind in ("J", "N"):
        where = f.volume + (f"({f.number})" if f.number else "") + (f": {f.pages}" if f.pages else "")
        out.append(f"{f.journal}, {where}." if where else f"{f.journal}.")
    else:
        if f.translators:
            out.append(", ".join([*f.translators, *(["等"] if f.translators_et_al else []), "译."]))
        if f.address or f.publisher:
            out.append(f"{f.address}: {f.publisher}." if f.address else f"{f.publisher}.")
    return " ".join(out)


def ay_sort_key(r: Reference) -> tuple:
    """Chinese entries first, by the pinyin of their authors, then Western ones alphabetically; by year."""
    from pypinyin import lazy_pinyin

    f = record(r)
    names = " ".join(f.authors).lower()
    return (f.lang != "zh", " ".join(lazy_pinyin(names)) if f.lang == "zh" else names, f.year or 0, r.n)


def gbt7714_ay(refs: list[Reference], all_refs: list[Reference] | None = None) -> str:
    """The author–year list: unnumbered, in its own order (language, then authors, then year)."""
    return "\n".join(ay_entry(r, all_refs) for r in sorted(refs, key=ay_sort_key))


# ---------------------------------------------------------------------------- BibTeX
def _ascii(s: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(s)) if CJK.search(s) else s


def bibtex_key(r: Reference, all_refs: list[Reference] | None = None) -> str:
    """A stable key; references sharing one get a, b, … in list order (zhang2020rena, zhang2020renb)."""
    base = _base_key(r)
    if all_refs:
        same = [x.n for x in all_refs if _base_key(x) == base]
        if len(same) > 1 and r.n in same:
            return base + "abcdefghijklmnopqrstuvwxyz"[same.index(r.n)]
    return base


def _base_key(r: Reference) -> str:
    first = r.authors[0] if r.authors else "anon"
    surname = first.split()[0] if re.match(r"[A-Za-z]", first) else _ascii(first[0])
    title = record(r).title
    word = ""
    if CJK.search(title[:1]):
        word = _ascii(title[0])
    else:
        words = [w for w in re.findall(r"[A-Za-z]+", title) if w.lower() not in {"a", "an", "the", "on", "of"}]
        word = words[0] if words else ""
    key = f"{surname}{r.year or ''}{word}".lower()
    return re.sub(r"[^a-z0-9]", "", key) or f"ref{r.n}"


def bib_name(name: str) -> str:
    """'DOLOREUX D' -> 'Doloreux, D.' (BibTeX reads 'DOLOREUX D' as surname 'D'); Chinese names as written."""
    if CJK.search(name) or not re.match(r"[A-Za-z]", name) or len(name.split()) < 2:
        return name
    family, initials = western_name(name)
    return f"{family}, {initials}"


def bib_names(names: tuple[str, ...], et_al: bool) -> str:
    """BibTeX's name list; 等 / et al. is BibTeX's `and others`."""
    return " and ".join([*(bib_name(n) for n in names), *(["others"] if et_al else [])])


def _tex(value: str) -> str:
    """The characters LaTeX would read as commands (`&` in 'policy & practice')."""
    return re.sub(r"(?<!\\)([&%#_$])", r"\\\1", value)


def bib_fields(f: Record) -> list[tuple[str, str]]:
    """The BibTeX fields of a record, in the usual order."""
    rows = [
        ("title", f.title),
        ("journal", f.journal),
        ("year", str(f.year) if f.year else ""),
        ("volume", f.volume),
        ("number", f.number),
        ("pages", f.pages),
        ("address", f.address),
        ("publisher", f.publisher),
        ("translator", bib_names(f.translators, f.translators_et_al) if f.translators else ""),
    ]
    return [(k, v if k == "translator" else _tex(v)) for k, v in rows if v]


def bibtex(refs: list[Reference], all_refs: list[Reference] | None = None, note: bool = False) -> str:
    """BibTeX entries; `note` adds where the entry comes from ([16] in the review) for the user's records."""
    out = []
    for r in refs:
        f = record(r)
        lines = [
            f"@{TYPES.get(f.kind, 'misc')}{{{bibtex_key(r, all_refs)},",
            f"  author = {{{bib_names(f.authors, f.et_al)}}},",
        ]
        lines += [f"  {k} = {{{v}}}," for k, v in bib_fields(f)]
        if note and r.n:
            lines.append(f"  note = {{[{r.n}] {NOTE}}},")
        lines.append("}")
        out.append("\n".join(lines))
    return "\n\n".join(out)
