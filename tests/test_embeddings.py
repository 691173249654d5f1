"""The embedder base (fast, hash vectors): one query cache for every embedder."""

from __future__ import annotations

import numpy as np

from assistant.indexing.embeddings import EmbeddingModel, HashEmbedder
from assistant.settings import Settings


class Counting(HashEmbedder):
    CACHE_SIZE = 3

    def __init__(self) -> None:
        super().__init__(Settings(embed_model="hash:32"))
        self.encoded: list[str] = []

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        self.encoded += texts
        return super()._encode_queries(texts)


def test_each_query_text_is_encoded_once_while_cached():
    e = Counting()
    first = e.embed_queries(["a b", "c d", "a b"])
    assert e.encoded == ["a b", "c d"] and first.shape == (3, 32)
    assert np.allclose(first[0], first[2]) and np.isclose(np.linalg.norm(first[1]), 1.0)
    again = e.embed_query("c d")
    assert e.encoded == ["a b", "c d"] and np.allclose(again, first[1])


def test_the_cache_forgets_the_least_recently_used_text():
    e = Counting()
    for t in ["one", "two", "three"]:
        e.embed_query(t)
    e.embed_query("one")  # now the most recent
    e.embed_query("four")  # evicts "two"
    e.embed_query("one")
    assert e.encoded.count("one") == 1
    e.embed_query("two")
    assert e.encoded.count("two") == 2


def test_documents_are_never_cached_and_empty_input_has_the_right_shape():
    e = Counting()
    assert e.embed_documents([]).shape == (0, 32)
    docs = e.embed_documents(["x", "x"])
    assert docs.shape == (2, 32) and e.encoded == []
    assert isinstance(e, EmbeddingModel)
