"""Options that several commands share, declared once, and the one place where a command's
`Settings` are built (environment, then its flags). Choices come from where they are defined:
backends from `llm.backends`, so a new backend appears in every command at once."""

from __future__ import annotations

import argparse
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
