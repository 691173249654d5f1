"""The index pipeline: corpus → document → chunks → embeddings → store, rebuilt only when needed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from assistant.corpus.citations import link_document
from assistant.corpus.document import Document
from assistant.corpus.parser import parse, read_corpus
from assistant.errors import StoreError, StoreUnreachable
from assistant.indexing.chunking import Chunk, Sentence, chunk_document, sentence_units
from assistant.indexing.store import (
    Store,
    build_store,
    check_owned,
    check_writable,
    fingerprint,
    open_store,
    writable,
)
from assistant.log import log, showing_progress
from assistant.settings import Settings

_DOCS: dict[tuple[str, int], Document] = {}  # in-process only


def load_document(settings: Settings) -> Document:
    """Parse and link the corpus (cached per process and file version)."""
    path = settings.corpus_path
    source = read_corpus(path)
    key = (str(path), hash(source))
    if key not in _DOCS:
        _DOCS[key] = link_document(parse(source))
    return _DOCS[key]


@dataclass
class Index:
    settings: Settings
    doc: Document
    chunks: list[Chunk]
    store: Store
    sentences: list[Sentence]
    built: bool = False
    seconds: float = 0.0
    by_id: dict[str, Chunk] = field(default_factory=dict)
    sentence_by_id: dict[str, Sentence] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.chunks}
        self.sentence_by_id = {u.id: u for u in self.sentences}

    def report(self) -> dict:
        doc = self.doc
        cites = [c for p in doc.passages() for c in p.citations]
        return {
            "sections": len(doc.sections),
            "paragraphs": len(doc.body),
            "references": len(doc.references),
            "citations": len(cites),
            "citations_linked": sum(bool(c.refs) for c in cites),
            "unresolved": len(doc.unresolved),
            "chunks": len(self.chunks),
            "chunks_zh": sum(c.lang == "zh" for c in self.chunks),
            "chunks_en": sum(c.lang == "en" for c in self.chunks),
            "sentences": len(self.sentences),
            "rebuilt": self.built,
            "seconds": round(self.seconds, 2),
            "store": str(self.store.path),
            "model": self.settings.embed_model,
        }


def ensure_index(settings: Settings, rebuild: bool = False) -> Index:
    """Open the store if it matches the corpus, chunking and model; otherwise (re)build it."""
    from assistant.indexing.embeddings import get_embedder, model_identity

    t0 = time.perf_counter()
    doc = load_document(settings)
    chunks = chunk_document(doc, settings)
    sents = sentence_units(doc)
    fp = fingerprint(chunks, sents, model_identity(settings))
    check_owned(settings)  # a user's own folder is refused before anything is read or written
    if not rebuild:
        try:
            return Index(settings, doc, chunks, open_store(settings, fp), sents, False, time.perf_counter() - t0)
        except StoreUnreachable:
            raise  # a server that does not answer is not fixed by re-embedding
        except StoreError as e:
            parent = settings.store_dir.parent
            if not settings.chroma_url and parent.exists() and not writable(parent):
                raise StoreError(
                    f"{e.zh} 索引目录 {parent} 只读,无法重建。",
                    f"{e.en} The index folder {parent} is read-only, so it cannot be rebuilt.",
                ) from None
            if settings.chroma_url or settings.store_dir.exists():
                log.warning(f"{e.zh} 正在重建 / {e.en} Rebuilding.")
    # --rebuild keeps the current store until the new one is complete (built beside it, then swapped)
    check_writable(settings)  # a read-only folder is refused now, not after embedding
    embedder = get_embedder(settings, purpose="index")
    log.info(
        f"正在嵌入 {len(chunks)} 个块和 {len(sents)} 个句子 / embedding {len(chunks)} chunks and {len(sents)} sentences …"
    )
    texts = [c.embed_text for c in chunks] + [u.text for u in sents]
    vectors = embedder.embed_documents(texts, progress=showing_progress())
    store = build_store(settings, chunks, vectors[: len(chunks)], sents, vectors[len(chunks) :], fp)
    return Index(settings, doc, chunks, store, sents, True, time.perf_counter() - t0)
