"""User-facing errors. Each carries a Chinese and an English message; the CLI prints one line
in the user's language and exits 2, never a traceback."""

from __future__ import annotations

import errno
import re

from assistant.text import INVISIBLE, clean_text, has_surrogates


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


class StoreUnreachable(StoreError):
    """The Chroma server named by REVIEWQA_CHROMA_URL does not answer: rebuilding would not help."""


NO_SPACE = (errno.ENOSPC, errno.EDQUOT)  # a full disk, or a full quota: the user can free some


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n // 1000} KB"


class DiskFull(UserError):
    """No space left where we write. One line, exit 2: the user can free some space, and nothing
    that was there before (the previous index) has been changed."""

    def __init__(self, where: object, free: int | None = None, what: tuple[str, str] = ("文件", "the file")) -> None:
        zh_left = f",剩余 {_size(free)}" if free is not None else ""
        en_left = f" ({_size(free)} free)" if free is not None else ""
        super().__init__(
            f"磁盘已满:无法在 {where} 写入{what[0]}{zh_left};原有内容未改动。请释放空间后重试。",
            f"The disk is full: cannot write {what[1]} in {where}{en_left}; nothing already there was "
            "changed. Free some space and retry.",
        )


class QueryError(UserError):
    """A query is empty, too long or not text."""


class ModelError(UserError):
    """A model cannot be loaded (missing package, corrupt file)."""


MAX_QUERY_CHARS = 2000
MIN_CLAIM_CHARS = 4  # letters or Chinese characters: "a" or "人工" is not a statement to check


def check_query(query: object, lang: str | None = None) -> str:
    """Validate a user query; returns it stripped or raises QueryError."""
    if not isinstance(query, str):
        raise QueryError("问题必须是文本。", "The question must be text.")
    if "\x00" in query:
        raise QueryError("问题包含无效字符。", "The question contains invalid characters.")
    if has_surrogates(query):  # undecodable bytes in an argument, or "\ud800" in JSON
        raise QueryError("问题不是有效的 UTF-8 文本。", "The question is not valid UTF-8 text.")
    q = INVISIBLE.sub("", clean_text(query)).strip()  # zero-width characters alone are an empty question
    if not q:
        raise QueryError("问题为空,请输入内容。", "The question is empty.")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(
            f"问题过长({len(q)} 字符),上限为 {MAX_QUERY_CHARS} 字符。",
            f"The question is too long ({len(q)} characters; the limit is {MAX_QUERY_CHARS}).",
        )
    return q


def check_claim(claim: object) -> str:
    """A claim to check: a valid query with at least MIN_CLAIM_CHARS letters or characters."""
    c = check_query(claim)
    if len(re.sub(r"[\W_]", "", c)) < MIN_CLAIM_CHARS:
        raise QueryError(
            "论断过短,无法核查(请输入完整的陈述)。", "The claim is too short to check; give a full statement."
        )
    return c
