"""The document model: what the review is made of, with every piece traceable to the source.

Paragraphs repaired across page breaks keep the source spans they were joined from, so any
offset inside a paragraph maps back to a character offset in `review.txt`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["paragraph", "abstract", "reference", "front", "note"]
Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Citation:
    """One in-text author–year citation, e.g. `马述忠等,2024`, and the references it resolves to."""

    text: str  # as written, whitespace normalised
    author: str  # first author's name or surname as written
    year: int
    et_al: bool
    start: int  # offset inside the paragraph text
    end: int
    refs: tuple[int, ...] = ()  # reference numbers; several when ambiguous
    how: str = ""  # exact | typo | translator | ambiguous | unresolved


@dataclass
class Paragraph:
    """A unit of text with a stable id; `pieces` are the source spans its text was joined from."""

    id: str
    kind: Kind
    lang: Lang
    section: str  # human-readable section path, e.g. "三、人工智能与区域产业发展 > 1.人工智能与区域产业布局"
    section_id: str  # e.g. "3.1", "front", "refs"
    text: str
    pieces: list[tuple[int, int]]
    citations: list[Citation] = field(default_factory=list)
    ref_number: int | None = None  # for kind == "reference"

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    def source_offset(self, i: int) -> int:
        """Map an offset inside `text` (0..len) to an offset in the source text."""
        pos = 0
        for a, b in self.pieces:
            n = b - a
            if i < pos + n:
                return a + (i - pos)
            pos += n
        return self.pieces[-1][1] if i >= pos else self.pieces[0][0]

    def source_span(self, i: int, j: int) -> tuple[int, int]:
        """Source offsets of text[i:j]; the end is exclusive."""
        if j <= i:
            s = self.source_offset(i)
            return s, s
        return self.source_offset(i), self.source_offset(j - 1) + 1

    @property
    def refs(self) -> list[int]:
        """Reference numbers this passage cites, in order of first appearance."""
        seen: list[int] = []
        for c in self.citations:
            for n in c.refs:
                if n not in seen:
                    seen.append(n)
        return seen


@dataclass
class Reference:
    """One numbered entry of the reference list, with the names needed to link citations to it."""

    n: int
    entry: str
    authors: list[str]  # as printed; Western surnames in their printed case
    translators: list[str]
    year: int | None
    paragraph: Paragraph
    cited_as: list[str] = field(default_factory=list)
    cited_in: list[str] = field(default_factory=list)  # paragraph ids


@dataclass
class Section:
    id: str  # "1", "3.2"
    title: str  # "三、人工智能与区域产业发展" or "2.人工智能与区域产业集群"
    level: int
    path: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    def within(self, section_id: str) -> bool:
        """This section is `section_id` or one of its subsections ("all" holds every section)."""
        return in_section(self.id, section_id)


def in_section(sid: str, section_id: str) -> bool:
    """`sid` ("3.2") lies in the subtree of `section_id` ("3", "3.2" or "all")."""
    return section_id == "all" or sid == section_id or sid.startswith(section_id + ".")


@dataclass
class Document:
    """The parsed review. `source` is the exact text every offset refers to."""

    source: str
    title: str
    authors: list[str]
    column: str
    abstract: Paragraph
    keywords: list[str]
    metadata: dict[str, str]
    funding: Paragraph
    author_notes: list[Paragraph]
    sections: list[Section]
    notes: list[Paragraph]
    references: list[Reference]
    title_en: str
    authors_en: list[str]
    abstract_en: Paragraph
    keywords_en: list[str]
    front: list[Paragraph]  # title, authors, keywords, metadata, funding, author notes, English title/keywords
    unresolved: list[tuple[Paragraph, Citation]] = field(default_factory=list)

    @property
    def body(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]

    def passages(self) -> list[Paragraph]:
        """Every retrievable unit, in source order."""
        items = [
            *self.front,
            self.abstract,
            *self.body,
            *self.notes,
            *(r.paragraph for r in self.references),
            self.abstract_en,
        ]
        return sorted(items, key=lambda p: p.start)

    def by_id(self) -> dict[str, Paragraph]:
        return {p.id: p for p in self.passages()}

    def reference(self, n: int) -> Reference:
        return self.references[n - 1]

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)
