"""Chunk the document by structure: one paragraph per chunk, long paragraphs split at sentence
ends under a tiktoken budget (with a one-sentence overlap), each reference its own chunk.

Every chunk knows its passage, section path, source offsets, language and the references cited
inside its own span, so retrieval can return whole passages and `cite` can be precise.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.corpus.citations import refs_in_span
from assistant.corpus.document import Document, Paragraph
from assistant.indexing.tokens import count_tokens
from assistant.settings import Settings
from assistant.text import sentences

CHUNKER_VERSION = "3"  # part of the index fingerprint


@dataclass(frozen=True)
class Chunk:
    id: str
    passage_id: str
    kind: str
    lang: str
    section: str
    section_id: str
    text: str  # a slice of the passage text
    start: int  # source offsets
    end: int
    para_start: int  # offsets inside the passage text
    para_end: int
    refs: tuple[int, ...]

    @property
    def embed_text(self) -> str:
        """What is embedded and BM25-indexed: the section path gives short chunks their context."""
        if self.kind in ("paragraph", "note"):
            return f"{self.section}\n{self.text}"
        return self.text

    def metadata(self) -> dict[str, str | int]:
        return {
            "passage_id": self.passage_id,
            "kind": self.kind,
            "lang": self.lang,
            "section": self.section,
            "section_id": self.section_id,
            "start": self.start,
            "end": self.end,
            "para_start": self.para_start,
            "para_end": self.para_end,
            "refs": ",".join(map(str, self.refs)),
        }


def _windows(p: Paragraph, budget: int, overlap: int, encoding: str) -> list[tuple[int, int]]:
    """Group sentence spans into windows of at most `budget` tokens (a single long sentence stays whole)."""
    if count_tokens(p.text, encoding) <= budget:
        return [(0, len(p.text))]
    sents = sentences(p.text)
    sizes = [count_tokens(p.text[a:b], encoding) for a, b in sents]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(sents):
        j, total = i, 0
        while j < len(sents) and (j == i or total + sizes[j] <= budget):
            total += sizes[j]
            j += 1
        out.append((sents[i][0], sents[j - 1][1]))
        if j >= len(sents):
            break
        i = max(i + 1, j - overlap)
    return out


def chunk_passage(p: Paragraph, settings: Settings) -> list[Chunk]:
    chunks = []
    for k, (a, b) in enumerate(
        _windows(p, settings.chunk_tokens, settings.chunk_overlap_sentences, settings.tiktoken_encoding)
    ):
        s, e = p.source_span(a, b)
        refs = (p.ref_number,) if p.kind == "reference" and p.ref_number else tuple(refs_in_span(p, a, b))
        chunks.append(
            Chunk(f"{p.id}#{k}", p.id, p.kind, p.lang, p.section, p.section_id, p.text[a:b], s, e, a, b, refs)
        )
    return chunks


def chunk_document(doc: Document, settings: Settings) -> list[Chunk]:
    return [c for p in doc.passages() if p.text for c in chunk_passage(p, settings)]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a body paragraph, abstract or note: the unit of quoting and marker checks."""

    id: str  # "<passage id>@<n>"
    passage_id: str
    lang: str
    text: str
    para_start: int
    para_end: int
    start: int  # source offsets
    end: int
    refs: tuple[int, ...]  # references cited inside this sentence

    def metadata(self) -> dict[str, str | int]:
        return {
            "passage_id": self.passage_id,
            "lang": self.lang,
            "para_start": self.para_start,
            "para_end": self.para_end,
            "start": self.start,
            "end": self.end,
            "refs": ",".join(map(str, self.refs)),
        }


SENTENCE_KINDS = ("paragraph", "abstract", "note")
# A sentence opening with one of these refers back, so its citation also covers the sentence before.
ANAPHORA = ("这", "此", "其", "该", "由此", "从而", "进而", "因而")


def sentence_units(doc: Document) -> list[Sentence]:
    out: list[Sentence] = []
    for p in doc.passages():
        if p.kind not in SENTENCE_KINDS:
            continue
        spans = sentences(p.text)
        own = [tuple(refs_in_span(p, a, b)) for a, b in spans]
        for k, (a, b) in enumerate(spans):
            refs = own[k]
            if not refs and k + 1 < len(spans) and own[k + 1] and p.text[spans[k + 1][0] :].startswith(ANAPHORA):
                refs = own[k + 1]
            s, e = p.source_span(a, b)
            out.append(Sentence(f"{p.id}@{k}", p.id, p.lang, p.text[a:b], a, b, s, e, refs))
    return out
