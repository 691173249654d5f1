"""Shared fixtures. Tests run offline; the real embedding model is loaded once per session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["LANGSMITH_TRACING"] = "false"

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
for k in [k for k in os.environ if k.startswith("REVIEWQA_")]:
    if k != "REVIEWQA_CACHE_DIR":
        del os.environ[k]


@pytest.fixture(scope="session")
def doc():
    from assistant.corpus.citations import link_document
    from assistant.corpus.parser import parse, read_corpus
    from assistant.settings import Settings

    return link_document(parse(read_corpus(Settings().corpus_path)))


@pytest.fixture
def hash_settings(tmp_path):
    """Settings with a tiny deterministic embedder and a private store: fast, no torch."""
    from assistant.settings import Settings

    return Settings.from_env(embed_model="hash:64", store_dir=tmp_path / "store")


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    from assistant.indexing.build import ensure_index
    from assistant.settings import Settings

    s = Settings.from_env(store_dir=tmp_path_factory.mktemp("real") / "store")
    return ensure_index(s)


@pytest.fixture(scope="session")
def real_retriever(real_index):
    from assistant.retrieval.hybrid import HybridRetriever

    return HybridRetriever(real_index)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    e = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env=e,
        cwd=ROOT,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def fake_assistant_factory(real_index):
    """Assistants over the real index and embedder, with a scripted LangChain fake chat model."""
    from dataclasses import replace

    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.answering.chain import Assistant

    def make(*responses: str, sleep: float | None = None, **settings):
        s = replace(real_index.settings, translate_queries=False, **settings)
        return Assistant(s, index=real_index, chat=FakeListChatModel(responses=list(responses), sleep=sleep))

    return make


@pytest.fixture(scope="session")
def local_assistant(real_index):
    """The real thing: the bundled GGUF through xllamacpp, with glossary and query translation."""
    from assistant.answering.chain import Assistant

    return Assistant(real_index.settings, backend="local", index=real_index)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ui_server(local_assistant):
    """The Gradio app on 127.0.0.1, sharing the session's model; yields its URL."""
    from assistant.ui.app import serve

    port = free_port()
    demo = serve(local_assistant, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()
