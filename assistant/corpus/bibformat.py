"""Format references for pasting: GB/T 7714 (as the review prints them) and BibTeX.

BibTeX keys are surname + year + first title word, romanised with pypinyin for Chinese
(`cai2019xin`), so they are ASCII and stable.
"""

from __future__ import annotations

import re

from assistant.corpus.document import Reference
from assistant.text import CJK

TYPES = {"J": "article", "M": "book", "D": "book", "C": "inproceedings", "R": "techreport", "N": "article"}


def gbt7714(refs: list[Reference]) -> str:
    return "\n".join(f"[{i}] {r.entry}" for i, r in enumerate(refs, 1))


def _ascii(s: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(s)) if CJK.search(s) else s


def bibtex_key(r: Reference, all_refs: list[Reference] | None = None) -> str:
    """A stable key; references sharing one get a, b, … in list order (zhang2020rena, zhang2020renb)."""
    base = _base_key(r)
    if all_refs:
        same = [x.n for x in all_refs if _base_key(x) == base]
        if len(same) > 1:
            return base + "abcdefghijklmnopqrstuvwxyz"[same.index(r.n)]
    return base


def _base_key(r: Reference) -> str:
    first = r.authors[0] if r.authors else "anon"
    surname = first.split()[0] if re.match(r"[A-Za-z]", first) else _ascii(first[0])
    title = _fields(r).get("title", "")
    word = ""
    if CJK.search(title[:1]):
        word = _ascii(title[0])
    else:
        words = [w for w in re.findall(r"[A-Za-z]+", title) if w.lower() not in {"a", "an", "the", "on", "of"}]
        word = words[0] if words else ""
    key = f"{surname}{r.year or ''}{word}".lower()
    return re.sub(r"[^a-z0-9]", "", key) or f"ref{r.n}"


def _fields(r: Reference) -> dict[str, str]:
    e = re.sub(r"^\[[^\]\d]+\]\s*", "", r.entry).replace("*", "")
    western = not CJK.search(e[:20])
    m = re.search(r"\[(J|M|D|C|R|N)\]", e)
    kind = m.group(1) if m else "M"
    head, sep, tail = e.partition(m.group(0)) if m else (e, "", "")
    parts = re.split(r"\.\s" if western else r"[.．]", head, maxsplit=1)
    title = parts[1].strip() if len(parts) > 1 else head.strip()
    f: dict[str, str] = {"title": title.rstrip(". "), "_type": TYPES.get(kind, "misc")}
    tail = tail.lstrip(". ")
    if kind in ("J", "N"):
        jm = re.match(r"\s*([^,，]+?)\s*[,，]\s*(.*)$", tail)
        if jm:
            f["journal"] = jm.group(1).strip()
            rest = jm.group(2)
            ym = re.match(
                r"\s*((?:19|20)\d\d)\s*(?:\(([^)]*)\))?\s*[,，]?\s*(\d+)?\s*(?:\(([^)]*)\))?\s*:?\s*([\d\-–]+)?", rest
            )
            if ym:
                if ym.group(2):
                    f["number"] = ym.group(2)
                if ym.group(3):
                    f["volume"] = ym.group(3)
                if ym.group(4):
                    f["number"] = ym.group(4)
                if ym.group(5):
                    f["pages"] = ym.group(5)
    else:
        pm = re.match(r"\s*(?:([^.:：]*?),\s*(?:等,)?\s*译\s*\.)?\s*([^:：]+)[:：]\s*([^,，]+)", tail)
        if pm:
            if pm.group(1):
                f["translator"] = pm.group(1).strip()
            f["address"] = pm.group(2).strip()
            f["publisher"] = pm.group(3).strip()
    return f


def bibtex(refs: list[Reference], all_refs: list[Reference] | None = None) -> str:
    out = []
    for r in refs:
        f = _fields(r)
        kind = f.pop("_type")
        authors = [a.strip() for a in r.authors]
        lines = [f"@{kind}{{{bibtex_key(r, all_refs)},", f"  author = {{{' and '.join(authors)}}},"]
        for k in ("title", "journal", "year", "volume", "number", "pages", "address", "publisher", "translator"):
            v = str(r.year) if k == "year" and r.year else f.get(k)
            if v:
                lines.append(f"  {k} = {{{v}}},")
        lines.append(f"  note = {{[{r.n}] in 耿子恒, 沈体雁, 肖金成 (2026), 区域经济评论 2026(2)}},")
        lines.append("}")
        out.append("\n".join(lines))
    return "\n\n".join(out)
