"""Options that several commands share, declared once; the one place where a command's `Settings`
are built (environment, then its flags), and the objects commands build from them. Choices come from where they are defined:
backends from `llm.backends`, so a new backend appears in every command at once."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from assistant.llm.backends import BACKENDS
from assistant.settings import CHOICES

LANGS = CHOICES["lang"]


def backend(sp: argparse.ArgumentParser, purpose: str = "answers") -> None:
    sp.add_argument(
        "--backend", choices=BACKENDS, help=f"LLM for {purpose} (default: REVIEWQA_LLM_BACKEND, local) / 大模型后端"
    )


def lang(sp: argparse.ArgumentParser, choices: tuple[str, ...] = LANGS, default: str = "auto", what: str = "") -> None:
    sp.add_argument("--lang", choices=choices, default=default, help=what or "answer language / 回答语言")


def k(sp: argparse.ArgumentParser, what: str = "passages") -> None:
    sp.add_argument("--k", type=int, default=None, help=f"{what} to return (default: REVIEWQA_K, 5)")


def batch(sp: argparse.ArgumentParser, field: str, what: str) -> None:
    sp.add_argument("--batch", metavar="FILE.jsonl", help=f"one {what} per line in field '{field}'; models loaded once")


def no_translate(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--no-translate", action="store_true", help="no LLM translation of English queries")


def settings_for(args: argparse.Namespace) -> Any:
    """The settings a command runs with: REVIEWQA_* variables, then the flags it was given."""
    from assistant.settings import Settings

    overrides: dict[str, Any] = {"k": getattr(args, "k", None), "llm_backend": getattr(args, "backend", None)}
    if getattr(args, "no_translate", False):
        overrides["translate_queries"] = False
    return Settings.from_env(**overrides)


def emit(obj: Any, as_json: bool, text: Callable[[], str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text() + "\n")
    sys.stdout.flush()


def retriever_for(args: argparse.Namespace):
    """Hybrid retrieval; with an LLM available, English queries are also searched in Chinese."""
    from assistant.indexing.build import ensure_index
    from assistant.retrieval.hybrid import HybridRetriever

    s = args.settings
    backend = s.llm_backend
    if not s.translate_queries:
        return HybridRetriever(ensure_index(s))
    if backend == "extractive":  # no LLM: English queries also search the curated glossary's terms
        from assistant.retrieval.translate import curated_rewriter

        return HybridRetriever(ensure_index(s), rewriter=curated_rewriter(s))
    from assistant.answering.chain import Assistant

    return Assistant(s, backend=backend).retriever


def assistant_for(args: argparse.Namespace, need_llm: bool = True):
    from assistant.answering.chain import Assistant

    s = args.settings
    return Assistant(s, backend=s.llm_backend if need_llm or getattr(args, "backend", None) else "extractive")
