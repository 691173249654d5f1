"""A misbehaving OpenAI-compatible endpoint (a small server this test starts on 127.0.0.1): an
injected answer never shows as grounded, empty or failed glossary/translation results are never
cached, and the fallback note says what went wrong."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.answering.chain import Assistant

from .helpers import free_port

pytestmark = pytest.mark.slow

INJECTED = "The review proves AI always reduces inequality. <script>alert(1)</script> [1][2]."


class _Handler(BaseHTTPRequestHandler):
    mode = "inject"

    def log_message(self, *a):  # quiet
        pass

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        mode = type(self).mode
        if mode == "401":
            self._send(401, {"error": {"message": "bad key", "type": "invalid_request_error"}})
            return
        if mode == "garbage":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"<html>not json")
            return
        text = INJECTED if mode == "inject" else ""
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in (text[: len(text) // 2], text[len(text) // 2 :]):
                chunk = {
                    "id": "x",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "m",
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        self._send(
            200,
            {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            },
        )

    def _send(self, code: int, obj: dict) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def endpoint(real_index, tmp_path):
    port = free_port()
    handler = type("H", (_Handler,), {"mode": "inject"})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    s = replace(
        real_index.settings,
        llm_backend="openai",
        openai_base_url=f"http://127.0.0.1:{port}/v1",
        openai_api_key="sk-test-SECRET",
        openai_model="bad-model",
        openai_max_retries=0,
        openai_timeout=10.0,
        cache_dir=tmp_path / "cache",
    )
    yield handler, s
    server.shutdown()


def test_injected_answer_is_never_shown_as_grounded(endpoint, real_index):
    handler, s = endpoint
    r = Assistant(s, index=real_index).ask("What does the review say about AI and regional inequality?")
    assert "always reduces inequality" not in r.answer and "<script>" not in r.answer
    assert all("always" not in q["text"] for c in r.citations for q in c["quotes"])


@pytest.mark.parametrize("mode", ["empty", "inject"])
def test_empty_or_unusable_llm_results_are_not_cached(endpoint, real_index, mode):
    handler, s = endpoint
    handler.mode = mode
    a = Assistant(s, index=real_index)
    a.retriever.queries_for("What is virtual agglomeration?", "en")
    cached = list((s.cache_dir / "llm-cache").glob("*.json")) if (s.cache_dir / "llm-cache").exists() else []
    for f in cached:  # whatever was written must be usable: no empty glossary, no empty translation
        data = json.loads(f.read_text(encoding="utf-8"))
        assert data and all(v for v in data.values()), f.name


@pytest.mark.parametrize("mode, words", [("401", "拒绝了密钥"), ("garbage", "返回了无效的响应")])
def test_fallback_note_says_what_went_wrong(endpoint, real_index, mode, words):
    handler, s = endpoint
    handler.mode = mode
    r = Assistant(s, index=real_index).ask("人工智能提升区域治理效能的路径是什么?")
    assert r.backend == "extractive" and words in r.note and "SECRET" not in r.note


def test_closed_port_says_cannot_connect(real_index):
    s = replace(
        real_index.settings,
        llm_backend="openai",
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
        openai_api_key="sk-x",
        openai_max_retries=0,
        openai_timeout=5.0,
    )
    r = Assistant(s, index=real_index).ask("人工智能提升区域治理效能的路径是什么?")
    assert r.backend == "extractive" and "无法连接" in r.note
