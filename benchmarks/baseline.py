"""The baseline a user would assemble from LangChain in an afternoon (benchmarks only, not the product):
RecursiveCharacterTextSplitter(500, 50) over the raw review text, the same embedding model with
the e5 prefixes in a Chroma collection (top-k similarity), plain BM25 over jieba tokens of the
same chunks, and a plain "stuff the top chunks" prompt for answers."""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLAIN_PROMPT = (
    "Answer the question using only the context below. Cite nothing you cannot find there.\n\n"
    "Context:\n{context}\n\nQuestion: {question}\nAnswer:"
)


@dataclass
class Baseline:
    model_path: str
    source: str
    chunks: list[str] = field(default_factory=list)
    store: Any = None
    bm25: Any = None
    build_seconds: float = 0.0
    _tmp: Any = None

    def build(self, embeddings: Any = None) -> Baseline:
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        t = time.perf_counter()
        self.embeddings = embeddings or HuggingFaceEmbeddings(
            model_name=self.model_path,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "prompt": "passage: "},
            query_encode_kwargs={"normalize_embeddings": True, "prompt": "query: "},
        )
        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
        self.chunks = splitter.split_text(self.source)
        self._tmp = tempfile.TemporaryDirectory()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(path=self._tmp.name, settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma.from_texts(
            self.chunks,
            self.embeddings,
            client=client,
            collection_name="baseline",
            ids=[str(i) for i in range(len(self.chunks))],
        )
        import bm25s

        from assistant.retrieval.hybrid import tokenize

        self.bm25 = bm25s.BM25()
        self.bm25.index([tokenize(c) or ["∅"] for c in self.chunks], show_progress=False)
        self.build_seconds = time.perf_counter() - t
        return self

    def dense(self, query: str, k: int = 5) -> list[str]:
        return [d.page_content for d in self.store.similarity_search(query, k=k)]

    def bm25_search(self, query: str, k: int = 5) -> list[str]:
        import numpy as np

        from assistant.retrieval.hybrid import tokenize

        toks = tokenize(query)
        if not toks:
            return []
        scores = self.bm25.get_scores(toks)
        return [self.chunks[i] for i in np.argsort(-scores)[:k]]

    def refs_in(self, texts: list[str], doc: Any) -> list[int]:
        """References a baseline user could read off the retrieved chunks: every linked citation in them
        (using reviewqa's linker — generous to the baseline, which has none)."""
        from assistant.corpus.citations import find_citations, link_one

        out: list[int] = []
        for t in texts:
            for c in find_citations(re.sub(r"\s*\n\s*", "", t)):
                out.extend(n for n in link_one(c, doc.references).refs if n not in out)
        return out

    def ask(self, chat: Any, question: str, k: int = 4) -> tuple[str, float, float]:
        """A plain RAG answer with the same chat model: (text, first-token seconds, total seconds)."""
        from langchain_core.prompts import ChatPromptTemplate

        t0 = time.perf_counter()
        context = "\n\n".join(self.dense(question, k))
        chain = ChatPromptTemplate.from_messages([("human", PLAIN_PROMPT)]) | chat
        first, text = None, ""
        for chunk in chain.stream({"context": context, "question": question}):
            if chunk.content and first is None:
                first = time.perf_counter() - t0
            text += str(chunk.content)
        return text, first or 0.0, time.perf_counter() - t0


def load(model_path: Path, source: str, embeddings: Any = None) -> Baseline:
    return Baseline(str(model_path), source).build(embeddings)


def setup() -> tuple[Any, Baseline]:
    """What a comparison needs: reviewqa's Assistant on the local model, and the baseline built with
    the same embedding model (offline; its chat model is `assistant.backend.chat`)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.answering.chain import Assistant
    from assistant.indexing.embeddings import get_embedder, model_dir
    from assistant.settings import Settings

    s = Settings.from_env()
    assistant = Assistant(s, backend="local")
    get_embedder(s, purpose="index")
    return assistant, load(model_dir(s), s.corpus_path.read_text(encoding="utf-8"))
