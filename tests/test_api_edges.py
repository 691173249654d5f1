"""The HTTP API without models (a scripted assistant): the offline docs page and bad requests —
every one a 400/422 with {"error": …}, never a 500 or FastAPI's {"detail": …}."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest


class Model:
    """Just enough of an Assistant for the routes; records what it was asked."""

    def __init__(self) -> None:
        from assistant.settings import Settings

        self.settings = replace(Settings(), queue_depth=2)
        self.asked: list[str] = []
        self.retriever = SimpleNamespace(search=self.search)
        self.index = SimpleNamespace(doc=SimpleNamespace(sections=[SimpleNamespace(id="3.1")]), chunks=[])

    def search(self, q: str, k: int) -> list:
        self.asked.append(q)
        return []

    def ask(self, q: str, lang: str, history: list) -> None:
        self.asked.append(q)
        raise AssertionError("the model was asked")


@pytest.fixture
def model() -> Model:
    return Model()


@pytest.fixture
def client(model):
    from fastapi.testclient import TestClient

    from assistant.service.api import build_api

    return TestClient(build_api(model, SimpleNamespace()), raise_server_exceptions=False)


REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_docs_page_works_offline(client):
    r = client.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert (
        not REMOTE.search(page) and "<script" not in page.lower() and "http://" not in page and "https://" not in page
    )
    for path in ("/api/retrieve", "/api/cite", "/api/summarize", "/api/check", "/v1/chat/completions", "/api/refs/{n}"):
        assert f">{path}<" in page
    assert "query" in page and "POST" in page and "400" in page  # a body field, a method, a response code
    assert client.get("/api/openapi.json").json()["info"]["title"] == "reviewqa API"
    assert client.get("/redoc").status_code == 404  # FastAPI's ReDoc, from a CDN too, is gone


def test_docs_page_escapes_what_it_shows():
    from assistant.service.docs import docs_page

    schema = {
        "info": {"title": "t<script>", "version": "1"},
        "paths": {
            "/x/<b>": {
                "post": {
                    "summary": "<img src=x onerror=alert(1)>",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"properties": {"q<i>": {"type": "string", "description": "a & b"}}}
                            }
                        }
                    },
                    "responses": {"400": {"description": "<bad>"}},
                }
            }
        },
    }
    page = docs_page(schema)
    assert "<img" not in page and "<script>" not in page and "/x/<b>" not in page and "<bad>" not in page
    assert "/x/&lt;b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "q&lt;i&gt;" in page and "a &amp; b" in page
