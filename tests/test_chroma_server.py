"""The store on a real Chroma server (`chroma run`, started here): index, retrieve and ask give the
same passages as the embedded store; a build swaps in atomically and never deletes what is not ours."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from .helpers import free_port as _free_port
from .helpers import run_cli

pytestmark = pytest.mark.slow  # the real index's vectors


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    exe = Path(sys.executable).parent / "chroma"
    exe = str(exe) if exe.exists() else shutil.which("chroma")
    assert exe, "the chroma command ships with the chromadb package"
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, "chroma run exited"
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _vectors(index):
    got = index.store.collection.get(include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"]))
    chunk_vecs = np.asarray([by_id[c.id] for c in index.chunks], dtype=np.float32)
    ids, mat = index.store.sentence_matrix()
    row = {sid: i for i, sid in enumerate(ids)}
    return chunk_vecs, mat[[row[u.id] for u in index.sentences]]


@pytest.fixture(scope="module")
def remote(real_index, chroma_url):
    """The real index's vectors written to the server through the normal build path."""
    from assistant.indexing.build import ensure_index
    from assistant.indexing.store import build_store, read_manifest

    s = replace(real_index.settings, chroma_url=chroma_url)
    cv, sv = _vectors(real_index)
    fp = read_manifest(real_index.settings.store_dir)["fingerprint"]
    build_store(s, real_index.chunks, cv, real_index.sentences, sv, fp)
    idx = ensure_index(s)
    assert not idx.built, "a matching fingerprint on the server is opened, not rebuilt"
    return idx


def _collections(url: str) -> list[str]:
    from assistant.indexing.remote_store import client
    from assistant.settings import Settings

    c = client(Settings(chroma_url=url))
    return sorted(x if isinstance(x, str) else x.name for x in c.list_collections())


QUERIES = [
    ("人工智能如何影响产业布局?", "zh"),
    ("What is the intelligence divide?", "en"),
    ("链主企业发生了什么转变", "zh"),
    ("How does AI affect regional governance?", "en"),
]


def test_retrieve_gives_the_same_passages_as_the_embedded_store(remote, real_index, real_retriever):
    from assistant.retrieval.hybrid import HybridRetriever

    assert str(remote.store.path).startswith("http://127.0.0.1:")
    assert remote.store.manifest["fingerprint"] == real_index.store.manifest["fingerprint"]
    r = HybridRetriever(remote)
    for q, lang in QUERIES:
        a = [(h.passage.id, round(h.score, 6)) for h in r.search(q, 8, lang)]
        b = [(h.passage.id, round(h.score, 6)) for h in real_retriever.search(q, 8, lang)]
        assert a == b, q


def test_ask_cites_the_same_passages_as_the_embedded_store(remote, real_index):
    from assistant.answering.chain import Assistant

    s = replace(real_index.settings, translate_queries=False)
    here = Assistant(s, backend="extractive", index=real_index)
    there = Assistant(replace(s, chroma_url=remote.settings.chroma_url), backend="extractive", index=remote)
    for q, lang in QUERIES:
        if lang != "zh":
            continue  # extractive mode without a translator answers only confident Chinese matches
        a, b = here.ask(q), there.ask(q)
        assert a.answer == b.answer
        assert [c["passage"]["id"] for c in a.citations] == [c["passage"]["id"] for c in b.citations]
        assert a.citations, q


def test_rebuild_swaps_atomically_and_keeps_one_previous_generation(remote, real_index, monkeypatch):
    from assistant.errors import StoreError
    from assistant.indexing import remote_store, store
    from assistant.indexing.store import build_store, open_store

    s = remote.settings
    fp = remote.store.manifest["fingerprint"]
    cv, sv = _vectors(real_index)
    first = remote_store.read_pointer(s)["chunks_collection"]
    build_store(s, real_index.chunks, cv, real_index.sentences, sv, fp)
    second = remote_store.read_pointer(s)["chunks_collection"]
    build_store(s, real_index.chunks, cv, real_index.sentences, sv, fp)
    third = remote_store.read_pointer(s)["chunks_collection"]
    names = _collections(s.chroma_url)
    assert len({first, second, third}) == 3
    assert first not in names and second in names and third in names  # current + the previous one
    assert f"{s.collection}-current" in names

    # a build that fails midway (the sentence collection) leaves the pointer and the store as they were
    real_add = store._add
    calls = []

    def failing_add(col, *a, **k):
        calls.append(col.name)
        if col.name.endswith("-sentences"):
            raise RuntimeError("disk full")
        return real_add(col, *a, **k)

    monkeypatch.setattr(store, "_add", failing_add)
    with pytest.raises(StoreError):
        build_store(s, real_index.chunks, cv, real_index.sentences, sv, fp)
    monkeypatch.undo()
    assert remote_store.read_pointer(s)["chunks_collection"] == third
    assert _collections(s.chroma_url) == names, "the half-built generation is removed"
    assert open_store(s, fp).collection.count() == len(real_index.chunks)
    with pytest.raises(StoreError):  # another corpus or model: the server's index is stale, not reused
        open_store(s, "0" * 64)


def test_a_user_collection_on_the_server_is_never_deleted(remote, real_index):
    from assistant.indexing import remote_store

    s = remote.settings
    c = remote_store.client(s)
    c.get_or_create_collection("my-notes")
    c.get_or_create_collection(f"{s.collection}-notes")
    remote_store.prune(s, c, keep=set())
    names = _collections(s.chroma_url)
    assert "my-notes" in names and f"{s.collection}-notes" in names
    assert remote_store.read_pointer(s)["chunks_collection"] in names  # the current generation stays


def test_an_unreachable_server_fails_fast_with_one_line():
    t = time.time()
    r = run_cli("index", env={"REVIEWQA_CHROMA_URL": f"http://127.0.0.1:{_free_port()}"})
    assert r.returncode == 2, r.stderr
    assert "Cannot reach the Chroma server" in r.stderr and "Traceback" not in r.stderr
    assert time.time() - t < 60  # nothing was embedded first
