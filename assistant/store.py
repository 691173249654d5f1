"""The persistent Chroma store: built atomically, fingerprinted, recovered when damaged.

A build writes into a fresh `index/.build-*` folder and only then replaces `index/store`, so a
build killed midway leaves either the previous store or nothing — never a half store. The
manifest holds a fingerprint of the chunks (text, ids, metadata) and of the embedding model;
any change to the corpus, the parser, the chunking or the model triggers a rebuild.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from .chunking import CHUNKER_VERSION, Chunk, Sentence
from .errors import StoreError
from .settings import Settings

MANIFEST = "manifest.json"


def fingerprint(chunks: list[Chunk], sentences: list[Sentence], model_id: str) -> str:
    h = hashlib.sha256()
    h.update(f"{CHUNKER_VERSION}|{model_id}".encode())
    for c in chunks:
        h.update(json.dumps([c.id, c.embed_text, c.metadata()], ensure_ascii=False, sort_keys=True).encode())
    for u in sentences:
        h.update(json.dumps([u.id, u.text, u.metadata()], ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


def _client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False,
                                                                             allow_reset=True))


def _forget_clients() -> None:
    """Chroma caches one system per path in-process; drop it after the folder is replaced."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


@contextmanager
def _build_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class Store:
    """An open, verified store: the Chroma collection plus its manifest."""

    path: Path
    collection: object  # chromadb Collection of chunks
    sentences: object  # chromadb Collection of sentences
    manifest: dict
    _sentence_matrix: tuple[list[str], np.ndarray] | None = None

    def sentence_matrix(self) -> tuple[list[str], np.ndarray]:
        """All sentence ids and vectors, loaded from Chroma once (a few hundred rows)."""
        if self._sentence_matrix is None:
            got = self.sentences.get(include=["embeddings"])  # type: ignore[attr-defined]
            self._sentence_matrix = (list(got["ids"]), np.asarray(got["embeddings"], dtype=np.float32))
        return self._sentence_matrix

    def dense(self, vec: np.ndarray, n: int, lang: str | None = None) -> list[tuple[str, float]]:
        """Chunk ids and cosine similarities, best first; optionally one language only."""
        where = {"lang": lang} if lang else None
        total = int(self.manifest.get("counts", {}).get(f"chunks_{lang}" if lang else "chunks", n))
        n = max(1, min(n, total))
        res = self.collection.query(query_embeddings=[vec.tolist()], n_results=n, where=where,  # type: ignore[attr-defined]
                                    include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]


def read_manifest(store_dir: Path) -> dict | None:
    try:
        return json.loads((store_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def open_store(settings: Settings, expected: str | None = None) -> Store:
    """Open the store; raise StoreError if missing, stale (fingerprint differs) or damaged."""
    manifest = read_manifest(settings.store_dir)
    if manifest is None:
        raise StoreError("索引不存在或不完整。", "The index is missing or incomplete.")
    if expected is not None and manifest.get("fingerprint") != expected:
        raise StoreError("索引已过期。", "The index is out of date.")
    try:
        client = _client(settings.store_dir / "chroma")
        col = client.get_collection(settings.collection)
        sents = client.get_collection(settings.collection + "_sentences")
        counts = (col.count(), sents.count())
    except Exception as e:  # chroma raises many types for damaged sqlite/segments
        raise StoreError(f"索引已损坏:{type(e).__name__}", f"The index is damaged: {type(e).__name__}") from None
    m = manifest.get("counts", {})
    if counts != (m.get("chunks"), m.get("sentences")):
        raise StoreError("索引已损坏:数量不符。", "The index is damaged: count mismatch.")
    return Store(settings.store_dir, col, sents, manifest)


def _add(col, ids: list[str], docs: list[str], vecs: np.ndarray, metas: list[dict]) -> None:
    step = 256
    for i in range(0, len(ids), step):
        col.add(ids=ids[i:i + step], documents=docs[i:i + step], embeddings=vecs[i:i + step].tolist(),
                metadatas=metas[i:i + step])


def build_store(settings: Settings, chunks: list[Chunk], vectors: np.ndarray, sentences: list[Sentence],
                sentence_vectors: np.ndarray, fp: str, extra: dict | None = None) -> Store:
    """Write a complete store in a temporary folder, then swap it in atomically."""
    root = settings.store_dir.parent
    with _build_lock(root):
        for leftover in [*root.glob(".build-*"), *root.glob(".old-*")]:  # from builds killed midway
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        except OSError as e:
            raise StoreError(f"无法写入索引目录 {root}:{e.strerror}",
                             f"Cannot write the index folder {root}: {e.strerror}") from None
        try:
            client = _client(tmp / "chroma")
            col = client.create_collection(settings.collection, embedding_function=None,
                                           metadata={"hnsw:space": "cosine"})
            _add(col, [c.id for c in chunks], [c.text for c in chunks], vectors, [c.metadata() for c in chunks])
            scol = client.create_collection(settings.collection + "_sentences", embedding_function=None,
                                            metadata={"hnsw:space": "cosine"})
            _add(scol, [u.id for u in sentences], [u.text for u in sentences], sentence_vectors,
                 [u.metadata() for u in sentences])
            counts = {"chunks": len(chunks), "sentences": len(sentences),
                      "chunks_zh": sum(c.lang == "zh" for c in chunks),
                      "chunks_en": sum(c.lang == "en" for c in chunks)}
            manifest = {"fingerprint": fp, "model": settings.embed_model, "counts": counts,
                        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **(extra or {})}
            _forget_clients()
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
            old = None
            if settings.store_dir.exists():
                old = root / f".old-{os.getpid()}-{int(time.time() * 1000)}"
                os.replace(settings.store_dir, old)
            os.replace(tmp, settings.store_dir)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except StoreError:
            raise
        except OSError as e:
            raise StoreError(f"写入索引失败:{e.strerror or e}", f"Writing the index failed: {e.strerror or e}") from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        _forget_clients()
    return open_store(settings, fp)


def remove_store(settings: Settings) -> None:
    _forget_clients()
    if settings.store_dir.exists():
        shutil.rmtree(settings.store_dir, ignore_errors=True)
        print("[reviewqa] 已删除旧索引 / removed the old index", file=sys.stderr)
