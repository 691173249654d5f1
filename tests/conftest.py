"""Shared fixtures. Tests run offline; the real embedding model is loaded once per session."""

from __future__ import annotations

import os

import pytest

from .helpers import free_port


@pytest.fixture(scope="session", autouse=True)
def test_environment():
    """Offline, no telemetry, and none of the developer's REVIEWQA_* settings (the model cache
    excepted): every test, and every CLI process a test starts, sees the defaults."""
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("ANONYMIZED_TELEMETRY", "False")
    mp.setenv("TOKENIZERS_PARALLELISM", "false")
    mp.setenv("LANGSMITH_TRACING", "false")
    for k in [k for k in os.environ if k.startswith("REVIEWQA_") and k != "REVIEWQA_CACHE_DIR"]:
        mp.delenv(k)
    yield
    mp.undo()


@pytest.fixture
def hash_env(tmp_path) -> dict[str, str]:
    """Environment for a CLI process with tiny hash embeddings and a private store (no torch)."""
    return {"REVIEWQA_EMBED_MODEL": "hash:64", "REVIEWQA_STORE_DIR": str(tmp_path / "store")}


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


@pytest.fixture(scope="session")
def fake_assistant_factory(real_index):
    """Assistants over the real index and embedder, with a scripted LangChain fake chat model."""
    from dataclasses import replace

    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.answering.chain import Assistant

    def make(*responses: str, sleep: float | None = None, judge=None, **settings):
        """`judge`: a label distribution a scripted entailment judge gives every pair, or a Backend
        (the real local model); none by default: then only near-verbatim restatements are certified."""
        from tests.helpers import scripted_judge

        # the scripted model's answer is what most tests check: broad questions are composed from the
        # review's points only when a test asks for it (compose=True)
        settings.setdefault("compose", False)
        s = replace(real_index.settings, translate_queries=False, **settings)
        chat = FakeListChatModel(responses=list(responses), sleep=sleep)
        return Assistant(
            s, index=real_index, chat=chat, judge=scripted_judge(judge) if isinstance(judge, dict) else judge
        )

    return make


@pytest.fixture(scope="session")
def local_judge(real_index):
    """The bundled GGUF as the entailment judge, for a scripted answering model."""
    from assistant.llm.backends import get_backend

    return get_backend(real_index.settings, "local")


@pytest.fixture(scope="session")
def local_assistant(real_index):
    """The real thing: the bundled GGUF through xllamacpp, with glossary and query translation."""
    from assistant.answering.chain import Assistant

    return Assistant(real_index.settings, backend="local", index=real_index)


@pytest.fixture(scope="session")
def ui_server(local_assistant):
    """The Gradio app on 127.0.0.1, sharing the session's model; yields its URL."""
    from assistant.ui.app import serve

    port = free_port()
    demo = serve(local_assistant, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


REAL_MODEL_FIXTURES = {
    "real_index",
    "real_retriever",
    "fake_assistant_factory",
    "local_assistant",
    "local_judge",
    "ui_server",
}


def pytest_collection_modifyitems(items):
    """A test that uses the real embeddings or LLM is slow, whatever its module says: `make test-fast`
    never loads a model."""
    for item in items:
        if REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
