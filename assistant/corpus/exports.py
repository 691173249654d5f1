"""The reference list (or a selection of it) as a file for a reference manager or a thesis: RIS,
CSL-JSON, BibTeX, GB/T 7714 numbered or author–year. One table of formats serves the CLI
(`reviewqa refs --format …`) and the API (`GET /api/refs/export`), so they cannot disagree."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.corpus.bibformat import bibtex, bibtex_key, gbt7714, gbt7714_ay
from assistant.corpus.document import Document, Reference
from assistant.corpus.records import Record, record, western_name
from assistant.errors import UserError
from assistant.text import CJK

RIS_TYPES = {"J": "JOUR", "N": "NEWS", "M": "BOOK", "D": "BOOK", "C": "CONF", "R": "RPRT"}
CSL_TYPES = {"J": "article-journal", "N": "article-newspaper", "M": "book", "D": "book", "C": "paper-conference"}
CSL_TYPES["R"] = "report"


def _name_parts(name: str) -> tuple[str, str]:
    """(family, given) as reference managers store them; a Chinese name is one family field, as
    written (splitting surname from given name would guess at compound surnames)."""
    if CJK.search(name) or len(name.split()) < 2:
        return name, ""
    return western_name(name)


def ris(refs: list[Reference], all_refs: list[Reference] | None = None) -> str:
    """RIS records (tags as EndNote, Zotero and rispy read them); the bibtex key is the ID."""
    import rispy

    entries = []
    for r in refs:
        f = record(r)
        e: dict[str, object] = {
            "type_of_reference": RIS_TYPES.get(f.kind, "GEN"),
            "id": bibtex_key(r, all_refs),
            "authors": [", ".join(p for p in _name_parts(a) if p) for a in f.authors],
            "title": f.title,
            "language": "zh" if f.lang == "zh" else "en",
        }
        if f.year:
            e["year"] = str(f.year)
        if f.journal:
            e["secondary_title"] = e["journal_name"] = f.journal
        start, _, end = f.pages.partition("-")
        for key, value in (
            ("volume", f.volume),
            ("number", f.number),
            ("start_page", start),
            ("end_page", end),
            ("place_published", f.address),
            ("publisher", f.publisher),
        ):
            if value:
                e[key] = value
        if f.translators:
            e["subsidiary_authors"] = list(f.translators)  # A4: the translator of a book (EndNote)
        entries.append(e)

    class Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""  # rispy numbers records ("1.") by default: not RIS, and some readers choke on it

    return rispy.dumps(entries, implementation=Writer)


def csl_item(r: Reference, all_refs: list[Reference] | None = None) -> dict[str, object]:
    """One CSL-JSON item (the citeproc-js / Zotero / pandoc input format)."""
    f: Record = record(r)

    def names(ns: tuple[str, ...]) -> list[dict[str, str]]:
        out = []
        for n in ns:
            family, given = _name_parts(n)
            out.append({"family": family, **({"given": given} if given else {})})
        return out

    item: dict[str, object] = {
        "id": bibtex_key(r, all_refs),
        "type": CSL_TYPES.get(f.kind, "document"),
        "title": f.title,
        "author": names(f.authors),
        "language": "zh-CN" if f.lang == "zh" else "en",
    }
    if f.year:
        item["issued"] = {"date-parts": [[f.year]]}
    for key, value in (
        ("container-title", f.journal),
        ("volume", f.volume),
        ("issue", f.number),
        ("page", f.pages),
        ("publisher", f.publisher),
        ("publisher-place", f.address),
    ):
        if value:
            item[key] = value
    if f.translators:
        item["translator"] = names(f.translators)
    return item


def csl_json(refs: list[Reference], all_refs: list[Reference] | None = None) -> str:
    return json.dumps([csl_item(r, all_refs) for r in refs], ensure_ascii=False, indent=1)


@dataclass(frozen=True)
class Format:
    render: Callable[[list[Reference], list[Reference], bool], str]
    media_type: str
    suffix: str
    help: str


FORMATS: dict[str, Format] = {
    "ris": Format(lambda rs, al, note: ris(rs, al), "application/x-research-info-systems", "ris", "RIS"),
    "csljson": Format(
        lambda rs, al, note: csl_json(rs, al), "application/vnd.citationstyles.csl+json", "json", "CSL-JSON"
    ),
    "bibtex": Format(lambda rs, al, note: bibtex(rs, al, note), "application/x-bibtex", "bib", "BibTeX"),
    "gbt7714": Format(lambda rs, al, note: gbt7714(rs), "text/plain", "txt", "GB/T 7714, numbered (顺序编码制)"),
    "gbt7714-ay": Format(
        lambda rs, al, note: gbt7714_ay(rs, al), "text/plain", "txt", "GB/T 7714, author–year (著者-出版年制)"
    ),
}


def check_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        names = ", ".join(FORMATS)
        raise UserError(
            f"未知的导出格式 {fmt!r};可用:{names}。", f"Unknown export format {fmt!r}; use one of: {names}."
        )
    return FORMATS[fmt]


def export(fmt: str, refs: list[Reference], all_refs: list[Reference], note: bool = False) -> str:
    """The file text; `all_refs` keeps keys and 2020a/2020b labels those of the whole list."""
    return check_format(fmt).render(refs, all_refs, note)


def select(doc: Document, spec: str | None) -> list[Reference]:
    """'3,16,20-25' -> those references in list order, each once; empty -> all of them."""
    total = len(doc.references)
    if not spec or not spec.strip():
        return list(doc.references)
    wanted: set[int] = set()
    for part in spec.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise UserError(
                f"无法识别的文献编号 {part.strip()!r}(示例:3,16,20-25)。",
                f"Cannot read the reference numbers {part.strip()!r} (example: 3,16,20-25).",
            )
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if a > b:
            raise UserError(f"编号范围 {a}-{b} 颠倒了。", f"The range {a}-{b} runs backwards.")
        if a < 1 or b > total:
            bad = a if a < 1 else b
            raise UserError(
                f"没有第 {bad} 篇参考文献(编号为 1–{total})。", f"There is no reference {bad} (they are 1–{total})."
            )
        wanted.update(range(a, b + 1))
    return [doc.reference(n) for n in sorted(wanted)]
