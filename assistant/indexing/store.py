"""The persistent Chroma store: built atomically, fingerprinted, recovered when damaged.

A build writes into a fresh `.reviewqa-build-<store>-<pid>-<ns>` folder beside the store and only then
swaps it in, so a build killed midway (or a `--rebuild` killed midway) leaves the previous store
intact — never a half store and never no store. The manifest holds a fingerprint of the chunks
(text, ids, metadata) and of the embedding model; any change to the corpus, the parser, the
chunking or the model triggers a rebuild.

Only folders we made are ever deleted: every store and build folder carries the OWNER_MARK file,
written first. A non-empty store folder without it (a user's folder given as REVIEWQA_STORE_DIR)
is refused, never emptied. A valid store on a read-only disk is served from a private copy.
With REVIEWQA_CHROMA_URL set, the store lives on a Chroma server instead (remote_store.py).
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import NO_SPACE, DiskFull, StoreError
from assistant.indexing.chunking import CHUNKER_VERSION, Chunk, Sentence
from assistant.settings import Settings

MANIFEST = "manifest.json"
OWNER_MARK = ".reviewqa-store"  # written first into every folder we create; nothing else is deleted
_READONLY_COPIES: list[Path] = []


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

    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    )


def _forget_clients() -> None:
    """Chroma caches one system per path in-process; drop it after the folder is replaced."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


_KINDS = ("build", "old")  # a build in progress; a store being swapped out
_SUFFIX = re.compile(r"-\d+-\d+")  # -<pid>-<time>: the one suffix a folder of ours gets
_LEGACY = re.compile(r"-[a-z0-9_]{8}")  # builds named by tempfile.mkdtemp before the names were exact


def _folder(kind: str, store_dir: Path, pid: int, stamp: int) -> Path:
    return store_dir.parent / f".reviewqa-{kind}-{store_dir.name}-{pid}-{stamp}"


def _leftovers(store_dir: Path) -> list[Path]:
    """This store's build and swap-out folders, and no other store's. A name is the store's name
    followed by exactly -<pid>-<time>, so `s`'s never match `s-x`'s (.reviewqa-build-s-x-1-2 is not
    `s` + -<pid>-<time>), whatever characters a store's name holds."""
    out = []
    for kind in _KINDS:
        head = f".reviewqa-{kind}-{store_dir.name}"
        for p in store_dir.parent.glob(glob.escape(head) + "-*"):
            tail = p.name[len(head) :]
            if _SUFFIX.fullmatch(tail) or (kind == "build" and _LEGACY.fullmatch(tail)):
                out.append(p)
    return out


def _new_build_folder(store_dir: Path) -> Path:
    """A fresh, empty build folder for this store, created here (not by tempfile: its random
    suffix made the names of two stores' folders overlap)."""
    while True:
        tmp = _folder("build", store_dir, os.getpid(), time.time_ns())
        try:
            tmp.mkdir()
            return tmp
        except FileExistsError:
            continue


def owned(path: Path) -> bool:
    """True if `path` is a folder we may replace: missing, empty, or marked as ours."""
    if not path.exists():
        return True
    if not path.is_dir():
        return False
    return _marked(path) or not any(path.iterdir())


def _marked(path: Path) -> bool:
    """Carries our mark (stores built before the mark existed carry our manifest instead)."""
    if (path / OWNER_MARK).is_file():
        return True
    m = read_manifest(path)
    return isinstance(m, dict) and {"fingerprint", "counts", "model"} <= m.keys()


def check_owned(settings: Settings) -> None:
    """Refuse (one line, exit 2) to use a folder that holds someone else's files."""
    d = settings.store_dir
    if settings.chroma_url:
        return  # the store is on a Chroma server (remote_store.py); no local folder is used
    if not owned(d):
        raise StoreError(
            f"REVIEWQA_STORE_DIR={d} 不是 reviewqa 的索引目录,且不为空;为保护其中的文件,拒绝使用。"
            "请指定一个新的或空的目录。",
            f"REVIEWQA_STORE_DIR={d} is not a reviewqa index folder and is not empty; refusing to "
            "touch its files. Point it at a new or empty folder.",
        )


def writable(path: Path) -> bool:
    """Can we create files in `path` (False on a read-only mount, even for root)?"""
    return os.access(path, os.W_OK | os.X_OK)


def check_writable(settings: Settings) -> None:
    """Refuse at once (one line, exit 2) to build where nothing can be written: before embedding,
    which takes half a minute with the real model. The folder the store goes in, or the nearest
    existing folder above it, is probed."""
    if settings.chroma_url:
        return
    root = settings.store_dir.parent
    probe = next((p for p in (root, *root.parents) if p.exists()), root)
    if not writable(probe):
        raise StoreError(
            f"索引目录 {root} 只读,无法建立索引。", f"The index folder {root} is read-only; cannot build the index."
        )


@contextmanager
def _build_lock(root: Path, name: str) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".reviewqa-{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


FULL_BELOW = 16_000_000  # bytes free under which a failed write is put down to a full disk
_FULL_WORDS = ("disk is full", "no space left", "os error 28", "sqlite_full", "quota exceeded")


def _disk_full(e: BaseException, root: Path) -> DiskFull | None:
    """The one-line error for a write that failed because the disk is full, else None. Chroma does
    not always say so (on a full disk it may raise "Error in compaction: Failed to apply logs"),
    so any failed write with under FULL_BELOW bytes left counts as one."""
    try:
        free: int | None = shutil.disk_usage(root).free
    except OSError:
        free = None
    said = (isinstance(e, OSError) and e.errno in NO_SPACE) or any(w in str(e).lower() for w in _FULL_WORDS)
    if said or (free is not None and free < FULL_BELOW):
        return DiskFull(root, free, ("索引", "the index"))
    return None


def _remove_ours(path: Path) -> None:
    """Delete a folder only if it carries our mark (or is empty)."""
    if path.is_dir() and not path.is_symlink():
        if _marked(path):
            shutil.rmtree(path, ignore_errors=True)
        elif not any(path.iterdir()):
            path.rmdir()


@dataclass
class Store:
    """An open, verified store: the Chroma collection plus its manifest."""

    path: Path | str  # the folder, or url#collection on a Chroma server
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
        res = self.collection.query(
            query_embeddings=[vec.tolist()],
            n_results=n,
            where=where,  # type: ignore[attr-defined]
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]


def read_manifest(store_dir: Path) -> dict | None:
    try:
        return json.loads((store_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def open_store(settings: Settings, expected: str | None = None) -> Store:
    """Open the store; raise StoreError if missing, stale (fingerprint differs) or damaged."""
    if settings.chroma_url:
        from assistant.indexing.remote_store import open_remote

        return open_remote(settings, expected)
    manifest = read_manifest(settings.store_dir)
    if manifest is None:
        raise StoreError("索引不存在或不完整。", "The index is missing or incomplete.")
    if expected is not None and manifest.get("fingerprint") != expected:
        raise StoreError("索引已过期。", "The index is out of date.")
    where = settings.store_dir
    if not writable(where):  # chroma writes to its sqlite even to read: serve a private copy
        where = _readonly_copy(where)
    try:
        client = _client(where / "chroma")
        col = client.get_collection(settings.collection)
        sents = client.get_collection(settings.collection + "_sentences")
        counts = (col.count(), sents.count())
    except Exception as e:  # chroma raises many types for damaged sqlite/segments
        raise StoreError(f"索引已损坏:{type(e).__name__}", f"The index is damaged: {type(e).__name__}") from None
    m = manifest.get("counts", {})
    if counts != (m.get("chunks"), m.get("sentences")):
        raise StoreError("索引已损坏:数量不符。", "The index is damaged: count mismatch.")
    return Store(settings.store_dir, col, sents, manifest)


def _readonly_copy(store_dir: Path) -> Path:
    """Copy a store on a read-only disk to a temporary folder (a few MB), removed at exit."""
    import atexit

    tmp = Path(tempfile.mkdtemp(prefix="reviewqa-ro-"))
    shutil.copytree(store_dir, tmp / "store", dirs_exist_ok=True)
    if not _READONLY_COPIES:
        atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in _READONLY_COPIES])
    _READONLY_COPIES.append(tmp)
    return tmp / "store"


def _add(col, ids: list[str], docs: list[str], vecs: np.ndarray, metas: list[dict]) -> None:
    step = 256
    for i in range(0, len(ids), step):
        col.add(
            ids=ids[i : i + step],
            documents=docs[i : i + step],
            embeddings=vecs[i : i + step].tolist(),
            metadatas=metas[i : i + step],
        )


def write_collections(
    client: Any,
    names: tuple[str, str],
    chunks: list[Chunk],
    vectors: np.ndarray,
    sentences: list[Sentence],
    sentence_vectors: np.ndarray,
) -> dict[str, int]:
    """The chunk and sentence collections of one build (embedded or on a server); their counts."""
    for name, items, vecs in ((names[0], chunks, vectors), (names[1], sentences, sentence_vectors)):
        col = client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
        _add(col, [x.id for x in items], [x.text for x in items], vecs, [x.metadata() for x in items])
    return {
        "chunks": len(chunks),
        "sentences": len(sentences),
        "chunks_zh": sum(c.lang == "zh" for c in chunks),
        "chunks_en": sum(c.lang == "en" for c in chunks),
    }


def build_store(
    settings: Settings,
    chunks: list[Chunk],
    vectors: np.ndarray,
    sentences: list[Sentence],
    sentence_vectors: np.ndarray,
    fp: str,
    extra: dict | None = None,
) -> Store:
    """Write a complete store in a temporary folder, then swap it in atomically."""
    if settings.chroma_url:
        from assistant.indexing.remote_store import build_remote

        return build_remote(settings, chunks, vectors, sentences, sentence_vectors, fp, extra)
    check_owned(settings)
    root = settings.store_dir.parent
    check_writable(settings)
    with _build_lock(root, settings.store_dir.name):
        for leftover in _leftovers(settings.store_dir):  # builds killed midway
            _remove_ours(leftover)
        try:
            tmp = _new_build_folder(settings.store_dir)
            (tmp / OWNER_MARK).write_text("reviewqa index store; safe to delete\n")
        except OSError as e:
            raise _disk_full(e, root) or StoreError(
                f"无法写入索引目录 {root}:{e.strerror}", f"Cannot write the index folder {root}: {e.strerror}"
            ) from None
        try:
            counts = write_collections(
                _client(tmp / "chroma"),
                (settings.collection, settings.collection + "_sentences"),
                chunks,
                vectors,
                sentences,
                sentence_vectors,
            )
            manifest = {
                "fingerprint": fp,
                "model": settings.embed_model,
                "counts": counts,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                **(extra or {}),
            }
            _forget_clients()
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
            old = None
            check_owned(settings)  # again, under the lock: the folder may have changed meanwhile
            if settings.store_dir.is_dir() and not any(settings.store_dir.iterdir()):
                settings.store_dir.rmdir()
            elif settings.store_dir.exists():
                old = _folder("old", settings.store_dir, os.getpid(), time.time_ns())
                os.replace(settings.store_dir, old)
            os.replace(tmp, settings.store_dir)
            if old is not None:
                _remove_ours(old)
        except StoreError:
            raise
        except OSError as e:
            raise _disk_full(e, root) or StoreError(
                f"写入索引失败:{e.strerror or e}", f"Writing the index failed: {e.strerror or e}"
            ) from None
        except Exception as e:  # Chroma's own errors: a full disk is the user's to fix, the rest is ours
            full = _disk_full(e, root)
            if full is None:
                raise
            raise full from None
        finally:
            if tmp.exists():
                _remove_ours(tmp)
        _forget_clients()
    return open_store(settings, fp)
