"""The store: fingerprint rebuilds, atomic builds, recovery from damaged or half-written stores."""

from __future__ import annotations

import json
from dataclasses import replace

from assistant.indexing.build import ensure_index
from assistant.indexing.store import MANIFEST


def test_build_then_reuse(hash_settings):
    first = ensure_index(hash_settings)
    assert first.built and first.store.collection.count() == len(first.chunks)
    second = ensure_index(hash_settings)
    assert not second.built
    assert second.store.manifest["fingerprint"] == first.store.manifest["fingerprint"]


def test_rebuild_when_corpus_chunking_or_model_changes(hash_settings, tmp_path):
    base = ensure_index(hash_settings)
    fp = base.store.manifest["fingerprint"]
    edited = tmp_path / "review.txt"
    edited.write_text(base.doc.source.replace("智能鸿沟", "智能差距"), encoding="utf-8")
    for changed in (
        replace(hash_settings, corpus_path=edited),
        replace(hash_settings, chunk_tokens=100),
        replace(hash_settings, embed_model="hash:32"),
    ):
        idx = ensure_index(changed)
        assert idx.built and idx.store.manifest["fingerprint"] != fp
    assert ensure_index(hash_settings, rebuild=True).built


def test_missing_manifest_means_rebuild(hash_settings):
    ensure_index(hash_settings)
    (hash_settings.store_dir / MANIFEST).unlink()
    assert ensure_index(hash_settings).built


def test_corrupt_sqlite_recovers(hash_settings):
    ensure_index(hash_settings)
    db = hash_settings.store_dir / "chroma" / "chroma.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    from assistant.indexing.store import _forget_clients

    _forget_clients()
    idx = ensure_index(hash_settings)
    assert idx.built and idx.store.collection.count() == len(idx.chunks)


def test_manifest_counts(hash_settings):
    idx = ensure_index(hash_settings)
    m = json.loads((hash_settings.store_dir / MANIFEST).read_text())
    assert m["counts"]["chunks"] == len(idx.chunks)
    assert m["counts"]["chunks_en"] + m["counts"]["chunks_zh"] == len(idx.chunks)
