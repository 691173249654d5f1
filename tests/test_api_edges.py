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


def _bad(r, status: int = 400) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"] and "Traceback" not in r.text, body
    return body["error"]["message"]


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "path, raw",
    [
        ("/api/retrieve", rb'{"query": "\ud800"}'),  # a lone surrogate, JSON-escaped
        ("/api/summarize", rb'{"section": "\ud800"}'),  # echoed in the error: could not be encoded
        ("/v1/chat/completions", rb'{"messages": [{"role": "user", "content": "\udcff?"}]}'),
        ("/api/check", rb'{"text": "\ud83d \u4eba\u5de5\u667a\u80fd\u3002"}'),
    ],
)
def test_lone_surrogate_in_json_is_400(client, model, path, raw):
    _bad(client.post(path, content=raw, headers=JSON))
    assert not model.asked


@pytest.mark.parametrize(
    "content",
    [
        [{"type": "text", "text": 5}],
        [{"type": "text", "text": None}],
        [{"type": "text", "text": ["a"]}],
        42,
        {"text": "智能鸿沟是什么?"},
    ],
)
def test_content_that_is_not_text_is_400(client, model, content):
    msg = _bad(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": content}]}))
    assert "text" in msg and not model.asked


def test_text_content_parts_are_still_read(client, model):
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "智能鸿沟"}, {"type": "image_url"}]}]}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 500 and model.asked == ["智能鸿沟"]  # the scripted model refuses once asked


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/retrieve", {"query": None}),
        ("/api/retrieve", {"query": 5}),
        ("/api/retrieve", {"query": ["智能鸿沟"]}),
        ("/api/retrieve", {"query": "智能鸿沟", "k": True}),
        ("/api/cite", {"claim": None}),
        ("/api/cite", {"claim": 12345678}),
        ("/api/check", {"text": None}),
        ("/api/summarize", {"section": 3.1}),
        ("/api/summarize", {"section": None}),
    ],
)
def test_values_of_the_wrong_type_are_400_not_coerced(client, model, path, body):
    msg = _bad(client.post(path, json=body))
    assert "None" not in msg and not model.asked


def test_a_query_of_zero_width_characters_is_empty(client, model):
    msg = _bad(client.post("/api/retrieve", json={"query": "\u200b\u200c\u200d\ufeff"}))
    assert "empty" in msg and not model.asked
    r = client.post("/api/retrieve", json={"query": "\u200b智能\u200d鸿沟\ufeff"})
    assert r.status_code == 200 and r.json()["query"] == "智能鸿沟"


@pytest.mark.parametrize(
    "raw, status",
    [
        (b'{"query": "\xff\xfe"}', 400),  # not UTF-8: FastAPI answered {"detail": ...}
        (b"{not json", 422),
        (b"[1, 2]", 422),
    ],
)
def test_parse_errors_have_the_one_error_shape(client, raw, status):
    msg = _bad(client.post("/api/retrieve", content=raw, headers=JSON), status)
    assert status != 400 or ("UTF-8" in msg and "/" in msg)  # bilingual: "… / …"


def test_unknown_routes_and_methods_have_the_one_error_shape(client):
    _bad(client.get("/api/nowhere"), 404)
    _bad(client.get("/api/retrieve"), 405)
