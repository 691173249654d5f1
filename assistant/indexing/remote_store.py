"""The store on a Chroma server (`REVIEWQA_CHROMA_URL`, e.g. one `chroma run` shared by several
`reviewqa serve` workers), with the embedded store's guarantees.

A build writes two new collections, `<collection>-g<build id>-chunks` and `…-sentences`, and only
then points the small pointer collection `<collection>-current` at them: one metadata update holding
the fingerprint, the collection names, the counts and the model. Readers follow the pointer, so they
see the old store or the new one, never half of one; a build killed midway leaves the pointer as it
was. The generation before the current one is kept (a worker may still be reading it); older ones
and abandoned builds are deleted — and only collections named with our prefix ever are.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.errors import StoreError, StoreUnreachable
from assistant.indexing.chunking import Chunk, Sentence
from assistant.settings import Settings

ABANDONED_SECONDS = 3600  # a build this old that never became current was killed


def _unreachable(url: str, e: Exception) -> StoreUnreachable:
    return StoreUnreachable(
        f"无法连接 Chroma 服务器 {url}({type(e).__name__});请确认 `chroma run` 正在运行,"
        "或清空 REVIEWQA_CHROMA_URL 使用本地索引。",
        f"Cannot reach the Chroma server at {url} ({type(e).__name__}); check that `chroma run` "
        "is running, or unset REVIEWQA_CHROMA_URL to use the local index.",
    )


def client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    u = urlparse(settings.chroma_url)
    try:
        c = chromadb.HttpClient(
            host=u.hostname or "127.0.0.1",
            port=u.port or (443 if u.scheme == "https" else 8000),
            ssl=u.scheme == "https",
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        c.heartbeat()
    except Exception as e:
        raise _unreachable(settings.chroma_url, e) from None
    return c


def _pointer_name(settings: Settings) -> str:
    return f"{settings.collection}-current"


def _generation_rx(settings: Settings) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(settings.collection)}-g(\d+)-(\d+)-(chunks|sentences)$")


def read_pointer(settings: Settings, c: Any | None = None) -> dict | None:
    """The manifest of the current generation, or None when nothing was ever built."""
    c = c or client(settings)
    try:
        meta = c.get_collection(_pointer_name(settings)).metadata or {}
    except Exception:
        return None
    return dict(meta) if meta.get("fingerprint") else None


def open_remote(settings: Settings, expected: str | None = None):
    from assistant.indexing.store import Store

    c = client(settings)
    m = read_pointer(settings, c)
    if m is None:
        raise StoreError("Chroma 服务器上没有索引。", "The Chroma server holds no index yet.")
    if expected is not None and m.get("fingerprint") != expected:
        raise StoreError("Chroma 服务器上的索引已过期。", "The index on the Chroma server is out of date.")
    try:
        col, sents = c.get_collection(m["chunks_collection"]), c.get_collection(m["sentences_collection"])
        counts = (col.count(), sents.count())
    except Exception as e:
        raise StoreError(
            f"Chroma 服务器上的索引已损坏:{type(e).__name__}",
            f"The index on the Chroma server is damaged: {type(e).__name__}",
        ) from None
    if counts != (m.get("chunks"), m.get("sentences")):
        raise StoreError(
            "Chroma 服务器上的索引已损坏:数量不符。", "The index on the Chroma server is damaged: count mismatch."
        )
    manifest = {**m, "counts": {k: m[k] for k in ("chunks", "sentences", "chunks_zh", "chunks_en") if k in m}}
    return Store(f"{settings.chroma_url}#{m['chunks_collection']}", col, sents, manifest)


def build_remote(
    settings: Settings,
    chunks: list[Chunk],
    vectors: np.ndarray,
    sentences: list[Sentence],
    sentence_vectors: np.ndarray,
    fp: str,
    extra: dict | None = None,
):
    """New collections first, then the pointer; then old generations are pruned."""
    from assistant.indexing.store import write_collections

    c = client(settings)
    gen = f"{settings.collection}-g{int(time.time() * 1000)}-{os.getpid()}"
    names = {"chunks_collection": f"{gen}-chunks", "sentences_collection": f"{gen}-sentences"}
    try:
        counts = write_collections(
            c,
            (names["chunks_collection"], names["sentences_collection"]),
            chunks,
            vectors,
            sentences,
            sentence_vectors,
        )
        manifest = {
            "fingerprint": fp,
            "model": settings.embed_model,
            **names,
            **counts,  # flat: Chroma metadata holds no nested values
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            **{k: v for k, v in (extra or {}).items() if isinstance(v, (str, int, float, bool))},
        }
        pointer = c.get_or_create_collection(_pointer_name(settings))
        previous = read_pointer(settings, c)
        pointer.modify(metadata=manifest)  # the swap: one metadata update
    except StoreError:
        raise
    except Exception as e:
        for n in names.values():  # our own half-built generation
            try:
                c.delete_collection(n)
            except Exception:
                pass
        raise StoreError(
            f"写入 Chroma 服务器失败:{type(e).__name__}", f"Writing to the Chroma server failed: {type(e).__name__}"
        ) from None
    prune(
        settings,
        c,
        keep={
            names["chunks_collection"],
            names["sentences_collection"],
            *((previous or {}).get(k, "") for k in ("chunks_collection", "sentences_collection")),
        },
    )
    return open_remote(settings, fp)


def prune(settings: Settings, c: Any, keep: set[str]) -> list[str]:
    """Delete our generations other than `keep`; a build not yet current is left alone for an hour."""
    rx = _generation_rx(settings)
    now_ms = time.time() * 1000
    removed = []
    for col in c.list_collections():
        name = col if isinstance(col, str) else col.name
        m = rx.match(name)
        if not m or name in keep:
            continue
        if now_ms - int(m.group(1)) < ABANDONED_SECONDS * 1000 and not _older_than_current(
            settings, c, int(m.group(1))
        ):
            continue  # perhaps another worker's build in progress
        try:
            c.delete_collection(name)
            removed.append(name)
        except Exception:
            pass
    return removed


def _older_than_current(settings: Settings, c: Any, stamp: int) -> bool:
    cur = read_pointer(settings, c) or {}
    m = _generation_rx(settings).match(cur.get("chunks_collection", ""))
    return bool(m) and stamp < int(m.group(1))
