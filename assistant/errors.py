"""User-facing errors. Each carries a Chinese and an English message; the CLI prints one line
in the user's language and exits 2, never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or an unusable environment the user can fix."""

    exit_code = 2

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def message(self, lang: str | None = None) -> str:
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        return f"{self.zh} / {self.en}"


class CorpusError(UserError):
    """The corpus is missing, unreadable or does not parse as the review."""


class StoreError(UserError):
    """The index store cannot be built or opened."""


class QueryError(UserError):
    """A query is empty, too long or not text."""


class ModelError(UserError):
    """A model cannot be loaded (missing package, corrupt file)."""


MAX_QUERY_CHARS = 2000


def check_query(query: object, lang: str | None = None) -> str:
    """Validate a user query; returns it stripped or raises QueryError."""
    if not isinstance(query, str):
        raise QueryError("问题必须是文本。", "The question must be text.")
    q = query.strip()
    if not q:
        raise QueryError("问题为空,请输入内容。", "The question is empty.")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(
            f"问题过长({len(q)} 字符),上限为 {MAX_QUERY_CHARS} 字符。",
            f"The question is too long ({len(q)} characters; the limit is {MAX_QUERY_CHARS}).",
        )
    if "\x00" in q:
        raise QueryError("问题包含无效字符。", "The question contains invalid characters.")
    return q
